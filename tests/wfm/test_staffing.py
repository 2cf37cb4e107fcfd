"""Staffing requirements: published worked examples, hand arithmetic, bad input, the store."""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from datetime import datetime

import duckdb
import pandas as pd
import pytest

from wfm.erlang import erlang_a_metrics, erlang_b
from wfm.staffing import (
    DEFAULT_CONFIG_TOML,
    REQUIREMENT_COLUMNS,
    STORED_COLUMNS,
    QueuePolicy,
    Shrinkage,
    StaffingConfig,
    StaffingError,
    estimate_patience,
    latest_requirements,
    load_config,
    merge_forecasts,
    parse_config,
    patience_history,
    requirements,
    save_requirements,
    summarize,
    trunk_lines,
    with_shrinkage,
)

NO_SHRINKAGE = Shrinkage(planned=0.0, unplanned=0.0)


def config(**policy: object) -> StaffingConfig:
    return StaffingConfig(defaults=QueuePolicy(**policy))  # type: ignore[arg-type]


def forecast(
    calls: list[float], aht_s: list[float] | float = 180, queue: str = "q"
) -> pd.DataFrame:
    ds = pd.date_range("2026-09-01 08:00", periods=len(calls), freq="30min")
    aht = aht_s if isinstance(aht_s, list) else [aht_s] * len(calls)
    return pd.DataFrame({"unique_id": queue, "ds": ds, "calls": calls, "aht_s": aht})


def erlang_c_direct(offered: float, agents: int) -> float:
    """Erlang C by its textbook sum of powers and factorials (Gross et al., M/M/c)."""
    top = offered**agents / math.factorial(agents) * agents / (agents - offered)
    return top / (sum(offered**k / math.factorial(k) for k in range(agents)) + top)


# --- published worked examples ---------------------------------------------------------


def test_call_centre_helper_example_with_shrinkage():
    # callcentrehelper.com, "Erlang C Formula - Made Simple With an Easy Worked Example":
    # 100 calls in 30 min, AHT 180 s, 80% within 20 s, max occupancy 85%: 14 agents
    # (occupancy 10 / 14 = 71.4%); with 30% shrinkage 14 / (1 - 0.3) = 20.
    cfg = config(
        model="erlang_c",
        service_level=0.8,
        target_s=20,
        max_occupancy=0.85,
        shrinkage=Shrinkage(planned=0.3, unplanned=0.0),
    )
    row = requirements(forecast([100]), cfg).iloc[0]
    assert row["agents_raw"] == 14
    assert row["agents_required"] == 20  # 14 / 0.7 is 20.000000000000004 in binary
    assert row["binding"] == "target"
    assert row["occupancy"] == pytest.approx(10 / 14)
    # Independent: SL = 1 - C(A, n)·exp(-(n - A)·t / AHT) with C by factorials.
    p_wait = erlang_c_direct(10, 14)
    assert row["service_level"] == pytest.approx(1 - p_wait * math.exp(-4 * 20 / 180), rel=1e-12)
    assert row["asa_s"] == pytest.approx(p_wait * 180 / 4, rel=1e-12)
    assert math.isnan(row["p_abandon"])
    # 13 agents miss the target: the answer is minimal.
    assert 1 - erlang_c_direct(10, 13) * math.exp(-3 * 20 / 180) < 0.8


def test_asa_target_with_erlang_c_matches_published_asa():
    # Abstract Micro Systems, ErlcWait4: 20 agents, 100 calls / 1800 s, AHT 300 s give
    # ASA 30.4312286 s; with 19 agents the queue is slower. An ASA goal of 31 s needs 20.
    row = requirements(
        forecast([100], 300), config(model="erlang_c", target="asa", asa_s=31, max_occupancy=1)
    ).iloc[0]
    assert row["agents_raw"] == 20
    assert row["asa_s"] == pytest.approx(30.4312286, rel=1e-7)


def test_occupancy_binds_when_the_target_is_loose():
    # 10 Erlangs, 50% within 60 s needs 12 agents by Erlang C; occupancy <= 0.75 needs
    # ceil(10 / 0.75) = 14.
    cfg = config(model="erlang_c", service_level=0.5, target_s=60, max_occupancy=0.75)
    row = requirements(forecast([100]), cfg).iloc[0]
    assert row["binding"] == "occupancy"
    assert row["agents_raw"] == 14
    loose = requirements(
        forecast([100]),
        dataclasses.replace(cfg, defaults=dataclasses.replace(cfg.defaults, max_occupancy=1.0)),
    ).iloc[0]
    assert loose["binding"] == "target"
    assert loose["agents_raw"] < 14


