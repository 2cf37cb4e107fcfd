"""``callcenter serve``: errors, the command it runs, and a real headless server."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from callcenter_cli import main
from dashboards import serve as serve_module


def test_serve_without_a_warehouse_is_one_error_line(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "run 'callcenter demo' first" in lines[0]


def test_serve_runs_streamlit_headless_on_the_data_folder(tmp_path, monkeypatch):
    (tmp_path / "warehouse.duckdb").write_bytes(b"")
    calls = []

    def fake_execve(path, command, env):
        calls.append((command, env))
        assert path == command[0]

    monkeypatch.setattr(serve_module.os, "execve", fake_execve)
    result = CliRunner().invoke(
        main, ["serve", "--data", str(tmp_path), "--port", "8600", "--host", "0.0.0.0"]
    )
    assert result.exit_code == 0, result.output
    assert "http://0.0.0.0:8600" in result.output
    ((command, env),) = calls
    assert command[command.index("run") + 1] == str(serve_module.APP)
    assert command[command.index("--server.headless") + 1] == "true"
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert env["CALLCENTER_DATA"] == str(tmp_path.resolve())
    assert env["PYTHONPATH"].split(":")[0] == str(Path(serve_module.__file__).parents[1])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_served_app_answers_its_health_check(dash_data):
    port = _free_port()
    process = subprocess.Popen(
        serve_module.streamlit_command(port, "127.0.0.1"),
        env=serve_module.serve_environment(dash_data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline and body != b"ok":
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
                    body = r.read()
            except OSError:
                time.sleep(0.3)
        assert body == b"ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
