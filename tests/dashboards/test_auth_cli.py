"""``callcenter users``: add, list, disable, enable, passwd, roles; errors as one line.

Uses a cheap Argon2 hasher (see test_auth_store.py) through ``auth.PASSWORD_HASHER``.
"""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from callcenter_cli import main
from dashboards import auth

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(
        auth, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def ops(tmp_path):
    return str(tmp_path / "operational.duckdb")


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["users", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2 and out == "", (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def add(ops: str, user_id: str, role: str = "analyst", password: str = PASSWORD):
    return run(
        "add", user_id, "--name", user_id.title(), "--role", role, "--password-stdin",
        "--ops-db", ops, input=f"{password}\n",
    )  # fmt: skip


def test_add_then_list(ops):
    code, out, err = add(ops, "alice", "manager")
    assert code == 0, err
    assert out.strip() == "added user alice (Alice), role manager"
    assert PASSWORD not in out + err
    code, out, _ = run("list", "--ops-db", ops)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split() == ["user_id", "name", "role", "active", "last", "login", "(UTC)"]
    assert lines[1].split() == ["alice", "Alice", "manager", "yes", "-"]


def test_list_json_never_shows_a_hash(ops):
    add(ops, "alice", "manager")
    add(ops, "bob", "qa")
    auth.authenticate(ops, "alice", PASSWORD)
    code, out, _ = run("list", "--json", "--ops-db", ops)
    assert code == 0
    users = json.loads(out)["users"]
    assert [u["user_id"] for u in users] == ["alice", "bob"]
    assert set(users[0]) == {
        "user_id", "name", "role", "active", "created_at", "updated_at", "last_login_at",
    }  # fmt: skip
    assert users[0]["last_login_at"].endswith("+00:00") and users[1]["last_login_at"] is None
    assert "argon2" not in out and "password" not in out and PASSWORD not in out


def test_list_without_a_store(ops):
    assert run("list", "--ops-db", ops)[:2] == (
        0,
        "no users (add one with 'callcenter users add')\n",
    )
    assert json.loads(run("list", "--json", "--ops-db", ops)[1]) == {"users": []}


def test_add_with_the_prompt_asks_twice(ops):
    result = CliRunner().invoke(
        main,
        ["users", "add", "carol", "--name", "Carol", "--role", "qa", "--ops-db", ops],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert result.stderr.count("Password") == 1 and "Repeat" in result.stderr
    assert auth.authenticate(ops, "carol", PASSWORD) is not None


def test_disable_enable_and_passwd(ops):
    add(ops, "alice", "planner")
    assert run("disable", "alice", "--ops-db", ops)[:2] == (0, "disabled user alice\n")
    assert auth.authenticate(ops, "alice", PASSWORD) is None
    code, out, _ = run("list", "--json", "--ops-db", ops)
    assert json.loads(out)["users"][0]["active"] is False
    assert run("enable", "alice", "--ops-db", ops)[:2] == (0, "enabled user alice\n")
    code, out, err = run(
        "passwd", "alice", "--password-stdin", "--ops-db", ops, input="new passphrase\n"
    )
    assert (code, out) == (0, "set the password of user alice\n"), err
    assert auth.authenticate(ops, "alice", PASSWORD) is None
    assert auth.authenticate(ops, "alice", "new passphrase") is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "Alice", "--name", "A", "--role", "qa"], PASSWORD, "invalid user id 'Alice'"),
        (["add", "alice", "--name", "A", "--role", "boss"], PASSWORD, "unknown role 'boss'"),
        (["add", "alice", "--name", "A", "--role", "qa"], "short", "at least 8 characters"),
        (["add", "alice", "--name", "A", "--role", "qa"], "", "no password on standard input"),
        (["passwd", "alice"], "short", "at least 8 characters"),
        (["passwd", "nobody"], PASSWORD, "unknown user nobody"),
    ],
)
def test_bad_input_is_one_error_line(ops, args, stdin, message):
    add(ops, "alice")
    error = one_line_error(*run(*args, "--password-stdin", "--ops-db", ops, input=f"{stdin}\n"))
    assert message in error
    assert stdin == "" or stdin not in error
    assert [u.user_id for u in auth.list_users(ops)] == ["alice"]
    assert auth.authenticate(ops, "alice", PASSWORD) is not None


def test_duplicates_and_unknown_users_are_one_error_line(ops):
    add(ops, "alice")
    assert one_line_error(*add(ops, "alice", "admin")) == "error: user alice already exists"
    assert one_line_error(*run("disable", "bob", "--ops-db", ops)) == "error: unknown user bob"
    assert auth.get_user(ops, "alice").role == "analyst"


def test_roles_lists_pages_and_actions():
    code, out, _ = run("roles", "--json")
    assert code == 0
    roles = json.loads(out)
    assert list(roles) == list(auth.ROLES)
    assert roles["qa"] == {
        "pages": [
            "overview",
            "agents",
            "satisfaction",
            "qa_evaluate",
            "qa_scores",
            "qa_calibration",
            "qa_disputes",
        ],
        "actions": ["evaluate", "resolve_disputes", "see_numbers"],
    }
    assert roles["analyst"]["actions"] == []
