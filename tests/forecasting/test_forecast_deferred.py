"""Deferred channels in ``callcenter forecast``: arrivals and handle time per channel from
``mart_backlog`` (channel x local hour), or a note when the warehouse has none.

The warehouse is a real DuckDB file with a hand-made ``mart_interval_kpis`` (voice, the
columns the forecast reads) and, where asked, a ``mart_backlog`` with the contract's
columns: channel, queue, hour_start, open_start, arrived, handled, resolved, open_end,
oldest_open_age_s, responded, responded_in_target, handle_s.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from callcenter_cli import main
from forecasting.store import latest_forecasts

DAYS = pd.date_range("2026-08-03", periods=28, freq="D")


def voice_mart(con: duckdb.DuckDBPyConnection) -> None:
    """One queue, 08:00-19:30, 10 calls a half hour, AHT 200 s."""
    ds = (DAYS.values[:, None] + pd.to_timedelta(np.arange(16, 40) * 30, unit="m").values).ravel()
    frame = pd.DataFrame(
        {
            "queue": "booking",
            "interval_start_local": ds,
            "offered": 10,
            "aht_s": 200.0,
            "handled_known": 9,
        }
    )
    con.register("voice", frame)
    con.execute("create table mart_interval_kpis as select * from voice")


def backlog_mart(con: duckdb.DuckDBPyConnection, rows: bool = True) -> None:
    """E-mail (every hour, 4 an hour 08:00-20:59 and 1 at night; 300 s each) and SMS
    (2 an hour by day, 100 s), every local hour of 28 days."""
    hours = (DAYS.values[:, None] + pd.to_timedelta(np.arange(24), unit="h").values).ravel()
    hour = pd.DatetimeIndex(hours).hour
    day = (hour >= 8) & (hour < 21)
    frames = []
    for channel, by_day, at_night, aht in (("email", 4, 1, 300.0), ("sms", 2, 0, 100.0)):
        arrived = np.where(day, by_day, at_night)
        handled = np.where(day, by_day, 0)
        frames.append(
            pd.DataFrame(
                {
                    "channel": channel,
                    "queue": channel,
                    "hour_start": hours,
                    "open_start": 0,
                    "arrived": arrived,
                    "handled": handled,
                    "resolved": handled,
                    "open_end": 0,
                    "oldest_open_age_s": 0.0,
                    "responded": handled,
                    "responded_in_target": handled,
                    "handle_s": handled * aht,
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    con.register("backlog", frame if rows else frame.head(0))
    con.execute("create table mart_backlog as select * from backlog")


def warehouse(path: Path, backlog: str | None) -> Path:
    with duckdb.connect(str(path)) as con:
        voice_mart(con)
        if backlog is not None:
            backlog_mart(con, rows=backlog == "rows")
    return path


def run(tmp_path: Path, backlog: str | None) -> tuple[dict, Path]:
    db = warehouse(tmp_path / "warehouse.duckdb", backlog)
    planning = tmp_path / "planning.duckdb"
    args = ["forecast", "--db", str(db), "--planning", str(planning), "--horizon", "7d"]
    result = CliRunner().invoke(
        main, [*args, "--cutoffs", "1", "--models", "weighted_average", "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), planning


def test_deferred_channels_are_forecast_from_mart_backlog(tmp_path):
    document, planning = run(tmp_path, "rows")
    assert set(document["runs"]) == {"offered", "aht_s", "deferred_arrivals", "deferred_aht_s"}
    assert document["deferred"] == {"channels": ["email", "sms"], "note": None}
    arrivals = latest_forecasts(planning, "deferred_arrivals")
    assert set(arrivals["unique_id"]) == {"email", "sms"}
    assert document["runs"]["deferred_arrivals"]["interval_minutes"] == 60
    email = arrivals[arrivals["unique_id"] == "email"].set_index("ds")["y_hat"]
    assert len(email) == 7 * 24  # every hour of the week (the mart lists every hour)
    # a constant pattern is forecast as it is: 4 an hour by day, 1 at night
    assert email[email.index.hour == 10].to_numpy() == pytest.approx(4.0)
    assert email[email.index.hour == 3].to_numpy() == pytest.approx(1.0)
    sms = arrivals[arrivals["unique_id"] == "sms"].set_index("ds")["y_hat"]
    assert sms[sms.index.hour == 3].to_numpy() == pytest.approx(0.0)
    handle = latest_forecasts(planning, "deferred_aht_s")
    by_channel = handle.dropna(subset=["y_hat"]).groupby("unique_id")["y_hat"]
    assert by_channel.min().to_dict() == pytest.approx({"email": 300.0, "sms": 100.0})
    assert by_channel.max().to_dict() == pytest.approx({"email": 300.0, "sms": 100.0})
    # voice is as before: 7 days x 24 open half hours of one queue
    assert document["runs"]["offered"]["interval_minutes"] == 30
    assert len(latest_forecasts(planning, "offered")) == 7 * 24


@pytest.mark.parametrize(
    ("backlog", "note"),
    [(None, "no mart_backlog in the warehouse"), ("empty", "mart_backlog has no rows")],
)
def test_an_old_warehouse_forecasts_voice_and_says_why_not_deferred(tmp_path, backlog, note):
    document, planning = run(tmp_path, backlog)
    assert set(document["runs"]) == {"offered", "aht_s"}
    assert document["deferred"]["channels"] == []
    assert note in document["deferred"]["note"]
    assert latest_forecasts(planning, "deferred_arrivals").empty
    assert document["rows"] == 2 * 7 * 24
    db = tmp_path / "warehouse.duckdb"
    args = ["forecast", "--db", str(db), "--planning", str(planning), "--horizon", "7d"]
    human = CliRunner().invoke(main, [*args, "--cutoffs", "1", "--models", "weighted_average"])
    assert human.exit_code == 0 and f"note: {note}" in human.output
