"""Scoring an evaluation: answers to items -> section scores, score (0-100), pass/fail.

Definitions (weighted-checklist scoring with "not applicable" answers, the usual contact-
center QA scorecard, e.g. COPC CX Standard's "critical error accuracy" and weighted
"non-critical" scoring):

- item value v: ``yes`` = 1, ``no`` = 0; on a 1-5 scale, rating r gives v = (r - 1) / 4
  (1 -> 0, 3 -> 0.5, 5 -> 1); ``na`` has no value.
- section score S = 100 * sum(w_i * v_i) / sum(w_i) over the section's items answered
  other than ``na`` (w_i the item weights): an NA item drops out of both the numerator
  and the denominator. A section whose items are all NA has no score.
- raw score = sum(W_s * S_s) / sum(W_s) over sections with a score (W_s the section
  weights, summing to 100 on the form): a section that is all NA drops out of both too,
  so its weight is shared by the others in proportion. An evaluation with every item NA
  has no score and is refused.
- critical fail: a ``no`` on any critical item. It fails the whole evaluation: score = 0
  (raw_score keeps the weighted score for coaching), passed = false.
- passed: no critical fail and score >= the form's pass_score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qa.form import SCALES, Form

NA = "na"
_SCORE_TOLERANCE = 1e-9  # 80 made of weights like 1/3 must still pass at 80


class AnswerError(ValueError):
    """The answers do not fit the form (unknown item, missing item, value not on the scale)."""


@dataclass(frozen=True)
class ItemAnswer:
    """One item's answer as stored: the text answer, its value (None for NA) and comment."""

    section_id: str
    item_id: str
    answer: str
    value: float | None
    weight: float
    critical: bool
    comment: str | None = None


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    title: str
    weight: float
    score: float | None  # None when every item of the section is NA
    answered_items: int  # items with an answer other than NA
    na_items: int


@dataclass(frozen=True)
class Evaluation:
    """The scored evaluation: what the store keeps next to the answers."""

    form_id: str
    form_version: int
    score: float
    raw_score: float
    critical_failed: bool
    passed: bool
    critical_failures: tuple[str, ...]
    sections: tuple[SectionScore, ...]
    answers: tuple[ItemAnswer, ...]


def normalise_answer(value: object, scale: str, item_id: str) -> str:
    """The stored text of an answer (``yes``/``no``/``na``/``1``..``5``), or ``AnswerError``."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip().lower()
        text = {"n/a": NA, "y": "yes", "n": "no"}.get(text, text)
    else:
        text = repr(value)
    if text not in SCALES[scale]:
        raise AnswerError(
            f"item {item_id!r}: answer {value!r} is not on its scale {scale} "
            f"({', '.join(SCALES[scale])})"
        )
    return text


def item_value(answer: str) -> float | None:
    """The value of a stored answer in [0, 1]; None for NA."""
    if answer == NA:
        return None
    if answer == "yes":
        return 1.0
    if answer == "no":
        return 0.0
    return (int(answer) - 1) / 4


def score(
    form: Form, answers: Mapping[str, object], comments: Mapping[str, str] | None = None
) -> Evaluation:
    """Score ``answers`` (item id -> answer) on ``form`` (definitions in the module docstring).

    Every item must be answered (NA where the item did not arise, if its scale allows);
    unknown items and answers off the scale raise ``AnswerError``.
    """
    comments = dict(comments or {})
    items = form.items()
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise AnswerError(f"{form.label}: unknown item(s) {', '.join(unknown)}")
    unknown_comments = sorted(set(comments) - set(items))
    if unknown_comments:
        raise AnswerError(
            f"{form.label}: comments on unknown item(s) {', '.join(unknown_comments)}"
        )
    missing = [item_id for item_id in items if item_id not in answers]
    if missing:
        raise AnswerError(
            f"{form.label}: no answer for {', '.join(missing)} (answer na where an item "
            "did not arise and its scale allows it)"
        )
    stored: list[ItemAnswer] = []
    sections: list[SectionScore] = []
    for section in form.sections:
        numerator = denominator = 0.0
        na_items = 0
        for item in section.items:
            answer = normalise_answer(answers[item.id], item.scale, item.id)
            value = item_value(answer)
            if value is None:
                na_items += 1
            else:
                numerator += item.weight * value
                denominator += item.weight
            stored.append(
                ItemAnswer(
                    section.id,
                    item.id,
                    answer,
                    value,
                    item.weight,
                    item.critical,
                    comments.get(item.id) or None,
                )
            )
        section_score = 100.0 * numerator / denominator if denominator > 0 else None
        sections.append(
            SectionScore(
                section.id,
                section.title,
                section.weight,
                section_score,
                len(section.items) - na_items,
                na_items,
            )
        )
    scored = [s for s in sections if s.score is not None]
    if not scored:
        raise AnswerError(f"{form.label}: every item is na; there is nothing to score")
    raw_score = sum(s.weight * s.score for s in scored) / sum(s.weight for s in scored)  # type: ignore[operator]
    critical_failures = tuple(a.item_id for a in stored if a.critical and a.answer == "no")
    critical_failed = bool(critical_failures)
    final_score = 0.0 if critical_failed else raw_score
    return Evaluation(
        form_id=form.form_id,
        form_version=form.version,
        score=final_score,
        raw_score=raw_score,
        critical_failed=critical_failed,
        passed=not critical_failed and final_score + _SCORE_TOLERANCE >= form.pass_score,
        critical_failures=critical_failures,
        sections=tuple(sections),
        answers=tuple(stored),
    )
