"""Every read the dashboard makes: plain functions returning pandas DataFrames.

Each function opens its DuckDB file through :func:`warehouse.connect.read_only` (one
short-lived, read-only connection, retried on a lock) or calls the owning package's reader
(forecasts, requirements, rosters, the risk register). No Streamlit here: the page layer
caches these calls (``dashboards.pages._common``).

KPI definitions live in the warehouse marts. When a page shows a KPI over more than one
row of a mart (a day, several queues), the ratio is rebuilt from the mart's own
numerators and denominators, exactly as the mart defines it (the SQL below cites the
definition), never as a mean of ratios.

TIMESTAMPTZ columns are never fetched into pandas: the local ``TIMESTAMP`` columns
(``interval_start_local``, ``*_local``) or dates are selected instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from warehouse.connect import read_only

PathLike = str | os.PathLike[str]

# Interval KPIs summed over any grouping, with the definitions of mart_interval_kpis
# (warehouse/models/marts/queues/mart_interval_kpis.sql):
#   service_level = answered_within_target / (answered + abandoned)
#   asa_s         = answered wait seconds / answered        (asa_s * answered per row)
#   aht_s         = handle seconds / handled_known          (aht_s * handled_known per row)
#   abandon_rate  = abandoned / offered
#   occupancy     = handling_agent_s / (handling_agent_s + available_agent_s)
_KPI_SUMS = """
    sum(offered) as offered,
    sum(answered) as answered,
    sum(abandoned) as abandoned,
    sum(answered_within_target) as answered_within_target,
    sum(answered_within_target) / nullif(sum(answered + abandoned), 0)::double
        as service_level,
    sum(asa_s * answered) / nullif(sum(answered), 0)::double as asa_s,
    sum(aht_s * handled_known) / nullif(sum(handled_known), 0)::double as aht_s,
    sum(abandoned) / nullif(sum(offered), 0)::double as abandon_rate,
    sum(handling_agent_s) / nullif(sum(handling_agent_s + available_agent_s), 0)::double
        as occupancy,
    sum(staffed_agent_s) / 3600.0 as staffed_agent_h,
    max(longest_wait_s) as longest_wait_s