def test_erlang_a_abandon_target_is_minimal_and_uses_patience():
    cfg = config(model="erlang_a", target="abandon_rate", abandon_rate=0.02, max_occupancy=1)
    row = requirements(forecast([100]), cfg, {"q": 120.0}).iloc[0]
    n = int(row["agents_raw"])
    rate = 100 / 1800
    assert erlang_a_metrics(n, rate, 180, 120, 20).p_abandon <= 0.02
    assert erlang_a_metrics(n - 1, rate, 180, 120, 20).p_abandon > 0.02
    assert row["patience_s"] == 120
    assert row["p_abandon"] == pytest.approx(erlang_a_metrics(n, rate, 180, 120, 20).p_abandon)


# --- shrinkage --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shrinkage", "required"),
    [
        (14, 0.30, 20),  # 20.000000000000004 in floating point: still 20
        (12, 0.30, 18),  # 17.14 -> 18
        (8, 0.20, 10),  # 10.000000000000002 -> 10
        (10, 0.0, 10),
        (1, 0.35, 2),  # 1.54 -> 2
        (0, 0.5, 0),
    ],
)
def test_shrinkage_arithmetic_by_hand(raw, shrinkage, required):
    assert with_shrinkage(raw, shrinkage) == required


def test_shrinkage_rules_by_weekday_and_hour():
    data = tomllib.loads(
        """
        [defaults.shrinkage]
        planned = 0.2
        unplanned = 0.1
        rules = [
          { weekdays = ["sat", "sun"], planned = 0.1, unplanned = 0.15 },
          { hours = [8, 9], unplanned = 0.2 },
        ]
        """
    )
    shrinkage = parse_config(data).defaults.shrinkage
    assert shrinkage.at(datetime(2026, 9, 1, 7, 30)) == pytest.approx(0.3)  # Tuesday: default
    assert shrinkage.at(datetime(2026, 9, 1, 8, 30)) == pytest.approx(0.4)  # 0.2 + 0.2
    assert shrinkage.at(datetime(2026, 9, 5, 14, 0)) == pytest.approx(0.25)  # Saturday
    assert shrinkage.at(datetime(2026, 9, 5, 8, 0)) == pytest.approx(0.4)  # last rule wins
    # Applied per interval: 14 raw agents on a Tuesday at 08:00 -> ceil(14 / 0.6) = 24.
    cfg = dataclasses.replace(
        parse_config(data),
        defaults=dataclasses.replace(
            parse_config(data).defaults, model="erlang_c", max_occupancy=0.85
        ),
    )
    frame = requirements(forecast([100, 100]), cfg)
    assert list(frame["agents_raw"]) == [14, 14]
    assert list(frame["agents_required"]) == [24, 24]
    assert list(frame["shrinkage"]) == pytest.approx([0.4, 0.4])


# --- configuration ------------------------------------------------------------------------


def test_documented_defaults_are_the_defaults():
    assert parse_config(tomllib.loads(DEFAULT_CONFIG_TOML)) == StaffingConfig()
    assert load_config(None) == StaffingConfig()


def test_queue_overrides_inherit_defaults(tmp_path):
    path = tmp_path / "staffing.toml"
    path.write_text(
        '[defaults]\nmax_occupancy = 0.9\n[queues.complaints]\ntarget = "asa"\nasa_s = 60\n'
    )
    cfg = load_config(path)
    assert cfg.policy("complaints").target == "asa"
    assert cfg.policy("complaints").max_occupancy == 0.9
    assert cfg.policy("booking") == cfg.defaults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\nservice_level = 1.0", "defaults.service_level: must be below 1"),
        ("[defaults]\nmax_occupancy = 1.2", "defaults.max_occupancy: must be at most 1"),
        ('[defaults]\nmodel = "erlang_x"', "defaults.model: expected one of erlang_a, erlang_c"),
        (
            '[queues.booking]\nmodel = "erlang_c"\ntarget = "abandon_rate"',
            "queues.booking.target: abandon_rate needs model",
        ),
        ("[queues.booking]\nservic_level = 0.8", "queues.booking: unknown key(s) servic_level"),
        ("[defaults.shrinkage]\nplanned = 0.7\nunplanned = 0.3", "must be below 1"),
        (
            '[defaults.shrinkage]\nrules = [{ weekdays = ["funday"] }]',
            "defaults.shrinkage.rules[0].weekdays",
        ),
        ("[trunks]\nblocking = 0", "trunks.blocking: must be greater than 0"),
        ("interval_minutes = 7", "interval_minutes: must divide an hour"),
        ("[defaults]\nasa_s = 0", "defaults.asa_s: must be greater than 0"),
    ],
)
def test_config_errors_name_the_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(StaffingError, match=re.escape(message)):
        load_config(path)


