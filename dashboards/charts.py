"""Plotly figures and KPI tiles for the dashboard: pure functions of DataFrames.

No Streamlit and no database here, so every builder is unit-tested on small hand-made
frames. Inputs are the frames of :mod:`dashboards.queries`; KPI definitions are those of
the warehouse marts (cited where a builder sums rows).

Every builder takes ``tr``, a :class:`dashboards.i18n.Translator` (default English), for
its labels: titles, axis titles, legend names and fixed vocabularies (agent states, roster
activities, funnel stages ...). Data values (queues, agents, menu paths) and number
formats are the same in every language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboards.i18n import ENGLISH, Translator

STATE_COLOURS = {
    "available": "#4caf50",
    "talking": "#1e88e5",
    "hold": "#5e35b1",
    "acw": "#00acc1",
    "ringing": "#fdd835",
    "dialing": "#fb8c00",
    "aux": "#e53935",
    "deferred": "#8d6e63",
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


def kpi_tiles(
    total: Mapping[str, object], targets: Mapping[str, float], tr: Translator = ENGLISH
) -> list[Tile]:
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
            difference = fmt.format(value - target).replace("+-", "-")
            if not difference.startswith("-"):
                difference = "+" + difference
            delta = tr("kpi.vs_target", delta=difference)
        return Tile(label, text, delta, "normal" if better == "higher" else "inverse")

    offered = _number(total.get("offered"))
    return [
        Tile(tr("kpi.offered"), "–" if offered is None else f"{offered:,.0f}", None, "off"),
        tile(tr("kpi.service_level"), "service_level", "{:.1%}", "service_level", "higher"),
        tile(tr("kpi.asa"), "asa_s", "{:.0f} s", "asa_s", "lower"),
        tile(tr("kpi.abandon_rate"), "abandon_rate", "{:.1%}", "abandon_rate", "lower"),
        tile(tr("kpi.aht"), "aht_s", "{:.0f} s", None, "lower"),
        tile(tr("kpi.occupancy"), "occupancy", "{:.1%}", "max_occupancy", "lower"),
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


def daily_service_level_figure(
    intervals: pd.DataFrame, target: float | None, tr: Translator = ENGLISH
) -> go.Figure:
    """Service level per day (see :func:`service_level_by_day`) as bars, with the target
    as a dashed line."""
    daily = service_level_by_day(intervals)
    figure = go.Figure(
        go.Bar(
            x=[str(d) for d in daily["day"]],
            y=daily["service_level"],
            name=tr("chart.trace.service_level"),
        )
    )
    if target is not None:
        figure.add_hline(
            y=target, line_dash="dash", annotation_text=tr("chart.target_line", target=target)
        )
    figure.update_layout(
        title=tr("chart.daily_sl.title"), yaxis={"tickformat": ".0%", "range": [0, 1]}
    )
    return figure


def interval_figure(
    by_interval: pd.DataFrame, target: float | None, tr: Translator = ENGLISH
) -> go.Figure:
    """Calls per interval (answered and abandoned stacked) with the service level on a
    second axis, from ``queries.kpis_by(..., by="interval")``."""
    x = by_interval["interval_start_local"]
    figure = go.Figure()
    figure.add_bar(
        x=x, y=by_interval["answered"], name=tr("chart.trace.answered"), marker_color="#1e88e5"
    )
    figure.add_bar(
        x=x, y=by_interval["abandoned"], name=tr("chart.trace.abandoned"), marker_color="#e53935"
    )
    figure.add_scatter(
        x=x,
        y=by_interval["service_level"],
        name=tr("chart.trace.service_level"),
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#212121"},
    )
    if target is not None:
        figure.add_scatter(
            x=[x.min(), x.max()] if len(x) else [],
            y=[target, target] if len(x) else [],
            name=tr("chart.trace.target"),
            yaxis="y2",
            mode="lines",
            line={"dash": "dash", "color": "#757575"},
        )
    figure.update_layout(
        barmode="stack",
        title=tr("chart.interval.title"),
        yaxis={"title": tr("chart.axis.calls")},
        yaxis2={
            "title": tr("chart.axis.service_level"),
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "range": [0, 1],
        },
        legend={"orientation": "h"},
    )
    return figure


def agent_state_figure(states: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Agents per state (``queries.agents_by_state``) as horizontal bars."""
    figure = go.Figure(
        go.Bar(
            x=states["agents"],
            y=[tr.term("state", s) for s in states["state"]],
            orientation="h",
            marker_color=[STATE_COLOURS.get(s, "#9e9e9e") for s in states["state"]],
        )
    )
    figure.update_layout(
        title=tr("chart.agent_state.title"), xaxis={"title": tr("chart.axis.agents")}
    )
    return figure