"""


def _in_list(column: str, values: Sequence[str] | None) -> tuple[str, list[object]]:
    """``and column in (?, ...)`` with its parameters; nothing when ``values`` is None."""
    if values is None:
        return "", []
    if not values:
        return " and false", []
    return f" and {column} in ({', '.join('?' for _ in values)})", list(values)


def _query(path: PathLike, sql: str, parameters: Sequence[object] = ()) -> pd.DataFrame:
    with read_only(path) as con:
        return con.execute(sql, list(parameters)).df()


def _has_table(path: PathLike, name: str) -> bool:
    if not Path(path).is_file():
        return False
    with read_only(path) as con:
        rows = con.execute(
            "select 1 from information_schema.tables where table_name = ?", [name]
        ).fetchall()
    return bool(rows)


# ---------------------------------------------------------------- calendar and lists


def data_days(warehouse: PathLike) -> pd.DataFrame:
    """First and last local day with interval KPIs: one row ``first_day, last_day``
    (``datetime.date`` objects)."""
    frame = _query(
        warehouse,
        "select cast(min(interval_start_local) as date) as first_day, "
        "cast(max(interval_start_local) as date) as last_day from mart_interval_kpis",
    )
    return frame.astype(object).map(lambda v: v.date() if hasattr(v, "date") else v)


def queue_names(warehouse: PathLike) -> pd.DataFrame:
    """The queues of ``mart_interval_kpis``: column ``queue``, sorted."""
    return _query(warehouse, "select distinct queue from mart_interval_kpis order by queue")


def agent_ids(warehouse: PathLike) -> pd.DataFrame:
    """The agents of ``mart_agent_daily``: column ``agent_id``, sorted."""
    return _query(warehouse, "select distinct agent_id from mart_agent_daily order by agent_id")


def teams(warehouse: PathLike) -> pd.DataFrame:
    """The teams of the agent directory (``stg_agent_directory``: each agent's newest
    snapshot): column ``team``, sorted; no rows when the warehouse has no directory (built
    before the model existed, or no directory export delivered)."""
    if not _has_table(warehouse, "stg_agent_directory"):
        return pd.DataFrame({"team": pd.Series([], dtype=object)})
    return _query(warehouse, "select distinct team from stg_agent_directory order by team")


def agents_of_teams(warehouse: PathLike, teams: Sequence[str]) -> list[str]:
    """The agent ids the agent directory (``stg_agent_directory``) puts in ``teams``,
    sorted; none when the warehouse has no directory."""
    if not teams or not _has_table(warehouse, "stg_agent_directory"):
        return []
    where, parameters = _in_list("team", teams)
    frame = _query(
        warehouse,
        "select agent_id from stg_agent_directory where true" + where + " order by agent_id",
        parameters,
    )
    return frame["agent_id"].tolist()


# ---------------------------------------------------------------- queues


def interval_kpis(
    warehouse: PathLike, start: date, end: date, queues: Sequence[str] | None = None
) -> pd.DataFrame:
    """``mart_interval_kpis`` rows of the local days ``start..end`` (inclusive) and queues:
    queue, interval_start_local, offered, answered, abandoned, answered_within_target,
    service_level, asa_s, aht_s, abandon_rate, occupancy, longest_wait_s."""
    where, parameters = _in_list("queue", queues)
    return _query(
        warehouse,
        "select queue, interval_start_local, offered, answered, abandoned, "
        "answered_within_target, service_level, asa_s, aht_s, abandon_rate, occupancy, "
        "longest_wait_s from mart_interval_kpis "
        "where cast(interval_start_local as date) between ? and ?"
        + where
        + " order by interval_start_local, queue",
        [start, end, *parameters],
    )


def kpis_by(
    warehouse: PathLike,
    start: date,
    end: date,
    queues: Sequence[str] | None = None,
    by: str = "total",
) -> pd.DataFrame:
    """Interval KPIs over the days ``start..end`` and queues, summed by ``by``: ``total``
    (one row), ``day`` (column ``day``), ``interval`` (``interval_start_local``) or
    ``queue``. Columns: the grouping, offered, answered, abandoned,
    answered_within_target, service_level, asa_s, aht_s, abandon_rate, occupancy,
    staffed_agent_h, longest_wait_s (definitions of ``mart_interval_kpis``)."""
    groups = {
        "total": ("", ""),
        "day": ("cast(interval_start_local as date) as day,", "group by 1 order by 1"),
        "interval": ("interval_start_local,", "group by 1 order by 1"),
        "queue": ("queue,", "group by 1 order by 1"),
    }
    if by not in groups:
        raise ValueError(f"by must be one of {', '.join(groups)}, got {by!r}")
    select, tail = groups[by]
    where, parameters = _in_list("queue", queues)
    return _query(
        warehouse,
        f"select {select} {_KPI_SUMS} from mart_interval_kpis "
        "where cast(interval_start_local as date) between ? and ?" + where + " " + tail,
        [start, end, *parameters],
    )


def agents_by_state(warehouse: PathLike, at: datetime) -> pd.DataFrame:
    """How many agents were in each state at the local moment ``at`` (the wallboard's
    "now" on a historical day): columns state, agents. Agents logged out are not
    counted. From ``int_agent_state_spans`` (a span without an end counts as open)."""
    return _query(
        warehouse,
        """
        select state, count(distinct agent_id) as agents
        from int_agent_state_spans
        where day_local between cast(? as date) - 1 and cast(? as date)
          and start_time_local <= ?
          and (duration_s is null
               or start_time_local + to_microseconds(cast(duration_s * 1e6 as bigint)) > ?)
          and state <> 'logged_out'
        group by state order by agents desc, state
        """,
        [at, at, at, at],
    )


# ---------------------------------------------------------------- agents


def agent_period(
    warehouse: PathLike, start: date, end: date, agents: Sequence[str] | None = None
) -> pd.DataFrame:
    """``mart_agent_daily`` summed per agent over ``start..end``: agent_id, days,
    handled_calls, aht_s, login_h, talk_h, acw_h, aux_h, aux_break_h, aux_lunch_h,
    aux_training_h, aux_other_h, deferred_h, occupancy, blended_occupancy, utilisation,
    transfers, repeat_calls, ring_no_answer. Ratios as the mart defines them
    (mart_agent_daily.sql): aht_s = handle seconds / handled_known, occupancy (voice) =
    (talk + hold + acw) / (talk + hold + acw + available), blended_occupancy = (talk + hold
    + acw + deferred) / (talk + hold + acw + deferred + available), utilisation = (talk +
    hold + acw + deferred) / login (deferred work is productive)."""
    where, parameters = _in_list("agent_id", agents)
    return _query(
        warehouse,
        """
        select agent_id, count(*) as days,
            cast(sum(handled_calls) as bigint) as handled_calls,
            sum(aht_s * handled_known) / nullif(sum(handled_known), 0)::double as aht_s,
            sum(login_s) / 3600 as login_h,
            sum(talk_s) / 3600 as talk_h,
            sum(acw_s) / 3600 as acw_h,
            sum(aux_s) / 3600 as aux_h,
            sum(aux_break_s) / 3600 as aux_break_h,
            sum(aux_lunch_s) / 3600 as aux_lunch_h,
            sum(aux_training_s + aux_meeting_s + aux_coaching_s) / 3600 as aux_training_h,
            sum(aux_other_s) / 3600 as aux_other_h,
            sum(deferred_s) / 3600 as deferred_h,
            sum(talk_s + hold_s + acw_s)
                / nullif(sum(talk_s + hold_s + acw_s + available_s), 0)::double as occupancy,
            sum(talk_s + hold_s + acw_s + deferred_s)
                / nullif(sum(talk_s + hold_s + acw_s + deferred_s + available_s), 0)::double
                as blended_occupancy,
            sum(talk_s + hold_s + acw_s + deferred_s) / nullif(sum(login_s), 0)::double
                as utilisation,
            cast(sum(transfers) as bigint) as transfers,
            cast(sum(repeat_calls) as bigint) as repeat_calls,
            cast(sum(ring_no_answer) as bigint) as ring_no_answer
        from mart_agent_daily where day_local between ? and ?"""
        + where
        + " group by agent_id order by agent_id",
        [start, end, *parameters],
    )


# ---------------------------------------------------------------- IVR


def ivr_paths(
    warehouse: PathLike, start: date, end: date, hours: str | None = None
) -> pd.DataFrame:
    """``mart_ivr`` summed per menu path over ``start..end`` (``hours``: ``open``,
    ``closed`` or None for both): menu_path, calls, to_agent, self_served, dropped,
    voicemail, other_hangup, containment_rate (self_served / calls), ivr_exit_rate
    ((self_served + dropped + other_hangup) / calls), drop_off_rate (dropped / calls),
    as mart_ivr.sql defines them."""
    where, parameters = _in_list("hours", None if hours is None else [hours])
    return _query(
        warehouse,
        """
        select menu_path, sum(calls) as calls, sum(to_agent) as to_agent,
            sum(self_served) as self_served, sum(dropped) as dropped,
            sum(voicemail) as voicemail, sum(other_hangup) as other_hangup,
            sum(self_served) / nullif(sum(calls), 0)::double as containment_rate,
            sum(self_served + dropped + other_hangup) / nullif(sum(calls), 0)::double
                as ivr_exit_rate,
            sum(dropped) / nullif(sum(calls), 0)::double as drop_off_rate
        from mart_ivr where day_local between ? and ?"""
        + where
        + " group by menu_path order by calls desc, menu_path",
        [start, end, *parameters],
    )


# ---------------------------------------------------------------- orders and settlement

FUNNEL_STAGES = (
    "calls_answered",
    "orders_booked",
    "orders_paid",
    "orders_ticketed",
    "orders_delivered",
)


def order_funnel(
    warehouse: PathLike, start: date, end: date, channels: Sequence[str] | None = None
) -> pd.DataFrame:
    """``mart_order_funnel`` summed over ``start..end`` and channels: one row per stage
    (column ``stage`` in :data:`FUNNEL_STAGES` order, ``count``). Cancelled and refunded
    orders are not funnel steps and are left out."""
    where, parameters = _in_list("channel", channels)
    frame = _query(
        warehouse,
        "select "
        + ", ".join(f"cast(coalesce(sum({s}), 0) as bigint) as {s}" for s in FUNNEL_STAGES)
        + " from mart_order_funnel where local_date between ? and ?"
        + where,
        [start, end, *parameters],
    )
    row = frame.iloc[0]
    return pd.DataFrame(
        {"stage": list(FUNNEL_STAGES), "count": [int(row[s]) for s in FUNNEL_STAGES]}
    )


def order_channels(warehouse: PathLike) -> pd.DataFrame:
    """The channels of ``mart_order_funnel``: column ``channel``."""
    return _query(warehouse, "select distinct channel from mart_order_funnel order by channel")


AGEING_BUCKETS = (
    "outstanding_not_due",
    "outstanding_0_7_days",
    "outstanding_8_15_days",
    "outstanding_16_30_days",
    "outstanding_31_60_days",
    "outstanding_over_60_days",
)


def settlement_by_party(warehouse: PathLike, start: date, end: date) -> pd.DataFrame:
    """``mart_settlement`` summed per channel and settlement party over the booking days
    ``start..end``: channel, settlement_party, orders_booked, booked_amount,
    billable_amount, commission, net_due, net_collected, open_receivables and the
    ageing buckets (:data:`AGEING_BUCKETS`), amounts as floats."""
    amounts = (
        "booked_amount",
        "billable_amount",
        "commission",
        "net_due",
        "net_collected",
        "open_receivables",
        *AGEING_BUCKETS,
    )
    return _query(
        warehouse,
        "select channel, settlement_party, cast(sum(orders_booked) as bigint) as orders_booked, "
        + ", ".join(f"cast(sum({a}) as double) as {a}" for a in amounts)
        + " from mart_settlement where booked_date between ? and ? "
        "group by 1, 2 order by 1, 2",
        [start, end],
    )


def settlement_exceptions(warehouse: PathLike, start: date, end: date) -> pd.DataFrame:
    """``mart_settlement_exceptions`` of orders booked ``start..end``: order_id,
    exception_type, exception_amount, channel, settlement_party, payment_method,
    booked_date, order_total, paid_amount, due_date, days_past_due, status."""
    return _query(
        warehouse,
        "select order_id, exception_type, cast(exception_amount as double) as exception_amount, "
        "channel, settlement_party, payment_method, booked_date, "
        "cast(order_total as double) as order_total, cast(paid_amount as double) as paid_amount, "
        "due_date, days_past_due, status from mart_settlement_exceptions "
        "where booked_date between ? and ? order by booked_date, order_id",
        [start, end],
    )


def call_billing(warehouse: PathLike, start: date, end: date) -> pd.DataFrame:
    """``mart_call_billing_daily`` summed per day, direction and tariff destination:
    local_date, direction, tariff_destination, legs, answered_legs, unrated_legs,
    billed_min, cost (float)."""
    return _query(
        warehouse,
        "select local_date, direction, coalesce(tariff_destination, '(unrated)') "
        "as tariff_destination, cast(sum(legs) as bigint) as legs, "
        "cast(sum(answered_legs) as bigint) as answered_legs, "
        "cast(sum(unrated_legs) as bigint) as unrated_legs, "
        "cast(sum(billed_s) as double) / 60 as billed_min, cast(sum(cost) as double) as cost "
        "from mart_call_billing_daily where local_date between ? and ? "
        "group by 1, 2, 3 order by 1, 2, 3",
        [start, end],
    )


# ---------------------------------------------------------------- risk


def risk_register(ops_db: PathLike) -> pd.DataFrame:
    """The current risk register (``qa.risk.store.read_risks``) as records: risk_id,
    title, category, owner, probability, impact, score, strategy, review_date, signal;
    empty when the operational store has none."""
    from qa.risk.store import read_risks

    columns = [
        "risk_id",
        "title",
        "category",
        "owner",
        "probability",
        "impact",
        "score",
        "strategy",
        "review_date",
        "signal",
    ]
    records = [risk.to_dict() for risk in read_risks(ops_db)]
    frame = pd.DataFrame(records, columns=columns).astype(object)
    return frame.where(frame.notna(), None)


def incidents(ops_db: PathLike) -> pd.DataFrame:
    """Logged incidents (``qa.risk.store.read_incidents``): incident_id, kind, level,
    queue, menu_path, started_at, ended_at (UTC, as text), minutes_to_recover,
    description."""
    from qa.risk.store import read_incidents

    columns = [
        "incident_id",
        "kind",
        "level",
        "queue",
        "menu_path",
        "started_at",
        "ended_at",
        "minutes_to_recover",
        "description",
    ]
    rows = [
        (
            i.incident_id,
            i.kind,
            i.level,
            i.queue,
            i.menu_path,
            i.started_at.isoformat(sep=" ", timespec="minutes"),
            i.ended_at.isoformat(sep=" ", timespec="minutes") if i.ended_at else None,
            i.minutes_to_recover,
            i.description,
        )
        for i in read_incidents(ops_db)
    ]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------- planning (WFM)


def forecast_vs_actual(
    planning_db: PathLike, warehouse: PathLike, queue: str, history_days: int = 7
) -> pd.DataFrame:
    """The newest volume forecast of ``queue`` (``forecasting.store.latest_forecasts``)
    beside the offered calls of ``mart_interval_kpis`` over the forecast horizon and the
    ``history_days`` before it: ds (local interval start), actual, y_hat, y_lo, y_hi,
    model. ``actual`` is NaN where the warehouse has no data yet; the forecast columns
    are NaN before the horizon."""
    from forecasting.store import latest_forecasts

    forecast = latest_forecasts(planning_db, "offered")
    forecast = forecast[forecast["unique_id"] == queue].drop(columns=["unique_id", "run_id"])
    if forecast.empty:
        return pd.DataFrame(columns=["ds", "actual", "y_hat", "y_lo", "y_hi", "model"])
    first = forecast["ds"].min() - pd.Timedelta(days=history_days)
    last = forecast["ds"].max()
    actual = _query(
        warehouse,
        "select interval_start_local as ds, cast(offered as double) as actual "
        "from mart_interval_kpis where queue = ? and interval_start_local between ? and ?",
        [queue, first.to_pydatetime(), last.to_pydatetime()],
    )
    actual["ds"] = pd.to_datetime(actual["ds"]).astype("datetime64[ns]")
    merged = actual.merge(forecast, on="ds", how="outer").sort_values("ds")
    return merged[["ds", "actual", "y_hat", "y_lo", "y_hi", "model"]].reset_index(drop=True)


def forecast_queues(planning_db: PathLike) -> pd.DataFrame:
    """The series of the newest volume forecast: column ``queue``."""
    from forecasting.store import latest_forecasts

    forecast = latest_forecasts(planning_db, "offered")
    return pd.DataFrame({"queue": sorted(forecast["unique_id"].unique())})


def backtest_accuracy(planning_db: PathLike, metric: str = "offered") -> pd.DataFrame:
    """Backtest scores of the newest ``metric`` run (``forecast_backtests``), pooled per
    series and model over cutoffs and horizon days as ``forecasting.metrics`` defines
    them from the stored sums: unique_id, model, chosen, cutoffs, wape (sum |error| /
    sum y), bias (sum error / sum y), mase (mean of the stored MASE)."""
    if not _has_table(planning_db, "forecast_backtests"):
        return pd.DataFrame(
            columns=["unique_id", "model", "chosen", "cutoffs", "wape", "bias", "mase"]
        )
    return _query(
        planning_db,
        """
        with newest as (
            select run_id from forecast_runs where metric = ?
            order by created_at desc, run_id limit 1
        )
        select unique_id, model, bool_or(chosen) as chosen,
            count(distinct cutoff) as cutoffs,
            sum(abs_error_sum) / nullif(sum(y_sum), 0) as wape,
            sum(error_sum) / nullif(sum(y_sum), 0) as bias,
            avg(mase) as mase
        from forecast_backtests where run_id in (select run_id from newest)
        group by 1, 2 order by 1, wape nulls last
        """,
        [metric],
    )


def coverage(planning_db: PathLike) -> pd.DataFrame:
    """Requirement vs scheduled agents of the newest roster run (``roster_coverage``):
    skill, ds (local interval start), required, scheduled, gap (scheduled - required)."""
    if not _has_table(planning_db, "roster_coverage"):
        return pd.DataFrame(columns=["skill", "ds", "required", "scheduled", "gap"])
    return _query(
        planning_db,
        """
        with newest as (select run_id from roster_runs order by created_at desc limit 1)
        select skill, ds, required, scheduled, scheduled - required as gap
        from roster_coverage where run_id in (select run_id from newest)
        order by skill, ds
        """,
    )


def roster(planning_db: PathLike) -> pd.DataFrame:
    """The newest roster's activities (``wfm.roster.store.latest_roster``): agent_id,
    date, activity (shift, break, lunch), start_local, end_local."""
    from wfm.roster.store import latest_roster

    frame = latest_roster(Path(planning_db))
    return frame.drop(columns=["run_id"]).reset_index(drop=True)


def requirements(planning_db: PathLike) -> pd.DataFrame:
    """The newest staffing run's requirements (``wfm.staffing.latest_requirements``);
    empty when there is none."""
    from wfm.staffing import StaffingError, latest_requirements

    try:
        return latest_requirements(planning_db)
    except StaffingError:
        return pd.DataFrame()


# ---------------------------------------------------------------- targets


def service_targets() -> dict[str, float]:
    """The service targets the wallboard compares with: the default queue policy of the
    staffing configuration (``wfm.staffing.load_config(None).defaults``): service_level,
    target_s, asa_s, abandon_rate, max_occupancy."""
    from wfm.staffing import load_config

    policy = load_config(None).defaults
    return {
        "service_level": policy.service_level,
        "target_s": policy.target_s,
        "asa_s": policy.asa_s,
        "abandon_rate": policy.abandon_rate,
        "max_occupancy": policy.max_occupancy,
    }


# ---------------------------------------------------------------- QA


def qa_evaluations(
    warehouse: PathLike,
    start: date,
    end: date,
    queues: Sequence[str] | None = None,
    agents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``mart_qa_scores`` rows of the calls of the local days ``start..end`` (and queues,
    and agents): evaluation_id, agent_id, queue, evaluator, call_time_local, call_day_local,
    score, critical_failed, passed, dispute_status, calibration_session, the input
    ``qa.scorecards`` expects."""
    where, parameters = _in_list("queue", queues)
    agent_where, agent_parameters = _in_list("agent_id", agents)
    where, parameters = where + agent_where, parameters + agent_parameters
    if not _has_table(warehouse, "mart_qa_scores"):
        return pd.DataFrame(
            columns=[
                "evaluation_id",
                "agent_id",
                "queue",
                "evaluator",
                "call_time_local",
                "call_day_local",
                "score",
                "critical_failed",
                "passed",
                "dispute_status",
                "calibration_session",
            ]
        )
    return _query(
        warehouse,
        "select evaluation_id, agent_id, queue, evaluator, call_time_local, call_day_local, "
        "score, critical_failed, passed, dispute_status, calibration_session "
        "from mart_qa_scores where call_day_local between ? and ?"
        + where
        + " order by call_time_local, evaluation_id",
        [start, end, *parameters],
    )