def test_config_file_problems(tmp_path):
    with pytest.raises(StaffingError, match="not found"):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "broken.toml").write_text("[defaults\n")
    with pytest.raises(StaffingError, match="not valid TOML"):
        load_config(tmp_path / "broken.toml")


# --- bad input ------------------------------------------------------------------------------


def test_zero_volume_needs_no_agents_and_no_aht():
    frame = requirements(forecast([0, 100], [0, 180]), config())
    assert frame["agents_raw"].iloc[0] == 0
    assert frame["agents_required"].iloc[0] == 0
    assert frame["binding"].iloc[0] == "none"
    assert frame["agents_raw"].iloc[1] > 0


def test_missing_intervals_stay_missing():
    f = forecast([100, 100, 100]).drop(index=1)
    frame = requirements(f, config())
    assert len(frame) == 2
    assert list(frame.columns) == list(REQUIREMENT_COLUMNS)


@pytest.mark.parametrize(
    ("calls", "aht", "message"),
    [
        ([100], [0], "queue q, interval 2026-09-01 08:00: aht_s must be a number > 0"),
        ([100], [-5], "aht_s must be a number > 0"),
        ([100], [float("nan")], "aht_s must be a number > 0"),
        ([-1], [180], "queue q, interval 2026-09-01 08:00: calls must be a number >= 0"),
        ([float("nan")], [180], "calls must be a number >= 0"),
    ],
)
def test_bad_rows_name_queue_and_interval(calls, aht, message):
    with pytest.raises(StaffingError, match=message):
        requirements(forecast(calls, aht), config())


def test_off_grid_and_duplicate_intervals():
    f = forecast([10, 10])
    f.loc[1, "ds"] = pd.Timestamp("2026-09-01 08:15")
    with pytest.raises(StaffingError, match="not on the 30-minute grid; set interval_minutes"):
        requirements(f, config())
    f = pd.concat([forecast([10]), forecast([12])])
    with pytest.raises(StaffingError, match="appears more than once"):
        requirements(f, config())
    with pytest.raises(StaffingError, match="missing column"):
        requirements(forecast([10]).drop(columns="aht_s"), config())


def test_unreachable_abandon_target_says_what_to_change():
    cfg = config(model="erlang_a", target="abandon_rate", abandon_rate=1e-12, max_agents=25)
    with pytest.raises(StaffingError) as error:
        requirements(forecast([0, 100]), cfg)
    message = str(error.value)
    assert "queue q, interval 2026-09-01 08:30" in message
    assert "abandon rate at most" in message
    assert "raise max_agents or relax the target" in message


def test_max_agents_too_small_for_the_load():
    with pytest.raises(StaffingError, match="cannot be met with up to 5 agents"):
        requirements(forecast([100]), config(model="erlang_c", max_agents=5))


# --- trunks, summary, patience ---------------------------------------------------------------


def test_trunk_lines_for_the_peak_interval():
    cfg = dataclasses.replace(
        config(model="erlang_c", max_occupancy=0.85, shrinkage=NO_SHRINKAGE),
    )
    frame = requirements(forecast([50, 100], 180), cfg)
    summary = summarize(frame, cfg)
    peak = frame.iloc[1]
    # By hand: 100 calls / 1800 s x (45 s IVR + ASA + 180 s talk).
    load = 100 / 1800 * (45 + peak["asa_s"] + 180)
    trunks = summary["trunks"]
    assert trunks["peak_load_erlangs"] == pytest.approx(load)
    assert trunks["peak_ds"] == "2026-09-01 08:30"
    lines = trunks["lines"]
    assert erlang_b(load, lines) <= 0.01 < erlang_b(load, lines - 1)
    assert summary["queues"]["q"]["peak_agents_required"] == 14
    assert summary["queues"]["q"]["agent_hours_raw"] == pytest.approx(
        (frame["agents_raw"].sum()) * 0.5
    )
    assert trunk_lines(0, 0.01) == 0


def test_patience_estimate_is_waits_over_abandons():
    history = pd.DataFrame(
        {"queue": ["a", "b"], "visits": [1000, 40], "abandoned": [50, 3], "wait_s": [9000.0, 80.0]}
    )
    estimates = estimate_patience(history, ["a", "b", "c"], StaffingConfig())
    assert estimates["a"].patience_s == 180.0  # 9000 s of waiting / 50 abandons
    assert estimates["a"].source == "warehouse"
    assert estimates["b"].source == "default"  # 3 abandons < min_abandons = 30
    assert estimates["b"].patience_s == QueuePolicy().patience_s
    assert estimates["c"].source == "default"