def agent_occupancy_figure(agents: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Occupancy per agent (``queries.agent_period``), lowest first."""
    frame = agents.sort_values("occupancy")
    figure = go.Figure(
        go.Bar(x=frame["agent_id"], y=frame["occupancy"], name=tr("chart.trace.occupancy"))
    )
    figure.update_layout(title=tr("chart.occupancy.title"), yaxis={"tickformat": ".0%"})
    return figure


AUX_COLUMNS = ("aux_break_h", "aux_lunch_h", "aux_training_h", "aux_other_h")


def aux_time_figure(agents: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Aux hours per agent by reason (break, lunch, training/meeting/coaching, other),
    stacked, from ``queries.agent_period``."""
    figure = go.Figure()
    for column in AUX_COLUMNS:
        figure.add_bar(x=agents["agent_id"], y=agents[column], name=tr.term("aux", column))
    figure.update_layout(
        barmode="stack", title=tr("chart.aux.title"), yaxis={"title": tr("chart.axis.hours")}
    )
    return figure


def ivr_figure(paths: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Containment and drop-off rate per menu path (``queries.ivr_paths``)."""
    figure = go.Figure()
    figure.add_bar(
        x=paths["menu_path"], y=paths["containment_rate"], name=tr("chart.trace.containment")
    )
    figure.add_bar(x=paths["menu_path"], y=paths["drop_off_rate"], name=tr("chart.trace.drop_off"))
    figure.update_layout(
        barmode="group",
        title=tr("chart.ivr.title"),
        xaxis={"title": tr("chart.axis.menu_path"), "type": "category"},
        yaxis={"tickformat": ".0%"},
    )
    return figure


def funnel_figure(funnel: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """The order funnel (``queries.order_funnel``: stage, count)."""
    figure = go.Figure(
        go.Funnel(
            y=[tr.term("stage", s) for s in funnel["stage"]],
            x=funnel["count"],
            textinfo="value+percent initial",
        )
    )
    figure.update_layout(title=tr("chart.funnel.title"))
    return figure


def settlement_figure(by_party: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Net due and net collected per settlement party (``queries.settlement_by_party``)."""
    parties = by_party["settlement_party"]
    figure = go.Figure()
    figure.add_bar(x=parties, y=by_party["net_due"], name=tr("chart.trace.net_due"))
    figure.add_bar(x=parties, y=by_party["net_collected"], name=tr("chart.trace.collected"))
    figure.update_layout(barmode="group", title=tr("chart.settlement.title"))
    return figure


def ageing_figure(
    by_party: pd.DataFrame, buckets: tuple[str, ...], tr: Translator = ENGLISH
) -> go.Figure:
    """Open receivables per settlement party by ageing bucket, stacked."""
    figure = go.Figure()
    for bucket in buckets:
        figure.add_bar(
            x=by_party["settlement_party"],
            y=by_party[bucket],
            name=tr.term("ageing", bucket),
        )
    figure.update_layout(barmode="stack", title=tr("chart.ageing.title"))
    return figure


def billing_figure(billing: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Call cost per day and direction (``queries.call_billing``)."""
    daily = billing.groupby(["local_date", "direction"], as_index=False)["cost"].sum()
    figure = go.Figure()
    for direction, rows in daily.groupby("direction"):
        figure.add_bar(
            x=[str(d) for d in rows["local_date"]],
            y=rows["cost"],
            name=tr.term("direction", direction),
        )
    figure.update_layout(barmode="stack", title=tr("chart.billing.title"))
    return figure


def forecast_figure(frame: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
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
        name=tr("chart.trace.prediction_interval"),
    )
    figure.add_scatter(
        x=band["ds"],
        y=band["y_hat"],
        mode="lines",
        name=tr("chart.trace.forecast"),
        line={"color": "#1e88e5"},
    )
    actual = frame.dropna(subset=["actual"])
    figure.add_scatter(
        x=actual["ds"],
        y=actual["actual"],
        mode="lines",
        name=tr("chart.trace.actual"),
        line={"color": "#212121"},
    )
    figure.update_layout(title=tr("chart.forecast.title"), yaxis={"title": tr("chart.axis.calls")})
    return figure


def coverage_figure(coverage: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Required vs scheduled agents per interval (``queries.coverage``, one skill or
    summed over skills)."""
    frame = coverage.groupby("ds", as_index=False)[["required", "scheduled"]].sum()
    figure = go.Figure()
    figure.add_scatter(
        x=frame["ds"],
        y=frame["required"],
        name=tr("chart.trace.required"),
        line={"shape": "hv", "color": "#e53935"},
    )
    figure.add_scatter(
        x=frame["ds"],
        y=frame["scheduled"],
        name=tr("chart.trace.scheduled"),
        line={"shape": "hv", "color": "#1e88e5"},
    )
    figure.update_layout(title=tr("chart.coverage.title"), yaxis={"title": tr("chart.axis.agents")})
    return figure


def roster_timeline(roster: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """The roster as a timeline: one row per agent, shifts with their breaks and lunches
    drawn on top (``queries.roster``)."""
    frame = roster.copy()
    frame["order"] = frame["activity"].map({"shift": 0}).fillna(1)
    frame = frame.sort_values(["agent_id", "order", "start_local"])
    frame["activity"] = [tr.term("activity", a) for a in frame["activity"]]
    figure = px.timeline(
        frame,
        x_start="start_local",
        x_end="end_local",
        y="agent_id",
        color="activity",
        color_discrete_map={tr.term("activity", a): c for a, c in ACTIVITY_COLOURS.items()},
    )
    figure.update_yaxes(autorange="reversed", title=tr("chart.axis.agent"))
    figure.update_layout(
        title=tr("chart.roster.title"),
        barmode="overlay",
        legend_title_text=tr("chart.legend.activity"),
    )
    return figure


def qa_tiles(evaluations: pd.DataFrame, tr: Translator = ENGLISH) -> list[Tile]:
    """Counted evaluations, mean score, pass rate and critical fails of
    ``queries.qa_evaluations`` rows, counted as ``qa.scorecards.counted`` defines it
    (overturned disputes and calibration sessions do not count)."""
    from qa.scorecards import counted

    frame = counted(evaluations) if len(evaluations) else evaluations
    n = len(frame)
    return [
        Tile(tr("kpi.evaluations"), f"{n:,}", None, "off"),
        Tile(tr("kpi.mean_score"), f"{frame['score'].mean():.1f}" if n else "–", None, "off"),
        Tile(tr("kpi.pass_rate"), f"{frame['passed'].mean():.1%}" if n else "–", None, "off"),
        Tile(
            tr("kpi.critical_fails"),
            f"{int(frame['critical_failed'].sum()) if n else 0:,}",
            None,
            "off",
        ),
    ]


def qa_score_figure(evaluations: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """The distribution of the counted evaluation scores (``qa.scorecards.counted``), passed
    and failed evaluations stacked."""
    from qa.scorecards import counted

    frame = counted(evaluations) if len(evaluations) else evaluations
    figure = go.Figure()
    for passed, name in ((True, tr("chart.trace.passed")), (False, tr("chart.trace.failed"))):
        rows = frame[frame["passed"] == passed] if len(frame) else frame
        figure.add_histogram(x=rows["score"], name=name, xbins={"start": 0, "end": 100, "size": 5})
    figure.update_layout(
        barmode="stack", title=tr("chart.qa.title"), xaxis={"title": tr("chart.axis.score")}
    )
    return figure


def adherence_tiles(teams: pd.DataFrame, tr: Translator = ENGLISH) -> list[Tile]:
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
        delta = tr("kpi.adherence_delta", points=points, target=target)
    conformance_text = "–" if conformance is None else f"{conformance:.1%}"
    return [
        Tile(tr("kpi.adherence"), "–" if value is None else f"{value:.1%}", delta, "normal"),
        Tile(tr("kpi.conformance"), conformance_text, None, "off"),
        Tile(tr("kpi.agents_scheduled"), f"{int(row.get('agents') or 0):,}", None, "off"),
        Tile(tr("kpi.exceptions"), f"{int(row.get('exceptions') or 0):,}", None, "off"),
    ]


def adherence_figure(teams: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
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
            annotation_text=tr("chart.target_line", target=float(teams["target"].iloc[0])),
        )
    figure.update_layout(
        title=tr("chart.adherence.title"),
        yaxis={"title": tr("chart.axis.adherence"), "tickformat": ".0%"},
    )
    return figure


def risk_matrix_figure(
    register: Iterable[Mapping[str, Any]], tr: Translator = ENGLISH
) -> go.Figure:
    """The risk register's probability x impact matrix (``qa.risk.charts.matrix_figure``)
    with its title and axis titles in ``tr``'s language (the zone names come from the risk
    configuration and the cells' hover text from ``qa.risk``: they stay as they are)."""
    from qa.risk.charts import matrix_figure

    figure = matrix_figure(list(register))
    figure.update_layout(
        title=tr("chart.risk.title"),
        xaxis={"title": tr("chart.axis.impact")},
        yaxis={"title": tr("chart.axis.probability")},
    )
    figure.update_traces(colorbar={"title": {"text": tr("chart.axis.zone")}})
    return figure


def qa_trend_figure(weekly: pd.DataFrame, agent: str, tr: Translator = ENGLISH) -> go.Figure:
    """One agent's QA score per week (``qa.scorecards.weekly_scorecards`` rows of the
    agent: week_start, evaluations, mean_score): the mean score as a line (0-100, left
    axis) over the week's evaluations as bars (right axis), weeks in order."""
    frame = weekly.sort_values("week_start")
    weeks = [str(w) for w in frame["week_start"]]
    figure = go.Figure()
    figure.add_bar(
        x=weeks,
        y=frame["evaluations"],
        name=tr("chart.trace.evaluations"),
        yaxis="y2",
        marker_color="#b0bec5",
    )
    figure.add_scatter(
        x=weeks,
        y=frame["mean_score"],
        name=tr("chart.trace.mean_score"),
        mode="lines+markers",
        line={"color": "#1e88e5"},
    )
    figure.update_layout(
        title=tr("chart.qa_trend.title", agent=agent),
        xaxis={"title": tr("chart.axis.week"), "type": "category"},
        yaxis={"title": tr("chart.axis.score"), "range": [0, 100]},
        yaxis2={
            "title": tr("chart.axis.evaluations"),
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
        },
        legend={"orientation": "h"},
    )
    return figure


def qa_section_figure(sections: pd.DataFrame, agent: str, tr: Translator = ENGLISH) -> go.Figure:
    """Mean section scores of one agent beside all agents' (``queries.qa_section_scores``),
    as horizontal bars; section titles in ``tr``'s language (``Translator.data_text``)."""
    titles = [
        tr.data_text("qa_section", sid, str(title))
        for sid, title in zip(sections["section_id"], sections["section_title"], strict=True)
    ]
    figure = go.Figure()
    figure.add_bar(
        y=titles,
        x=sections["agent_mean_score"],
        orientation="h",
        name=tr("chart.trace.agent", agent=agent),
        marker_color="#1e88e5",
    )
    figure.add_bar(
        y=titles,
        x=sections["all_mean_score"],
        orientation="h",
        name=tr("chart.trace.all_agents"),
        marker_color="#b0bec5",
    )
    figure.update_layout(
        barmode="group",
        title=tr("chart.qa_sections.title", agent=agent),
        xaxis={"title": tr("chart.axis.score"), "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )
    return figure


def calibration_figure(
    evaluators: pd.DataFrame, section_deviations: pd.DataFrame, tr: Translator = ENGLISH
) -> go.Figure:
    """Each evaluator's deviation from the session mean (``qa.service.CalibrationResults``):
    one bar per evaluator on the total score (``evaluators``: evaluator, deviation) and on
    each section (``section_deviations``: evaluator, section_id, section_title, deviation,
    sections in their order), grouped, with the zero line (the session mean)."""
    overall = tr("chart.calibration.overall")
    sections = section_deviations.drop_duplicates("section_id")
    titles = {
        sid: tr.data_text("qa_section", sid, str(title))
        for sid, title in zip(sections["section_id"], sections["section_title"], strict=True)
    }
    figure = go.Figure()
    for evaluator in sorted(set(evaluators["evaluator"]) | set(section_deviations["evaluator"])):
        own = evaluators[evaluators["evaluator"] == evaluator]
        by_section = section_deviations[section_deviations["evaluator"] == evaluator]
        figure.add_bar(
            x=[overall] + [titles[sid] for sid in by_section["section_id"]],
            y=[own["deviation"].iloc[0] if len(own) else None, *by_section["deviation"]],
            name=str(evaluator),
        )
    figure.add_hline(y=0, line_color="#212121", line_width=1)
    figure.update_layout(
        barmode="group",
        title=tr("chart.calibration.title"),
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [overall, *titles.values()],
        },
        yaxis={"title": tr("chart.axis.deviation")},
        legend={"title": {"text": tr("col.evaluator")}},
    )
    return figure


# ------------------------------------------------------------- deferred channels, CSAT


def _duration(seconds: float | None) -> str:
    """``3 h 05 min`` / ``12 min`` / ``–``."""
    if seconds is None or pd.isna(seconds):
        return "–"
    minutes = round(float(seconds) / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def backlog_tiles(days: pd.DataFrame, tr: Translator = ENGLISH) -> list[Tile]:
    """Arrived, handled, open at the end of the last day, the oldest item then, and the
    share of first responses within target (``queries.backlog_days`` rows: responded in
    target / responded, summed over channels and days)."""
    if days.empty:
        return [
            Tile(tr(key), "–", None, "off")
            for key in (
                "kpi.arrived",
                "kpi.handled",
                "kpi.open_backlog",
                "kpi.oldest_open",
                "kpi.within_target",
            )
        ]
    last = days[days["day"] == days["day"].max()]
    responded = days["responded"].sum()
    within = days["responded_in_target"].sum() / responded if responded else None
    return [
        Tile(tr("kpi.arrived"), f"{int(days['arrived'].sum()):,}", None, "off"),
        Tile(tr("kpi.handled"), f"{int(days['handled'].sum()):,}", None, "off"),
        Tile(tr("kpi.open_backlog"), f"{int(last['open_end'].sum()):,}", None, "off"),
        Tile(tr("kpi.oldest_open"), _duration(last["oldest_open_age_s"].max()), None, "off"),
        Tile(tr("kpi.within_target"), f"{within:.1%}" if within is not None else "–", None, "off"),
    ]


def backlog_figure(hours: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Open backlog at the end of each hour per channel (lines) and arrivals per hour
    (bars), from ``queries.backlog_hours`` rows summed over help-desk queues."""
    frame = hours.groupby(["channel", "hour_start"], as_index=False)[["open_end", "arrived"]].sum()
    figure = go.Figure()
    for channel, rows in frame.groupby("channel"):
        name = tr.term("channel", str(channel))
        figure.add_scatter(
            x=rows["hour_start"], y=rows["open_end"], mode="lines", name=name, legendgroup=name
        )
        figure.add_bar(
            x=rows["hour_start"],
            y=rows["arrived"],
            name=tr("chart.trace.arrived_of", channel=name),
            legendgroup=name,
            opacity=0.35,
        )
    figure.update_layout(
        title=tr("chart.backlog.title"),
        xaxis={"title": tr("chart.axis.hour")},
        yaxis={"title": tr("chart.axis.contacts")},
        barmode="stack",
    )
    return figure


def within_target_figure(
    days: pd.DataFrame, voice: pd.DataFrame, tr: Translator = ENGLISH
) -> go.Figure:
    """Share of first responses within target per channel and day, next to the voice
    service level per day (``queries.kpis_by(..., by="day")``) as a dashed line."""
    figure = go.Figure()
    for channel, rows in days.groupby("channel"):
        figure.add_scatter(
            x=[str(d) for d in rows["day"]],
            y=rows["within_target"],
            mode="lines+markers",
            name=tr.term("channel", str(channel)),
        )
    if not voice.empty:
        figure.add_scatter(
            x=[str(d) for d in voice["day"]],
            y=voice["service_level"],
            mode="lines",
            line={"dash": "dash", "color": "#424242"},
            name=tr("chart.trace.voice_sl"),
        )
    figure.update_layout(
        title=tr("chart.within_target.title"),
        yaxis={"tickformat": ".0%", "range": [0, 1.05]},
        xaxis={"type": "category"},
    )
    return figure


def csat_tiles(rows: pd.DataFrame, tr: Translator = ENGLISH) -> list[Tile]:
    """Offered, response rate, CSAT, DSAT and mean score over ``queries.csat_rows``,
    rebuilt from the mart's counts (CSAT = satisfied / answered; DSAT = dissatisfied /
    answered; response rate = answered / offered; mean score weighted by answers)."""
    offered = rows["offered"].sum() if len(rows) else 0
    answered = rows["answered"].sum() if len(rows) else 0

    def share(numerator: float, denominator: float) -> str:
        return f"{numerator / denominator:.1%}" if denominator else "–"

    scored = rows.dropna(subset=["mean_score"]) if len(rows) else rows
    mean = (
        (scored["mean_score"] * scored["answered"]).sum() / scored["answered"].sum()
        if len(scored) and scored["answered"].sum()
        else None
    )
    return [
        Tile(tr("kpi.surveys_offered"), f"{int(offered):,}", None, "off"),
        Tile(tr("kpi.response_rate"), share(answered, offered), None, "off"),
        Tile(
            tr("kpi.csat"),
            share(rows["satisfied"].sum() if len(rows) else 0, answered),
            None,
            "off",
        ),
        Tile(
            tr("kpi.dsat"),
            share(rows["dissatisfied"].sum() if len(rows) else 0, answered),
            None,
            "off",
        ),
        Tile(tr("kpi.mean_score"), f"{mean:.2f}" if mean is not None else "–", None, "off"),
    ]


def csat_by_wait_figure(answers: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """CSAT and DSAT per wait band (``qa.csat.wait_bands``) of answered surveys, with the
    number of answers per band in the hover."""
    from qa.csat import wait_bands

    frame = answers.assign(band=wait_bands(answers["wait_s"]))
    grouped = frame.groupby("band", observed=False).agg(
        answers=("score", "size"),
        csat=("satisfied", "mean"),
        dsat=("dissatisfied", "mean"),
    )
    bands = [str(b) for b in grouped.index]
    figure = go.Figure()
    for column, key, colour in (("csat", "kpi.csat", "#43a047"), ("dsat", "kpi.dsat", "#e53935")):
        figure.add_bar(
            x=bands,
            y=grouped[column],
            name=tr(key),
            marker_color=colour,
            customdata=grouped["answers"],
            hovertemplate="%{x}: %{y:.1%} (n=%{customdata})<extra></extra>",
        )
    figure.update_layout(
        title=tr("chart.csat_wait.title"),
        barmode="group",
        xaxis={"title": tr("chart.axis.wait_band"), "type": "category"},
        yaxis={"tickformat": ".0%"},
    )
    return figure


def driver_figure(model: Any, tr: Translator = ENGLISH) -> go.Figure:
    """The drivers' odds ratios of a better answer with their 95 % intervals (a forest
    plot on a log axis; 1 = no effect), from ``qa.csat.fit``."""
    names = [tr.term("driver", d.name) for d in model.drivers]
    ratios = [d.odds_ratio for d in model.drivers]
    low = [r - math.exp(d.low) for r, d in zip(ratios, model.drivers, strict=True)]
    high = [math.exp(d.high) - r for r, d in zip(ratios, model.drivers, strict=True)]
    figure = go.Figure(
        go.Scatter(
            x=ratios,
            y=names,
            mode="markers",
            marker={"size": 10},
            error_x={"type": "data", "symmetric": False, "array": high, "arrayminus": low},
            name=tr("chart.trace.odds_ratio"),
        )
    )
    figure.add_vline(x=1.0, line_dash="dash")
    figure.update_layout(
        title=tr("chart.drivers.title", answers=model.answers),
        xaxis={"title": tr("chart.axis.odds_ratio"), "type": "log"},
    )
    return figure


def agent_effect_figure(agents: pd.DataFrame, tr: Translator = ENGLISH) -> go.Figure:
    """Each agent's satisfaction effect (``qa.csat`` agents table: effect with its 90 %
    interval) against their QA mean score (column ``qa_mean_score``; agents without QA
    evaluations are left out): does satisfaction follow quality?"""
    frame = agents.dropna(subset=["qa_mean_score"])
    figure = go.Figure(
        go.Scatter(
            x=frame["qa_mean_score"],
            y=frame["effect"],
            mode="markers",
            text=frame["agent_id"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": frame["high"] - frame["effect"],
                "arrayminus": frame["effect"] - frame["low"],
                "thickness": 1,
            },
            hovertemplate="%{text}: QA %{x:.1f}, effect %{y:.2f}<extra></extra>",
            name=tr("chart.trace.agents"),
        )
    )
    figure.add_hline(y=0.0, line_dash="dot")
    figure.update_layout(
        title=tr("chart.agent_effect.title"),
        xaxis={"title": tr("chart.axis.qa_mean_score")},
        yaxis={"title": tr("chart.axis.csat_effect")},
    )
    return figure


def driver_table(model: Any, tr: Translator = ENGLISH) -> pd.DataFrame:
    """The drivers of ``qa.csat.fit`` as a table: driver, odds ratio, its 95 % interval."""
    return pd.DataFrame(
        {
            "driver": [tr.term("driver", d.name) for d in model.drivers],
            "odds_ratio": [round(d.odds_ratio, 3) for d in model.drivers],
            "odds_low": [round(math.exp(d.low), 3) for d in model.drivers],
            "odds_high": [round(math.exp(d.high), 3) for d in model.drivers],
        }
    )