QA_OPEN_CALL_COLUMNS = [
    "call_id",
    "agent_id",
    "queue",
    "call_time_local",
    "handle_s",
    "caller_number",
    "recording_file_name",
    "reasons",
    "plan_id",
    "evaluator",
]


def qa_open_evaluators(ops_db: PathLike) -> list[str]:
    """The evaluators with sampled calls waiting for them (``qa.store.open_assignments``),
    sorted."""
    from qa.store import open_assignments

    return sorted(set(open_assignments(ops_db)["evaluator"]))


def qa_open_calls(warehouse: PathLike, ops_db: PathLike, evaluator: str) -> pd.DataFrame:
    """``evaluator``'s work list: the sampled calls assigned to them and not yet evaluated
    by them (``qa.store.open_assignments``), oldest plan first, with what the warehouse
    knows of each call: handle time (``fct_calls.handle_s``), the caller's number (first
    queue visit, ``int_queue_visits``) and the recording's file name. Columns
    ``QA_OPEN_CALL_COLUMNS``; the number and file name are for :func:`dashboards.views.
    _common.table` to mask."""
    from qa.store import open_assignments

    assigned = open_assignments(ops_db, evaluator=evaluator)
    if assigned.empty:
        return pd.DataFrame(columns=QA_OPEN_CALL_COLUMNS)
    details = _query(
        warehouse,
        "with visits as (select call_id, arg_min(caller_number, enter_time) as caller_number "
        "from int_queue_visits where call_id in (select unnest(?::varchar[])) group by call_id) "
        "select c.call_id, c.handle_s, visits.caller_number, c.recording_file_name "
        "from fct_calls c left join visits using (call_id) "
        "where c.call_id in (select unnest(?::varchar[]))",
        [assigned["call_id"].tolist(), assigned["call_id"].tolist()],
    )
    frame = assigned.merge(details, on="call_id", how="left")
    return frame.loc[:, QA_OPEN_CALL_COLUMNS].reset_index(drop=True)


