"""Forms and scoring: hand-computed scores, NA handling, critical fails, form validation."""

from __future__ import annotations

import pytest

from qa.form import FormError, form_from_dict, load_form
from qa.scoring import AnswerError, score


def demo_form(**changes) -> dict:
    form = {
        "form_id": "demo",
        "version": 1,
        "title": "Demo",
        "pass_score": 70,
        "sections": [
            {
                "id": "a",
                "weight": 60,
                "items": [
                    {"id": "a1", "scale": "yes_no", "weight": 1},
                    {"id": "a2", "scale": "1_5", "weight": 3},
                    {"id": "a3", "scale": "yes_no_na", "weight": 2},
                ],
            },
            {
                "id": "b",
                "weight": 40,
                "items": [
                    {"id": "b1", "scale": "yes_no_na", "weight": 1, "critical": True},
                    {"id": "b2", "scale": "yes_no_na", "weight": 1},
                ],
            },
        ],
    }
    form.update(changes)
    return form


FORM = form_from_dict(demo_form())
ANSWERS = {"a1": "yes", "a2": 4, "a3": "na", "b1": "yes", "b2": "no"}


def test_na_drops_out_of_numerator_and_denominator():
    result = score(FORM, ANSWERS)
    # a: 100 (1*1 + 3*0.75) / (1 + 3) = 81.25 (a3 is NA: not in either sum); b: 100 * 1/2 = 50
    sections = {s.section_id: s.score for s in result.sections}
    assert sections == {"a": pytest.approx(81.25), "b": pytest.approx(50.0)}
    # (60 * 81.25 + 40 * 50) / 100 = 68.75 < 70: not passed
    assert result.score == pytest.approx(68.75)
    assert result.raw_score == pytest.approx(68.75)
    assert not result.critical_failed and not result.passed
    na_section = result.sections[0]
    assert (na_section.answered_items, na_section.na_items) == (2, 1)


def test_na_is_not_a_zero():
    result = score(FORM, ANSWERS | {"a3": "no"})
    # a: 100 (1 + 2.25 + 0) / 6 = 54.1667; overall (60 * 54.1667 + 40 * 50) / 100 = 52.5
    assert result.sections[0].score == pytest.approx(325 / 6)
    assert result.score == pytest.approx(52.5)


def test_a_section_all_na_drops_out_and_its_weight_goes_to_the_others():
    result = score(FORM, ANSWERS | {"b1": "na", "b2": "na"})
    assert result.sections[1].score is None
    assert result.score == pytest.approx(81.25)  # only section a: 60 * 81.25 / 60
    assert result.passed


def test_ratings_map_linearly_from_1_to_5():
    # a: a1 no (0), a2 rating 1 (0) / 3 (0.5) / 5 (1), a3 na
    for rating, expected in ((1, 0.0), (3, 37.5), (5, 75.0)):
        result = score(FORM, ANSWERS | {"a1": "no", "a2": rating})
        assert result.sections[0].score == pytest.approx(expected)


def test_a_critical_no_fails_the_whole_evaluation():
    result = score(FORM, ANSWERS | {"b1": "no"})
    assert result.critical_failed and result.critical_failures == ("b1",)
    assert result.score == 0.0 and not result.passed
    # raw: a 81.25, b 0 -> (60 * 81.25) / 100 = 48.75
    assert result.raw_score == pytest.approx(48.75)


def test_passing_exactly_at_the_pass_score():
    form = form_from_dict(demo_form(pass_score=68.75))
    assert score(form, ANSWERS).passed


