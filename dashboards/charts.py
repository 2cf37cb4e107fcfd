"""Plotly figures and KPI tiles for the dashboard: pure functions of DataFrames.

No Streamlit and no database here, so every builder is unit-tested on small hand-made
frames. Inputs are the frames of :mod:`dashboards.queries`; KPI definitions are those of
the warehouse marts (cited where a builder sums rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

STATE_COLOURS = {
    "available": "#4caf50",
    "talking": "#1e88e5",
    "hold": "#5e35b1",
    "acw": "#00acc1",
    "ringing": "#fdd835",
    "dialing": "#fb8c00",
    "aux": "#e53935",
}
ACTIVITY_COLOURS = {"shift": "#1e88e5", "break": "#fdd835", "lunch": "#fb8c00"}


@dataclass(frozen=True)
class Tile:
    """One KPI for ``st.metric``: label, value text, delta text against target (or None),
    and ``delta_color`` ("normal" when higher is better, "inverse" when lower is)."""

    label: str
    value: str
    delta: str | None
    delta_color: str


def _number(value: object) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def kpi_tiles(total: Mapping[str, object], targets: Mapping[str, float]) -> list[Tile]:
    """The wallboard's tiles from one row of ``queries.kpis_by(..., by="total")``:
    offered, service level, ASA, abandon rate, AHT and occupancy, each with its delta
    against ``targets`` (keys service_level, asa_s, abandon_rate, max_occupancy; a
    missing key gives no delta). Missing values show as "–"."""

    def tile(label: str, key: str, fmt: str, target_key: str | None, better: str) -> Tile:
        value = _number(total.get(key))
        target = targets.get(target_key) if target_key else None
        text = "–" if value is None else fmt.format(value)
        delta = None
        if value is not None and target is not None:
            delta = fmt.format(value - target).replace("+-", "-") + " vs target"
            if not delta.startswith("-"):
                delta = "+" + delta
        return Tile(label, text, delta, "normal" if better == "higher" else "inverse")

    offered = _number(total.get("offered"))
    return [
        Tile("Offered", "–" if offered is None else f"{offered:,.0f}", None, "off"),
        tile("Service level", "service_level", "{:.1%}", "service_level", "higher"),
        tile("ASA", "asa_s", "{:.0f} s", "asa_s", "lower"),
        tile("Abandon rate", "abandon_rate", "{:.1%}", "abandon_rate", "lower"),
        tile("AHT", "aht_s", "{:.0f} s", None, "lower"),
        tile("Occupancy", "occupancy", "{:.1%}", "max_occupancy", "lower"),
    ]


def service_level_by_day(intervals: pd.DataFrame) -> pd.DataFrame:
    """A day's service level from ``mart_interval_kpis`` rows (any queues):
    sum(answered_within_target) / sum(answered + abandoned), the mart's own definition
    (warehouse/models/marts/queues/mart_interval_kpis.sql) summed over the day's
    intervals, never a mean of interval ratios. Columns day, answered_within_target,
    answered, abandoned, service_level (NaN when nothing was answered or abandoned)."""
    frame = intervals.assign(day=pd.to_datetime(intervals["interval_start_local"]).dt.date)
    daily = (
        frame.groupby("day", as_index=False)[["answered_within_target", "answered", "abandoned"]]
        .sum()
        .sort_values("day")
    )
    denominator = (daily["answered"] + daily["abandoned"]).astype("float64")
    daily["service_level"] = daily["answered_within_target"] / denominator.where(denominator > 0)
    return daily


def daily_service_level_figure(intervals: pd.DataFrame, target: float | None) -> go.Figure:
    """Service level per day (see :func:`service_level_by_day`) as bars, with the target
    as a dashed line."""
    daily = service_level_by_day(intervals)
    figure = go.Figure(
        go.Bar(x=[str(d) for d in daily["day"]], y=daily["service_level"], name="service level")
    )
    if target is not None:
        figure.add_hline(y=target, line_dash="dash", annotation_text=f"target {target:.0%}")
    figure.update_layout(
        title="Service level per day", yaxis={"tickformat": ".0%", "range": [0, 1]}
    )
    return figure


def interval_figure(by_interval: pd.DataFrame, target: float | None) -> go.Figure:
    """Calls per interval (answered and abandoned stacked) with the service level on a
    second axis, from ``queries.kpis_by(..., by="interval")``."""
    x = by_interval["interval_start_local"]
    figure = go.Figure()
    figure.add_bar(x=x, y=by_interval["answered"], name="answered", marker_color="#1e88e5")
    figure.add_bar(x=x, y=by_interval["abandoned"], name="abandoned", marker_color="#e53935")
    figure.add_scatter(
        x=x,
        y=by_interval["service_level"],
        name="service level",
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#212121"},
    )
    if target is not None:
        figure.add_scatter(
            x=[x.min(), x.max()] if len(x) else [],
            y=[target, target] if len(x) else [],
            name="target",
            yaxis="y2",
            mode="lines",
            line={"dash": "dash", "color": "#757575"},
        )
    figure.update_layout(
        barmode="stack",
        title="Calls and service level per interval",
        yaxis={"title": "calls"},
        yaxis2={
            "title": "service level",
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "range": [0, 1],
        },
        legend={"orientation": "h"},
    )
    return figure


def agent_state_figure(states: pd.DataFrame) -> go.Figure:
    """Agents per state (``queries.agents_by_state``) as horizontal bars."""
    figure = go.Figure(
        go.Bar(
            x=states["agents"],
            y=states["state"],
            orientation="h",
            marker_color=[STATE_COLOURS.get(s, "#9e9e9e") for s in states["state"]],
        )
    )
    figure.update_layout(title="Agents by state", xaxis={"title": "agents"})
    return figure


def agent_occupancy_figure(agents: pd.DataFrame) -> go.Figure:
    """Occupancy per agent (``queries.agent_period``), lowest first."""
    frame = agents.sort_values("occupancy")
    figure = go.Figure(go.Bar(x=frame["agent_id"], y=frame["occupancy"], name="occupancy"))
    figure.update_layout(title="Occupancy per agent", yaxis={"tickformat": ".0%"})
    return figure


AUX_COLUMNS = ("aux_break_h", "aux_lunch_h", "aux_training_h", "aux_other_h")


def aux_time_figure(agents: pd.DataFrame) -> go.Figure:
    """Aux hours per agent by reason (break, lunch, training/meeting/coaching, other),
    stacked, from ``queries.agent_period``."""
    figure = go.Figure()
    for column in AUX_COLUMNS:
        figure.add_bar(x=agents["agent_id"], y=agents[column], name=column.removeprefix("aux_"))
    figure.update_layout(barmode="stack", title="Aux time per agent", yaxis={"title": "hours"})
    return figure


def ivr_figure(paths: pd.DataFrame) -> go.Figure:
    """Containment and drop-off rate per menu path (``queries.ivr_paths``)."""
    figure = go.Figure()
    figure.add_bar(x=paths["menu_path"], y=paths["containment_rate"], name="containment")
    figure.add_bar(x=paths["menu_path"], y=paths["drop_off_rate"], name="drop-off")
    figure.update_layout(
        barmode="group",
        title="IVR containment and drop-off by menu path",
        xaxis={"title": "menu path", "type": "category"},
        yaxis={"tickformat": ".0%"},
    )
    return figure


def funnel_figure(funnel: pd.DataFrame) -> go.Figure:
    """The order funnel (``queries.order_funnel``: stage, count)."""
    figure = go.Figure(
        go.Funnel(y=funnel["stage"], x=funnel["count"], textinfo="value+percent initial")
    )
    figure.update_layout(title="Order funnel")
    return figure


def settlement_figure(by_party: pd.DataFrame) -> go.Figure:
    """Net due and net collected per settlement party (``queries.settlement_by_party``)."""
    figure = go.Figure()
    figure.add_bar(x=by_party["settlement_party"], y=by_party["net_due"], name="net due")
    figure.add_bar(x=by_party["settlement_party"], y=by_party["net_collected"], name="collected")
    figure.update_layout(barmode="group", title="Settlement by distributor")
    return figure


def ageing_figure(by_party: pd.DataFrame, buckets: tuple[str, ...]) -> go.Figure:
    """Open receivables per settlement party by ageing bucket, stacked."""
    figure = go.Figure()
    for bucket in buckets:
        figure.add_bar(
            x=by_party["settlement_party"],
            y=by_party[bucket],
            name=bucket.removeprefix("outstanding_"),
        )
    figure.update_layout(barmode="stack", title="Receivables ageing")
    return figure


def billing_figure(billing: pd.DataFrame) -> go.Figure:
    """Call cost per day and direction (``queries.call_billing``)."""
    daily = billing.groupby(["local_date", "direction"], as_index=False)["cost"].sum()
    figure = go.Figure()
    for direction, rows in daily.groupby("direction"):
        figure.add_bar(x=[str(d) for d in rows["local_date"]], y=rows["cost"], name=str(direction))
    figure.update_layout(barmode="stack", title="Call billing: cost per day")
    return figure


def forecast_figure(frame: pd.DataFrame) -> go.Figure:
    """Actual offered calls beside the forecast and its prediction interval
    (``queries.forecast_vs_actual``)."""
    figure = go.Figure()
    band = frame.dropna(subset=["y_hat"])
    figure.add_scatter(
        x=band["ds"],
        y=band["y_hi"],
        mode="lines",
        line={"width": 0},
        showlegend=False,
        hoverinfo="skip",
    )
    figure.add_scatter(
        x=band["ds"],
        y=band["y_lo"],
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor="rgba(30,136,229,0.2)",
        name="prediction interval",
    )
    figure.add_scatter(
        x=band["ds"], y=band["y_hat"], mode="lines", name="forecast", line={"color": "#1e88e5"}
    )
    actual = frame.dropna(subset=["actual"])
    figure.add_scatter(
        x=actual["ds"], y=actual["actual"], mode="lines", name="actual", line={"color": "#212121"}
    )
    figure.update_layout(title="Offered calls: forecast vs actual", yaxis={"title": "calls"})
    return figure


def coverage_figure(coverage: pd.DataFrame) -> go.Figure:
    """Required vs scheduled agents per interval (``queries.coverage``, one skill or
    summed over skills)."""
    frame = coverage.groupby("ds", as_index=False)[["required", "scheduled"]].sum()
    figure = go.Figure()
    figure.add_scatter(
        x=frame["ds"],
        y=frame["required"],
        name="required",
        line={"shape": "hv", "color": "#e53935"},
    )
    figure.add_scatter(
        x=frame["ds"],
        y=frame["scheduled"],
        name="scheduled",
        line={"shape": "hv", "color": "#1e88e5"},
    )
    figure.update_layout(title="Requirement vs scheduled coverage", yaxis={"title": "agents"})
    return figure


def roster_timeline(roster: pd.DataFrame) -> go.Figure:
    """The roster as a timeline: one row per agent, shifts with their breaks and lunches
    drawn on top (``queries.roster``)."""
    frame = roster.copy()
    frame["order"] = frame["activity"].map({"shift": 0}).fillna(1)
    frame = frame.sort_values(["agent_id", "order", "start_local"])
    figure = px.timeline(
        frame,
        x_start="start_local",
        x_end="end_local",
        y="agent_id",
        color="activity",
        color_discrete_map=ACTIVITY_COLOURS,
    )
    figure.update_yaxes(autorange="reversed", title="agent")
    figure.update_layout(title="Roster", barmode="overlay")
    return figure


def qa_tiles(evaluations: pd.DataFrame) -> list[Tile]:
    """Counted evaluations, mean score, pass rate and critical fails of
    ``queries.qa_evaluations`` rows, counted as ``qa.scorecards.counted`` defines it
    (overturned disputes and calibration sessions do not count)."""
    from qa.scorecards import counted

    frame = counted(evaluations) if len(evaluations) else evaluations
    n = len(frame)
    return [
        Tile("Evaluations", f"{n:,}", None, "off"),
        Tile("Mean score", f"{frame['score'].mean():.1f}" if n else "–", None, "off"),
        Tile("Pass rate", f"{frame['passed'].mean():.1%}" if n else "–", None, "off"),
        Tile("Critical fails", f"{int(frame['critical_failed'].sum()) if n else 0:,}", None, "off"),
    ]


def qa_score_figure(evaluations: pd.DataFrame) -> go.Figure:
    """The distribution of the counted evaluation scores (``qa.scorecards.counted``), passed
    and failed evaluations stacked."""
    from qa.scorecards import counted

    frame = counted(evaluations) if len(evaluations) else evaluations
    figure = go.Figure()
    for passed, name in ((True, "passed"), (False, "failed")):
        rows = frame[frame["passed"] == passed] if len(frame) else frame
        figure.add_histogram(x=rows["score"], name=name, xbins={"start": 0, "end": 100, "size": 5})
    figure.update_layout(barmode="stack", title="QA scores", xaxis={"title": "score (0-100)"})
    return figure


def adherence_tiles(teams: pd.DataFrame) -> list[Tile]:
    """Adherence (delta against its target), conformance, agents and exceptions of the
    ``all`` row of ``queries.adherence(...)["teams"]`` (the time-weighted total)."""
    rows = teams[teams["team"] == "all"]
    row = rows.iloc[0].to_dict() if len(rows) else {}
    value = _number(row.get("adherence"))
    target = _number(row.get("target"))
    conformance = _number(row.get("conformance"))
    delta = None
    if value is not None and target is not None:
        points = (value - target) * 100
        delta = f"{points:+.1f} pts vs {target:.0%} target"
    return [
        Tile("Adherence", "–" if value is None else f"{value:.1%}", delta, "normal"),
        Tile("Conformance", "–" if conformance is None else f"{conformance:.1%}", None, "off"),
        Tile("Agents scheduled", f"{int(row.get('agents') or 0):,}", None, "off"),
        Tile("Exceptions", f"{int(row.get('exceptions') or 0):,}", None, "off"),
    ]


def adherence_figure(teams: pd.DataFrame) -> go.Figure:
    """Adherence per team (and ``all``) as bars, green when at or above the target, red
    below, with the target as a dashed line (``queries.adherence(...)["teams"]``)."""
    frame = teams.dropna(subset=["adherence"])
    colours = ["#4caf50" if ok else "#e53935" for ok in frame["meets_target"]]
    figure = go.Figure()
    figure.add_bar(x=frame["team"].astype(str), y=frame["adherence"], marker_color=colours)
    if len(teams):
        figure.add_hline(
            y=float(teams["target"].iloc[0]),
            line_dash="dash",
            annotation_text=f"target {float(teams['target'].iloc[0]):.0%}",
        )
    figure.update_layout(
        title="Adherence per team", yaxis={"title": "adherence", "tickformat": ".0%"}
    )
    return figure