def qa_recent_evaluations(ops_db: PathLike, evaluator: str, limit: int = 10) -> pd.DataFrame:
    """The latest ``limit`` evaluations ``evaluator`` submitted (``qa.store.evaluations``,
    the operational store: shown at once, before the next warehouse build), newest first:
    evaluation_id, call_id, agent_id, queue, evaluated_at (UTC), qa_score (the stored
    score, 0-100), passed, critical_failed, calibration_session."""
    from qa.store import evaluations

    frame = evaluations(ops_db)
    frame = frame.loc[frame["evaluator"] == evaluator]
    frame = frame.sort_values(["evaluated_epoch_s", "evaluation_id"], ascending=False).head(limit)
    evaluated = pd.to_datetime(frame["evaluated_epoch_s"], unit="s").dt.floor("s")
    columns = [
        "evaluation_id",
        "call_id",
        "agent_id",
        "queue",
        "evaluated_at",
        "qa_score",
        "passed",
        "critical_failed",
        "calibration_session",
    ]
    shown = frame.assign(evaluated_at=evaluated, qa_score=frame["score"])
    return shown.loc[:, columns].reset_index(drop=True)


def qa_section_scores(
    warehouse: PathLike,
    start: date,
    end: date,
    queues: Sequence[str] | None,
    agent_id: str,
) -> pd.DataFrame:
    """Mean section scores (``mart_qa_section_scores``) of the evaluations that count for
    the scorecards (``counts_for_scorecard``: no overturned dispute, no calibration) of the
    calls of the local days ``start..end`` (and queues): per section, ``agent_id``'s mean
    and every agent's, over the evaluations where the section has a score (a section all
    NA drops out). Columns section_id, section_title, section_weight, evaluations
    (``agent_id``'s with a score), agent_mean_score, all_mean_score."""
    columns = [
        "section_id",
        "section_title",
        "section_weight",
        "evaluations",
        "agent_mean_score",
        "all_mean_score",
    ]
    if not _has_table(warehouse, "mart_qa_section_scores"):
        return pd.DataFrame(columns=columns)
    where, parameters = _in_list("queue", queues)
    return _query(
        warehouse,
        "select section_id, any_value(section_title) as section_title, "
        "max(section_weight) as section_weight, "
        "count(section_score) filter (where agent_id = ?) as evaluations, "
        "avg(section_score) filter (where agent_id = ?) as agent_mean_score, "
        "avg(section_score) as all_mean_score "
        "from mart_qa_section_scores "
        "where counts_for_scorecard and call_day_local between ? and ?"
        + where
        + " group by section_id order by section_weight desc, section_id",
        [agent_id, agent_id, start, end, *parameters],
    )


