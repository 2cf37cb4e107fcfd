"""Plotly figures of the risk register, for the dashboard (no Streamlit here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import plotly.graph_objects as go

from qa.risk.config import RiskConfig, default_config
from qa.risk.register import Risk, make_risk, matrix_grid

ZONE_COLOURS = ("#4caf50", "#ffeb3b", "#ff9800", "#e53935", "#8e24aa", "#424242")


def matrix_figure(
    register: Iterable[Risk | Mapping[str, Any]], config: RiskConfig | None = None
) -> go.Figure:
    """The probability x impact heatmap with each risk's id in its cell.

    Cell colour: the zone of the cell's score (probability x impact) by the configured
    thresholds (:func:`qa.risk.register.matrix_grid`); text: the ids of the risks placed
    there, ranked. ``register`` holds :class:`Risk` objects or their records (as
    ``Risk.to_dict`` or the register rows give them).
    """
    config = config or default_config()
    risks = [r if isinstance(r, Risk) else make_risk(_risk_fields(r)) for r in register]
    grid = matrix_grid(risks, config)
    names = grid["zone_names"]
    index = {name: i for i, name in enumerate(names)}
    z = [[index[zone] for zone in row] for row in grid["zones"]]
    text = [["<br>".join(ids) for ids in row] for row in grid["cells"]]
    hover = [
        [
            f"probability {p}, impact {i}, score {p * i} ({grid['zones'][p - 1][i - 1]})"
            + (
                f"<br>{', '.join(grid['cells'][p - 1][i - 1])}"
                if grid["cells"][p - 1][i - 1]
                else ""
            )
            for i in grid["impact"]
        ]
        for p in grid["probability"]
    ]
    steps = max(1, len(names) - 1)
    colourscale = []
    for i, _name in enumerate(names):
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        colourscale += [
            [max(0.0, (i - 0.5) / steps), colour],
            [min(1.0, (i + 0.5) / steps), colour],
        ]
    colourscale[0][0], colourscale[-1][0] = 0.0, 1.0
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=grid["impact"],
            y=grid["probability"],
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hoverinfo="text",
            colorscale=colourscale,
            zmin=0,
            zmax=max(1, len(names) - 1),
            showscale=True,
            colorbar={
                "tickvals": list(range(len(names))),
                "ticktext": names,
                "title": {"text": "zone"},
            },
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        title="Risk matrix: probability x impact",
        xaxis={"title": "impact (1-10)", "dtick": 1},
        yaxis={"title": "probability (1-10)", "dtick": 1},
    )
    return figure


def _risk_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    fields = set(Risk.__dataclass_fields__)
    return {key: value for key, value in record.items() if key in fields}
