"""The risk register's pure core: checks, scores, zones, ranking, matrix, scales, config."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.risk.charts import matrix_figure
from qa.risk.config import ConfigError, default_config, load_config
from qa.risk.register import (
    RiskError,
    check_scale_value,
    format_matrix,
    make_risk,
    matrix_grid,
    per_three_years,
    probability_for_frequency,
    ranked,
    read_register_file,
    register_rows,
    rescore,
    zone_of,
)

CONFIG = default_config()
AIRLINE = Path(__file__).resolve().parents[2] / "qa" / "risk" / "airline_register.toml"


def risk(risk_id: str, probability: int, impact: int, **extra: object) -> object:
    return make_risk(
        {
            "risk_id": risk_id,
            "title": f"risk {risk_id}",
            "category": "technology",
            "owner": "IT",
            "probability": probability,
            "impact": impact,
            "strategy": "reduce",
        }
        | extra
    )


@pytest.mark.parametrize("value", [11, 0, 2.5, -1, "x", None, True, "7.5"])
def test_a_score_outside_1_to_10_or_not_whole_is_refused_with_the_range(value: object) -> None:
    with pytest.raises(RiskError, match="whole number from 1 to 10") as error:
        check_scale_value(value, "probability", "R1")
    assert "risk R1: probability" in str(error.value)


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (10, 10), (7.0, 7), ("3", 3)])
def test_whole_numbers_1_to_10_are_accepted(value: object, expected: int) -> None:
    assert check_scale_value(value, "impact") == expected


def test_score_is_probability_times_impact_and_rescore_checks_the_new_values() -> None:
    r = risk("R1", 4, 9)
    assert r.score == 36
    assert rescore(r, probability=5).score == 45
    assert rescore(r, impact="2").score == 8
    with pytest.raises(RiskError, match="1 to 10"):
        rescore(r, impact=11)


def test_make_risk_refuses_bad_fields() -> None:
    with pytest.raises(RiskError, match="strategy must be one of avoid, reduce, transfer"):
        risk("R1", 1, 1, strategy="ignore")
    with pytest.raises(RiskError, match="review_date must be YYYY-MM-DD"):
        risk("R1", 1, 1, review_date="next week")
    with pytest.raises(RiskError, match="unknown field colour"):
        risk("R1", 1, 1, colour="red")
    with pytest.raises(RiskError, match="signal must be one of"):
        risk("R1", 1, 1, signal="weather")
    with pytest.raises(RiskError, match="owner is missing"):
        risk("R1", 1, 1, owner="")
    parsed = risk("R1", 1, 1, warning_signs="a; b;", review_date="2027-01-31")
    assert parsed.warning_signs == ("a", "b")
    assert parsed.review_date == date(2027, 1, 31)


def test_zones_follow_the_default_thresholds() -> None:
    # low 1-15, medium 16-35, high 36-63, critical 64-100 (default_config.toml)
    expected = {1: "low", 15: "low", 16: "medium", 35: "medium", 36: "high", 63: "high"}
    expected |= {64: "critical", 100: "critical"}
    for score, zone in expected.items():
        assert zone_of(score, CONFIG) == zone


def test_ranking_by_score_then_impact_then_probability_then_id() -> None:
    risks = [risk("C", 6, 4), risk("A", 4, 6), risk("B", 4, 6), risk("D", 9, 9), risk("E", 1, 2)]
    # C and A/B all score 24; A and B have the higher impact; A before B by id.
    assert [r.risk_id for r in ranked(risks)] == ["D", "A", "B", "C", "E"]
    rows = register_rows(risks, CONFIG)
    assert [(r["risk_id"], r["rank"], r["zone"], r["watch"]) for r in rows] == [
        ("D", 1, "critical", False),
        ("A", 2, "medium", False),
        ("B", 3, "medium", False),
        ("C", 4, "medium", False),
        ("E", 5, "low", True),
    ]


def test_matrix_places_each_risk_in_its_cell_with_the_cells_zone() -> None:
    grid = matrix_grid([risk("R1", 3, 9), risk("R2", 3, 9), risk("R3", 10, 1)], CONFIG)
    assert len(grid["cells"]) == 10 and all(len(row) == 10 for row in grid["cells"])
    assert grid["cells"][2][8] == ["R1", "R2"]
    assert grid["cells"][9][0] == ["R3"]
    assert sum(len(ids) for row in grid["cells"] for ids in row) == 3
    assert grid["zones"][2][8] == "medium"  # 27
    assert grid["zones"][9][9] == "critical"  # 100
    assert grid["zones"][0][0] == "low"
    assert grid["zones"][5][5] == "high"  # 36
    text = format_matrix(grid)
    assert "R1,R2 M" in text and text.splitlines()[2].startswith(" 10 |")


def test_matrix_figure_is_a_heatmap_with_the_ids_as_text() -> None:
    figure = matrix_figure([risk("R1", 3, 9), risk("R3", 10, 1).to_dict()])
    heatmap = figure.data[0]
    assert heatmap.type == "heatmap"
    assert heatmap.text[2][8] == "R1" and heatmap.text[9][0] == "R3"
    assert heatmap.z[9][9] == 3 and heatmap.z[0][0] == 0  # critical, low


@pytest.mark.parametrize(
    ("per_3y", "score"),
    [
        (0.0, 1),
        (0.05, 1),
        (0.1, 2),
        (0.3, 4),
        (0.74, 5),
        (1.0, 7),
        (2.0, 9),
        (2.99, 9),
        (3.0, 10),
        (100.0, 10),
    ],
)
def test_frequency_per_three_years_maps_on_the_probability_scale(per_3y: float, score: int) -> None:
    assert probability_for_frequency(per_3y, CONFIG.probability_scale) == score


@given(st.floats(0, 1000), st.floats(0, 1000))
def test_a_higher_frequency_never_gets_a_lower_probability(a: float, b: float) -> None:
    low, high = sorted((a, b))
    scale = CONFIG.probability_scale
    assert probability_for_frequency(low, scale) <= probability_for_frequency(high, scale)


def test_per_three_years_projects_a_count_over_the_history() -> None:
    assert per_three_years(1, 365) == pytest.approx(3.0)
    assert per_three_years(0, 70) == 0
    with pytest.raises(ValueError, match="history_days"):
        per_three_years(1, 0)


def test_the_scales_are_written_in_full() -> None:
    for scale in (CONFIG.probability_scale, CONFIG.impact_scale):
        assert [step.score for step in scale] == list(range(1, 11))
        assert all(step.label and step.description for step in scale)
    assert "Not seen in three years" in CONFIG.probability_scale[0].label
    assert "every year" in CONFIG.probability_scale[9].description.lower()


def test_a_site_config_replaces_top_level_keys_and_bad_ones_are_named(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        "watch_below = 20\n[center]\nseats_total = 40\nsites_total = 2\n"
        'trunk_lines = 60\ntimezone = "Asia/Shanghai"\n'
    )
    config = load_config(site)
    assert config.watch_below == 20 and config.center.seats_total == 40
    assert config.zones == CONFIG.zones
    site.write_text("colour = 1\n")
    with pytest.raises(ConfigError, match="unknown key colour"):
        load_config(site)
    zones = '[[zones]]\nname = "low"\nmin_score = 1\n'
    site.write_text(zones + zones.replace("low", "x"))
    with pytest.raises(ConfigError, match="min_score must rise"):
        load_config(site)


def test_the_airline_starter_register_loads() -> None:
    risks = read_register_file(AIRLINE)
    assert 10 <= len(risks) <= 15
    titles = " ".join(r.title.lower() for r in risks)
    for topic in ("ivr", "trunk", "gds", "payment", "fare-rule", "attrition", "leak", "power"):
        assert topic in titles
    assert {r.strategy for r in risks} <= {"avoid", "reduce", "transfer", "accept"}
    assert any(r.score < CONFIG.watch_below for r in risks)  # a watch list to show


def test_a_register_file_with_a_duplicate_or_bad_row_is_refused_whole(tmp_path: Path) -> None:
    csv_file = tmp_path / "risks.csv"
    header = "risk_id,title,category,owner,probability,impact,strategy,warning_signs\n"
    csv_file.write_text(header + "A,t,c,o,3,4,reduce,x;y\nA,t,c,o,3,4,reduce,\n")
    with pytest.raises(RiskError, match="duplicate risk id A"):
        read_register_file(csv_file)
    csv_file.write_text(header + "A,t,c,o,3,4,reduce,x;y\nB,t,c,o,11,4,reduce,\n")
    with pytest.raises(RiskError, match="risk B: probability must be a whole number from 1 to 10"):
        read_register_file(csv_file)
    csv_file.write_text(header + "A,t,c,o,3,4,reduce,x;y\n")
    assert read_register_file(csv_file)[0].warning_signs == ("x", "y")