def test_patience_from_a_warehouse_file(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "create table int_queue_visits (queue varchar, outcome varchar, wait_s integer, "
        "enter_time_local timestamp)"
    )
    rows = [("a", "answered", 10, "2026-09-01 08:00")] * 60
    rows += [("a", "abandoned", 30, "2026-09-01 09:00")] * 40
    rows += [("a", "timeout", 100, "2026-09-01 09:00")] * 2
    rows += [("a", "unfinished", None, "2026-09-01 09:00")]
    rows += [("a", "abandoned", 1000, "2026-06-01 09:00")]  # older than the history window
    con.executemany("insert into int_queue_visits values (?, ?, ?, ?)", rows)
    con.close()
    history = patience_history(db, 56)
    estimate = estimate_patience(history, ["a"], StaffingConfig())["a"]
    # (60 x 10 + 40 x 30 + 2 x 100) s / 40 abandons = 50 s.
    assert estimate.patience_s == pytest.approx(2000 / 40)
    assert estimate.visits == 102
    with pytest.raises(StaffingError, match="no warehouse"):
        patience_history(tmp_path / "none.duckdb", 56)


def test_merge_forecasts_repairs_gaps_and_says_so():
    ds = pd.date_range("2026-09-01 08:00", periods=3, freq="30min")
    offered = pd.DataFrame({"unique_id": "q", "ds": ds, "y_hat": [10.0, -0.4, 30.0]})
    aht = pd.DataFrame({"unique_id": "q", "ds": ds[[0, 1]], "y_hat": [100.0, 200.0]})
    frame, warnings = merge_forecasts(offered, aht)
    frame = frame.sort_values("ds")
    assert list(frame["calls"]) == [10.0, 0.0, 30.0]
    # the missing AHT is the call-weighted mean of the known ones: 10 calls at 100 s,
    # 0 calls at 200 s -> 100 s.
    assert list(frame["aht_s"]) == [100.0, 200.0, 100.0]
    assert any("negative" in w for w in warnings)
    assert any("without an AHT forecast" in w for w in warnings)


# --- planning store ----------------------------------------------------------------------------


def test_store_round_trip_keeps_the_newest_run(tmp_path):
    planning = tmp_path / "planning.duckdb"
    cfg = config(model="erlang_c")
    first = requirements(forecast([100, 0]), cfg)
    second = requirements(forecast([200, 50]), cfg)
    run1 = save_requirements(planning, first, cfg.to_dict(), ["f1"])
    run2 = save_requirements(planning, second, cfg.to_dict(), ["f2", "f3"])
    assert run1 != run2
    latest = latest_requirements(planning)
    assert list(latest.columns) == ["run_id", *STORED_COLUMNS]
    assert set(latest["run_id"]) == {run2}
    assert list(latest["agents_required"]) == list(second["agents_required"])
    assert list(latest["ds"]) == list(second["ds"])
    con = duckdb.connect(str(planning), read_only=True)
    stored = con.execute(
        "select forecast_run_ids from staffing_runs order by created_at"
    ).fetchall()
    con.close()
    assert [r[0] for r in stored] == ["f1", "f2,f3"]


def test_latest_requirements_without_a_run(tmp_path):
    with pytest.raises(StaffingError, match="run 'callcenter staff' first"):
        latest_requirements(tmp_path / "none.duckdb")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(StaffingError, match="no staffing run yet"):
        latest_requirements(empty)


def test_forecasts_from_the_planning_store(tmp_path):
    store = pytest.importorskip("forecasting.store")
    from wfm.staffing import forecast_from_store

    planning = tmp_path / "planning.duckdb"
    con = duckdb.connect(str(planning))
    con.execute(
        "create table forecast_runs (run_id varchar, created_at timestamptz, metric varchar)"
    )
    con.execute(
        "create table forecasts (run_id varchar, unique_id varchar, metric varchar, "
        "ds timestamp, model varchar, y_hat double, y_lo double, y_hi double, level double)"
    )
    con.execute(
        "insert into forecast_runs values ('r1', '2026-09-01 00:00+00', 'offered'), "
        "('r2', '2026-09-01 00:00+00', 'aht_s')"
    )
    con.execute(
        "insert into forecasts values "
        "('r1', 'q', 'offered', '2026-09-02 08:00', 'naive', 100, 90, 110, 80), "
        "('r2', 'q', 'aht_s', '2026-09-02 08:00', 'naive', 180, 170, 190, 80)"
    )
    con.close()
    assert store.latest_forecasts(planning, "offered")["y_hat"].tolist() == [100]
    frame, run_ids, _ = forecast_from_store(planning)
    assert run_ids == ["r1", "r2"]
    row = requirements(frame, config(model="erlang_c")).iloc[0]
    assert row["agents_raw"] == 14