def test_answers_are_normalised_and_stored_with_values_and_comments():
    result = score(FORM, ANSWERS | {"a1": True, "a2": "4", "b2": "N"}, {"b2": "forgot"})
    stored = {a.item_id: (a.answer, a.value, a.comment) for a in result.answers}
    assert stored["a1"] == ("yes", 1.0, None)
    assert stored["a2"] == ("4", 0.75, None)
    assert stored["a3"] == ("na", None, None)
    assert stored["b2"] == ("no", 0.0, "forgot")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({k: v for k, v in ANSWERS.items() if k != "a1"}, "no answer for a1"),
        (ANSWERS | {"zz": "yes"}, "unknown item"),
        (ANSWERS | {"a1": "na"}, "'a1': answer 'na' is not on its scale yes_no"),
        (ANSWERS | {"a2": 6}, "'a2': answer 6 is not on its scale 1_5"),
        ({"a1": "yes", "a2": 3, "a3": "maybe", "b1": "yes", "b2": "yes"}, "'a3'"),
    ],
)
def test_answers_off_the_form_are_refused(answers, message):
    with pytest.raises(AnswerError, match=message):
        score(FORM, answers)


def test_every_item_na_is_refused():
    form = form_from_dict(
        demo_form(
            sections=[{"id": "s", "weight": 100, "items": [{"id": "x", "scale": "yes_no_na"}]}]
        )
    )
    with pytest.raises(AnswerError, match="every item is na"):
        score(form, {"x": "na"})


def test_comments_on_unknown_items_are_refused():
    with pytest.raises(AnswerError, match="comments on unknown item"):
        score(FORM, ANSWERS, {"nope": "x"})


def test_section_weights_must_sum_to_100_and_the_message_names_the_form():
    bad = demo_form()
    bad["sections"][1]["weight"] = 35
    with pytest.raises(FormError, match=r"form demo v1 .*section weights sum to 95.*a 60, b 35"):
        form_from_dict(bad)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ((1, "items", 0, "scale"), "1_5", r"section 'b', item 'b1': a critical item needs"),
        ((0, "items", 1, "weight"), 0, r"section 'a', item 'a2': weight must be greater than 0"),
        ((0, "items", 2, "id"), "a1", r"section 'a': item 'a1' is already in section 'a'"),
        ((1, "items", 1, "scale"), "stars", r"section 'b', item 'b2': scale must be one of"),
        ((0, "weight"), -60, r"section 'a': weight must be greater than 0"),
    ],
)
def test_form_rule_violations_name_the_section(path, value, message):
    bad = demo_form()
    target = bad["sections"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(FormError, match=message):
        form_from_dict(bad)


def test_form_level_errors():
    with pytest.raises(FormError, match="version must be a positive integer"):
        form_from_dict(demo_form(version=0))
    with pytest.raises(FormError, match="pass_score must be between 0 and 100"):
        form_from_dict(demo_form(pass_score=120))
    with pytest.raises(FormError, match="unknown key"):
        form_from_dict(demo_form(colour="red"))


def test_the_shipped_airline_form_is_valid():
    form = load_form("airline_v1")
    assert (form.form_id, form.version) == ("airline", 1)
    assert [s.id for s in form.sections] == [
        "greeting",
        "verification",
        "booking_accuracy",
        "fare_rules",
        "offer",
        "closing",
        "compliance",
    ]
    assert sum(s.weight for s in form.sections) == 100
    critical = {item.id for _, item in form.items().values() if item.critical}
    assert {"identity_checked", "no_rudeness"} <= critical
    # A perfect call scores 100; the JSON round trip keeps the definition.
    perfect = {
        item.id: "5" if item.scale.startswith("1_5") else "yes" for _, item in form.items().values()
    }
    assert score(form, perfect).score == pytest.approx(100.0)
    from qa.form import form_from_json

    assert form_from_json(form.to_json()) == form


def test_a_missing_form_file_lists_the_shipped_forms(tmp_path):
    with pytest.raises(FormError, match="shipped forms: airline_v1"):
        load_form("nonexistent")
    broken = tmp_path / "f.toml"
    broken.write_text("form_id = [", encoding="utf-8")
    with pytest.raises(FormError, match="not valid TOML"):
        load_form(broken)