QA_DISPUTE_COLUMNS = [
    "evaluation_id",
    "agent_id",
    "call_id",
    "evaluator",
    "qa_score",
    "reason",
    "status",
    "raised_at",
    "open_days",
    "resolved_by",
    "resolution_note",
]


def qa_disputes(
    ops_db: PathLike,
    statuses: Sequence[str] | None = None,
    agents: Sequence[str] | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """The agents' acknowledgements and disputes (``qa.store.disputes``, the operational
    store) with their evaluation (``qa.store.evaluations``): open disputes first, oldest
    first (the queue to work through), then the rest newest first. Only ``statuses``
    (``qa.store.DISPUTE_STATUSES``) and ``agents`` when given. Columns
    ``QA_DISPUTE_COLUMNS``: qa_score is the evaluation's stored score (0-100), raised_at
    the response's UTC time, open_days the whole days an open dispute has waited until
    ``now`` (UTC; NULL once resolved or acknowledged)."""
    from qa.store import disputes, evaluations

    rows = disputes(ops_db)
    if rows.empty:
        return pd.DataFrame(columns=QA_DISPUTE_COLUMNS)
    if statuses is not None:
        rows = rows.loc[rows["status"].isin(list(statuses))]
    if agents is not None:
        rows = rows.loc[rows["agent_id"].isin(list(agents))]
    scored = evaluations(ops_db)[["evaluation_id", "call_id", "evaluator", "score"]]
    frame = rows.merge(scored, on="evaluation_id", how="left")
    raised = pd.to_datetime(frame["responded_epoch_s"], unit="s").dt.floor("s")
    now_s = (now or datetime.now(UTC)).timestamp()
    waited = ((now_s - frame["responded_epoch_s"]) // 86400).where(frame["status"] == "open")
    frame = frame.assign(
        qa_score=frame["score"],
        raised_at=raised,
        open_days=waited.astype("Int64"),
        open_first=(frame["status"] != "open").astype(int),
        # oldest first among the open ones, newest first among the rest
        order=frame["responded_epoch_s"].where(
            frame["status"] == "open", -frame["responded_epoch_s"]
        ),
    )
    frame = frame.sort_values(["open_first", "order", "evaluation_id"], kind="stable")
    return frame.loc[:, QA_DISPUTE_COLUMNS].reset_index(drop=True)


QA_COACHING_COLUMNS = [
    "coaching_id",
    "agent_id",
    "coach",
    "evaluation_id",
    "item_id",
    "session_date",
    "follow_up_date",
    "status",
    "overdue",
    "notes",
]


def qa_coaching(ops_db: PathLike, today: date, agents: Sequence[str] | None = None) -> pd.DataFrame:
    """The coaching sessions (``qa.store.coaching``), of ``agents`` when given: overdue
    first, then planned ones by follow-up (else session) date, then those done, newest
    first. ``overdue``: still planned (``callcenter qa coach done`` not run) and the
    follow-up date is before ``today``; a session without a follow-up date is never
    overdue. Columns ``QA_COACHING_COLUMNS``."""
    from qa.store import coaching

    rows = coaching(ops_db)
    if rows.empty:
        return pd.DataFrame(columns=QA_COACHING_COLUMNS)
    if agents is not None:
        rows = rows.loc[rows["agent_id"].isin(list(agents))]
    session = pd.to_datetime(rows["session_date"]).dt.date
    follow_up = pd.to_datetime(rows["follow_up_date"]).dt.date
    planned = rows["status"] != "done"
    overdue = planned & follow_up.notna() & (follow_up < today)
    due = pd.to_datetime(follow_up.where(follow_up.notna(), session)).map(pd.Timestamp.toordinal)
    frame = rows.assign(
        session_date=session,
        follow_up_date=follow_up.astype(object).where(follow_up.notna(), None),
        overdue=overdue.astype(bool),
        rank=(~overdue).astype(int) + (~planned).astype(int),
        # the earliest due first among the planned ones, the latest first among those done
        order=due.where(planned, -due),
    )
    frame = frame.sort_values(["rank", "order", "coaching_id"], kind="stable")
    return frame.loc[:, QA_COACHING_COLUMNS].reset_index(drop=True)


QA_COACHABLE_COLUMNS = [
    "evaluation_id",
    "agent_id",
    "call_id",
    "evaluator",
    "evaluated_at",
    "qa_score",
    "passed",
    "critical_failed",
]


def qa_coachable_evaluations(ops_db: PathLike) -> pd.DataFrame:
    """The evaluations a coaching session can be on: those that count for the scorecards
    (``qa.scorecards.counted``: not overturned, not from a calibration session), by agent,
    newest first. Columns ``QA_COACHABLE_COLUMNS`` (evaluated_at in UTC)."""
    from qa.scorecards import counted
    from qa.store import evaluations

    frame = evaluations(ops_db)
    if frame.empty:
        return pd.DataFrame(columns=QA_COACHABLE_COLUMNS)
    frame = counted(frame)
    evaluated = pd.to_datetime(frame["evaluated_epoch_s"], unit="s").dt.floor("s")
    frame = frame.assign(evaluated_at=evaluated, qa_score=frame["score"])
    frame = frame.sort_values(
        ["agent_id", "evaluated_at", "evaluation_id"], ascending=[True, False, True]
    )
    return frame.loc[:, QA_COACHABLE_COLUMNS].reset_index(drop=True)


def qa_evaluation_findings(ops_db: PathLike, evaluation_id: str) -> pd.DataFrame:
    """The items of an evaluation (``qa.store.answers``), weakest first: a "no" or a low
    rating (item value 0) before better ones, NA last. Columns item_id, section_id,
    answer, item_value, critical."""
    from qa.store import answers

    columns = ["item_id", "section_id", "answer", "item_value", "critical"]
    frame = answers(ops_db, evaluation_id)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.sort_values(["item_value", "item_id"], na_position="last", kind="stable")
    return frame.loc[:, columns].reset_index(drop=True)


# ---------------------------------------------------------------- adherence


def adherence_days(warehouse: PathLike, planning_db: PathLike) -> dict[str, list[date]]:
    """Which days adherence can be scored on: ``roster`` (days of the planning store's
    roster, ``wfm.adherence.read_roster_store``), ``states`` (first and last local day with
    agent states, ``wfm.adherence.state_days``; empty when none) and ``days`` (roster days
    within the states' days). Empty lists when the roster or the states are missing."""
    from wfm.adherence import ScheduleError, read_roster_store, state_days, warehouse_timezone

    roster_days: list[date] = []
    if Path(planning_db).is_file():
        try:
            roster_days = read_roster_store(planning_db, warehouse_timezone(warehouse)).days
        except ScheduleError:
            roster_days = []
    covered = state_days(warehouse) if _has_table(warehouse, "int_agent_state_spans") else None
    states = list(covered) if covered else []
    days = [d for d in roster_days if states and states[0] <= d <= states[1]]
    return {"roster": roster_days, "states": states, "days": days}


def adherence(
    warehouse: PathLike, planning_db: PathLike, day: date, target: float | None = None
) -> dict[str, pd.DataFrame]:
    """Schedule adherence on ``day`` of the planning store's roster against the warehouse's
    agent-state export, as ``wfm adherence`` computes it (``wfm.adherence``: default rules,
    5-minute exception threshold, shift +- 4 h window). Frames:

    - ``teams``: team (``all`` last), day, agents, scheduled_h, adherence, conformance,
      exceptions, target, meets_target (time-weighted, ``team_adherence``);
    - ``agents``: agent_id, team, shift_start_local, shift_end_local, scheduled_h,
      out_of_adherence_min, adherence, conformance, exceptions, note (worst first);
    - ``exceptions``: agent_id, start_local, end_local, duration_min, scheduled_activity,
      actual_state.

    Local times are the warehouse's time zone, as naive timestamps.
    """
    from zoneinfo import ZoneInfo

    from wfm.adherence import (
        DEFAULT_TARGET,
        compute_adherence,
        read_roster_store,
        states_around,
        team_adherence,
        warehouse_timezone,
    )

    tz = warehouse_timezone(warehouse)
    zone = ZoneInfo(tz)

    def local(seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, zone).replace(tzinfo=None)

    roster = read_roster_store(planning_db, tz).on_days([day])
    result = compute_adherence(roster.activities, states_around(warehouse, roster.activities))
    teams = team_adherence(result.days, roster.teams, target or DEFAULT_TARGET)
    team_frame = pd.DataFrame(
        [
            {
                "team": t.team,
                "day": t.day,
                "agents": t.agents,
                "scheduled_h": t.scheduled_s / 3600,
                "adherence": t.adherence,
                "conformance": t.conformance,
                "exceptions": t.exceptions,
                "target": t.target,
                "meets_target": t.meets_target,
            }
            for t in teams
        ],
        columns=[
            "team",
            "day",
            "agents",
            "scheduled_h",
            "adherence",
            "conformance",
            "exceptions",
            "target",
            "meets_target",
        ],
    )
    agent_frame = pd.DataFrame(
        [
            {
                "agent_id": r.agent_id,
                "team": roster.teams.get(r.agent_id, ""),
                "shift_start_local": local(r.shift_start_s),
                "shift_end_local": local(r.shift_end_s),
                "scheduled_h": r.scheduled_s / 3600,
                "out_of_adherence_min": r.out_of_adherence_s / 60,
                "adherence": r.adherence,
                "conformance": r.conformance,
                "exceptions": r.exceptions,
                "note": r.note,
            }
            for r in result.days
        ],
        columns=[
            "agent_id",
            "team",
            "shift_start_local",
            "shift_end_local",
            "scheduled_h",
            "out_of_adherence_min",
            "adherence",
            "conformance",
            "exceptions",
            "note",
        ],
    )
    agent_frame = agent_frame.sort_values(
        ["adherence", "agent_id"], na_position="last"
    ).reset_index(drop=True)
    exception_frame = pd.DataFrame(
        [
            {
                "agent_id": e.agent_id,
                "start_local": local(e.start_s),
                "end_local": local(e.end_s),
                "duration_min": e.duration_s / 60,
                "scheduled_activity": e.scheduled_activity,
                "actual_state": e.actual_state,
            }
            for e in result.exceptions
        ],
        columns=[
            "agent_id",
            "start_local",
            "end_local",
            "duration_min",
            "scheduled_activity",
            "actual_state",
        ],
    )
    return {"teams": team_frame, "agents": agent_frame, "exceptions": exception_frame}


# ------------------------------------------------------------- deferred channels, CSAT


def backlog_hours(
    warehouse: PathLike, start: date, end: date, channels: Sequence[str] | None = None
) -> pd.DataFrame:
    """``mart_backlog`` rows (channel x help-desk queue x local hour) of the local days
    ``start`` .. ``end``; definitions in warehouse/models/marts/deferred/mart_backlog.sql."""
    where, parameters = _in_list("channel", channels)
    with read_only(warehouse) as con:
        return con.execute(
            f"""
            select channel, queue, hour_start, open_start, arrived, handled, resolved,
                   open_end, oldest_open_age_s, responded, responded_in_target, handle_s
            from mart_backlog
            where hour_start::date between ? and ?{where}
            order by channel, queue, hour_start
            """,
            [start, end, *parameters],
        ).df()


def channel_names(warehouse: PathLike) -> list[str]:
    """The deferred channels present in ``mart_backlog``."""
    with read_only(warehouse) as con:
        rows = con.execute("select distinct channel from mart_backlog order by 1").fetchall()
    return [c for (c,) in rows]


BACKLOG_DAY_COLUMNS = (
    *("channel", "day", "arrived", "handled", "responded", "responded_in_target"),
    *("within_target", "open_end", "oldest_open_age_s"),
)


def backlog_days(backlog: pd.DataFrame) -> pd.DataFrame:
    """Per channel and local day, from ``backlog_hours`` rows: arrived, handled, responded,
    responded_in_target, within_target (= responded_in_target / responded, the share of
    first responses inside their response target, as mart_backlog defines it), the open
    backlog at the day's end and the oldest open item then (seconds)."""
    if backlog.empty:
        return pd.DataFrame(columns=list(BACKLOG_DAY_COLUMNS))
    frame = backlog.assign(day=pd.to_datetime(backlog["hour_start"]).dt.date)
    sums = frame.groupby(["channel", "day"], as_index=False)[
        ["arrived", "handled", "responded", "responded_in_target"]
    ].sum()
    last_hour = frame.groupby(["channel", "queue", "day"])["hour_start"].transform("max")
    ends = (
        frame[frame["hour_start"] == last_hour]
        .groupby(["channel", "day"], as_index=False)
        .agg(open_end=("open_end", "sum"), oldest_open_age_s=("oldest_open_age_s", "max"))
    )
    days = sums.merge(ends, on=["channel", "day"], how="left")
    days["within_target"] = days["responded_in_target"] / days["responded"].where(
        days["responded"] > 0
    )
    return days[list(BACKLOG_DAY_COLUMNS)]


def csat_rows(
    warehouse: PathLike,
    start: date,
    end: date,
    queues: Sequence[str] | None = None,
    agents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``mart_csat`` rows (agent x queue x local day) of ``start`` .. ``end`` (and queues,
    and agents: rows without an agent drop out when ``agents`` is given); definitions in
    warehouse/models/marts/deferred/mart_csat.sql (CSAT = satisfied / answered)."""
    where, parameters = _in_list("queue", queues)
    agent_where, agent_parameters = _in_list("agent_id", agents)
    where, parameters = where + agent_where, parameters + agent_parameters
    with read_only(warehouse) as con:
        return con.execute(
            f"""
            select agent_id, queue, day_local, offered, answered, satisfied, dissatisfied,
                   scale, mean_score, mean_wait_s, transfer_share, repeat_share,
                   qa_evaluations, qa_mean_score
            from mart_csat
            where day_local between ? and ?{where}
            order by day_local, queue, agent_id
            """,
            [start, end, *parameters],
        ).df()


def survey_answers(
    warehouse: PathLike,
    start: date,
    end: date,
    queues: Sequence[str] | None = None,
    agents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Answered surveys of known calls (``fct_surveys``) with their drivers, for the driver
    analysis (``qa.csat``): agent_id, queue, day_local, scale, score, satisfied,
    dissatisfied, wait_s, transfers, repeat_call; of ``queues`` and ``agents`` when given."""
    where, parameters = _in_list("queue", queues)
    agent_where, agent_parameters = _in_list("agent_id", agents)
    where, parameters = where + agent_where, parameters + agent_parameters
    with read_only(warehouse) as con:
        return con.execute(
            f"""
            select agent_id, queue, day_local, scale, score, satisfied, dissatisfied,
                   wait_s, transfers, repeat_call
            from fct_surveys
            where answered and known_call and agent_id is not null
              and day_local between ? and ?{where}
            order by day_local, call_id
            """,
            [start, end, *parameters],
        ).df()


def agent_qa_means(warehouse: PathLike, start: date, end: date) -> pd.DataFrame:
    """Per agent: QA evaluations and their mean score over the period's ``mart_csat`` rows
    (each row carries the agent's QA figures of that ISO week), weighted by evaluations."""
    with read_only(warehouse) as con:
        return con.execute(
            """
            with weeks as (
                select distinct agent_id, date_trunc('week', day_local) as week,
                       qa_evaluations, qa_mean_score
                from mart_csat
                where day_local between ? and ? and agent_id is not null
            )
            select agent_id, sum(qa_evaluations) as qa_evaluations,
                   sum(qa_mean_score * qa_evaluations) / nullif(sum(qa_evaluations), 0)
                       as qa_mean_score
            from weeks group by agent_id order by agent_id
            """,
            [start, end],
        ).df()


def csat_by(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """``csat_rows`` summed by ``by`` (``queue``, ``agent_id`` or ``day_local``): offered,
    answered, response_rate, csat and dsat rebuilt from the counts (mart_csat's
    definitions), never averaged over rows."""
    sums = rows.groupby(by, as_index=False, dropna=False)[
        ["offered", "answered", "satisfied", "dissatisfied"]
    ].sum()
    answered = sums["answered"].where(sums["answered"] > 0)
    sums["response_rate"] = sums["answered"] / sums["offered"].where(sums["offered"] > 0)
    sums["csat"] = sums["satisfied"] / answered
    sums["dsat"] = sums["dissatisfied"] / answered
    return sums[[by, "offered", "answered", "response_rate", "csat", "dsat"]]
