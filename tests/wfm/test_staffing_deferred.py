"""``callcenter staff`` for deferred channels: workload requirements next to voice, targets
from the scenario or the configuration, the planning store, old stores."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from acd.scenario import load_scenario
from callcenter_cli import main
from wfm.staffing import (
    STORED_COLUMNS,
    StaffingConfig,
    StaffingError,
    deferred_requirements,
    deferred_targets,
    latest_requirements,
    parse_config,
    save_requirements,
)

DAY = pd.Timestamp("2026-09-01")  # a Tuesday, a working day


def hourly_email(items_at_nine: float = 24, aht_s: float = 600) -> pd.DataFrame:
    """An hourly forecast of one day: ``items_at_nine`` e-mails in 09:00-10:00, none else."""
    ds = pd.date_range(DAY, periods=24, freq="h")
    calls = np.where(ds.hour == 9, items_at_nine, 0.0)
    return pd.DataFrame({"queue": "email", "ds": ds, "calls": calls, "aht_s": aht_s})


def test_targets_from_the_airline_scenario():
    targets, notes = deferred_targets(StaffingConfig(), load_scenario("airline"))
    assert notes == []
    minutes = {name: t.target_s / 60 for name, t in targets.items()}
    assert minutes == {"email": 240, "sms": 60, "voicemail": 120, "web_callback": 30}
    email = targets["email"]
    assert email.business_hours and email.source == "scenario"
    assert email.clock.tz == "Asia/Shanghai"
    assert (email.clock.open_s, email.clock.close_s) == (8 * 3600, 21 * 3600)
    assert email.describe_target() == "within 240 business min"


def test_configuration_overrides_the_scenario():
    config = parse_config(
        {
            "deferred": {
                "scenario": "",
                "productive_share": 0.8,
                "channels": {"email": {"target_minutes": 60, "business_hours": False}},
                "business_hours": {"open": "09:00", "close": "18:00", "timezone": "UTC"},
            }
        }
    )
    targets, _ = deferred_targets(config)
    email = targets["email"]
    assert email.target_s == 3600 and not email.business_hours and email.source == "config"
    assert email.productive_share == 0.8 and email.clock.tz == "UTC"
    with pytest.raises(StaffingError, match=r"deferred\.productive_share"):
        parse_config({"deferred": {"productive_share": 1.5}})


def test_email_requirement_by_hand():
    # 24 e-mails in 09:00-10:00 (12 per half hour), AHT 10 min, 4 business hours
    # (08:00-21:00). Each half hour's 12 e-mails need 0.25, then 0.5 x 7, then 0.25
    # agents from their half hour on; the two overlap:
    # 09:00 0.25 | 09:30 0.75 | 10:00-12:30 1.0 | 13:00 0.75 | 13:30 0.25  (4 agent-hours)
    config = StaffingConfig()
    targets, _ = deferred_targets(config, load_scenario("airline"))
    frame, warnings = deferred_requirements(hourly_email(), config, targets)
    assert warnings == []
    frame = frame.set_index(frame["ds"].dt.strftime("%H:%M"))
    fte = frame["agents_fte"]
    assert fte["09:00"] == pytest.approx(0.25) and fte["09:30"] == pytest.approx(0.75)
    assert fte[["10:00", "10:30", "11:00", "11:30", "12:00", "12:30"]].to_numpy() == (
        pytest.approx(1.0)
    )
    assert fte["13:00"] == pytest.approx(0.75) and fte["13:30"] == pytest.approx(0.25)
    assert fte.sum() / 2 == pytest.approx(24 * 600 / 3600)
    assert list(frame.index) == ["09:00", "09:30"] + [
        f"{h:02d}:{m:02d}" for h in range(10, 14) for m in (0, 30)
    ]
    assert set(frame["model"]) == {"workload"} and set(frame["queue"]) == {"email"}
    assert frame.loc["09:30", "calls"] == pytest.approx(12)  # the hour split in halves
    assert frame.loc["09:30", "agents_raw"] == 1
    # shrinkage 0.2 + 0.1: ceil(1.0 / 0.7) = 2 scheduled
    assert frame.loc["11:00", "agents_required"] == 2
    assert frame.loc["09:00", "service_level"] == pytest.approx(1.0)  # fluid check
    assert frame.loc["10:00", "binding"] == "target"


def test_a_channel_without_a_target_is_skipped_with_a_warning():
    forecast = hourly_email().assign(queue="chat")
    frame, warnings = deferred_requirements(forecast, StaffingConfig(), {})
    assert frame.empty and "chat: no response target" in warnings[0]


def test_old_planning_store_gets_the_new_column(tmp_path):
    planning = tmp_path / "planning.duckdb"
    with duckdb.connect(str(planning)) as con:  # a store written before deferred channels
        con.execute(
            "create table staffing_runs (run_id varchar primary key, created_at timestamptz "
            "not null, config varchar not null, forecast_run_ids varchar)"
        )
        columns = ", ".join(f"{c} double" for c in STORED_COLUMNS if c != "agents_fte")
        con.execute(f"create table requirements (run_id varchar, {columns})")
        con.execute("alter table requirements alter queue type varchar")
        con.execute("alter table requirements alter ds type timestamp")
        con.execute("alter table requirements alter model type varchar")
        con.execute("alter table requirements alter binding type varchar")
        con.execute("insert into staffing_runs values ('old', now() - interval 1 day, '{}', '')")
        con.execute(
            "insert into requirements (run_id, queue, ds, agents_raw) "
            "values ('old', 'booking', '2026-09-01 08:00', 3)"
        )
    old = latest_requirements(planning)
    assert list(old.columns) == ["run_id", *STORED_COLUMNS] and old["agents_fte"].isna().all()
    config = StaffingConfig()
    targets, _ = deferred_targets(config, load_scenario("airline"))
    frame, _ = deferred_requirements(hourly_email(), config, targets)
    run = save_requirements(planning, frame, {}, [])
    latest = latest_requirements(planning)
    assert set(latest["run_id"]) == {run}
    assert latest["agents_fte"].sum() / 2 == pytest.approx(4.0)


def store_forecasts(planning, rows: list[tuple[str, str, datetime, float]]) -> None:
    """Forecast tables as ``forecasting.store`` writes them: (metric, unique_id, ds, y_hat)."""
    with duckdb.connect(str(planning)) as con:
        con.execute(
            "create table forecast_runs (run_id varchar, created_at timestamptz, metric varchar)"
        )
        con.execute(
            "create table forecasts (run_id varchar, unique_id varchar, metric varchar, "
            "ds timestamp, model varchar, y_hat double, y_lo double, y_hi double, level double)"
        )
        for metric in sorted({r[0] for r in rows}):
            con.execute("insert into forecast_runs values (?, now(), ?)", [f"run-{metric}", metric])
        con.executemany(
            "insert into forecasts values (?, ?, ?, ?, 'seasonal_naive', ?, ?, ?, 0.8)",
            [(f"run-{m}", u, m, ds, y, y, y) for m, u, ds, y in rows],
        )


def test_staff_puts_deferred_channels_next_to_voice(tmp_path):
    planning = tmp_path / "planning.duckdb"
    rows = []
    for ds in pd.date_range(DAY + pd.Timedelta(hours=8), periods=4, freq="30min"):
        rows += [("offered", "booking", ds, 60.0), ("aht_s", "booking", ds, 180.0)]
    for ds, calls in zip(hourly_email()["ds"], hourly_email()["calls"], strict=True):
        rows += [("deferred_arrivals", "email", ds, calls), ("deferred_aht_s", "email", ds, 600.0)]
    store_forecasts(planning, rows)
    result = CliRunner().invoke(
        main, ["staff", "--planning", str(planning), "--scenario", "airline", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["queues"]["booking"]["model"] == "erlang_a"
    email = out["queues"]["email"]
    assert email["model"] == "workload" and email["target"] == "within 240 business min"
    assert email["agent_hours_fte"] == pytest.approx(4.0)
    assert out["deferred"]["email"]["target_minutes"] == 240
    assert "run-deferred_arrivals" in out["forecast_run_ids"]
    assert out["trunks"]["peak_ds"].startswith("2026-09-01 0")  # voice only
    stored = latest_requirements(planning)
    assert set(stored.loc[stored["queue"] == "email", "model"]) == {"workload"}
    booking = stored[stored["queue"] == "booking"]
    assert (booking["agents_fte"] == booking["agents_raw"]).all()
    human = CliRunner().invoke(main, ["staff", "--planning", str(planning)])
    assert human.exit_code == 0 and "workload" in human.stdout
    assert "deferred channels (model workload)" in human.stdout
