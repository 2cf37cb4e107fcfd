"""One small demo data folder (warehouse, planning and operational stores) for every
dashboard test, built once per session with ``callcenter demo --days 2``, plus users of
each role in its operational store."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from dash_helpers import CHEAP_HASHER, PASSWORD, USERS

from callcenter_cli import main


@pytest.fixture(scope="session")
def dash_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder: two simulated days, planned (forecast, staff, roster), QA and risk
    stores, and one user per role (password ``PASSWORD``)."""
    from dashboards import auth

    data = tmp_path_factory.mktemp("dash_data")
    result = CliRunner().invoke(
        main,
        [
            *("demo", "--days", "2", "--coming-days", "1", "--roster-time-limit", "3"),
            *("--data", str(data), "--no-serve"),
        ],
    )
    assert result.exit_code == 0, result.output
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "PASSWORD_HASHER", CHEAP_HASHER)
        for user_id, (name, role) in USERS.items():
            auth.add_user(data / "operational.duckdb", user_id, name, role, PASSWORD)
    return data


@pytest.fixture
def data_env(dash_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``CALLCENTER_DATA`` pointing at the shared data folder, and the cheap hasher."""
    from dashboards import auth

    monkeypatch.setenv("CALLCENTER_DATA", str(dash_data))
    monkeypatch.setattr(auth, "PASSWORD_HASHER", CHEAP_HASHER)
    return dash_data


@pytest.fixture(autouse=True)
def strict_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """A message id missing from ``dashboards.i18n.CATALOGUE`` fails the test (instead of
    showing the id), and every session starts in the default language."""
    from dashboards import i18n, settings

    monkeypatch.setenv(i18n.STRICT_ENV_VAR, "1")
    monkeypatch.delenv(settings.LANG_ENV_VAR, raising=False)
