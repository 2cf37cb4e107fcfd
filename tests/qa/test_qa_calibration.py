"""Calibration statistics against published worked examples, and bias by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qa.calibration import calibrate, evaluator_bias, intraclass_correlations, krippendorff_alpha

NAN = math.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers, twelve units, missing values (unit 12 has one value and is not pairable).
# The paper gives alpha = 0.743 (nominal), 0.849 (interval), 0.797 (ratio).
KRIPPENDORFF_C = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)

# Krippendorff (2011), section A: two observers, binary data, ten units: alpha = 0.095.
KRIPPENDORFF_A = np.array(
    [
        [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
        [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ]
)

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges; Table 4 gives
# ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71, ICC(2,k) = .62.
SHROUT_FLEISS = np.array(
    [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ]
)


@pytest.mark.parametrize(
    ("metric", "published"), [("interval", 0.849), ("nominal", 0.743), ("ratio", 0.797)]
)
def test_krippendorff_alpha_matches_the_2011_paper(metric, published):
    assert krippendorff_alpha(KRIPPENDORFF_C, metric) == pytest.approx(published, abs=0.0005)


def test_krippendorff_alpha_binary_example():
    assert krippendorff_alpha(KRIPPENDORFF_A, "nominal") == pytest.approx(0.095, abs=0.0005)


def test_krippendorff_alpha_limits():
    agree = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    assert krippendorff_alpha(agree) == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha(np.array([[1.0, 1.0], [1.0, 1.0]])))
    assert math.isnan(krippendorff_alpha(np.array([[1.0, NAN], [NAN, 2.0]])))
    with pytest.raises(ValueError, match="metric"):
        krippendorff_alpha(agree, "ordinalish")


def test_icc_matches_shrout_and_fleiss_table_4():
    icc = intraclass_correlations(SHROUT_FLEISS)
    assert round(icc.icc1_1, 2) == 0.17
    assert round(icc.icc2_1, 2) == 0.29
    assert round(icc.icc3_1, 2) == 0.71
    assert round(icc.icc2_k, 2) == 0.62
    assert (icc.targets, icc.judges) == (6, 4)


def test_icc_needs_a_complete_table():
    with pytest.raises(ValueError, match="complete"):
        intraclass_correlations(np.array([[1.0, NAN], [2.0, 3.0]]))
    with pytest.raises(ValueError, match="at least 2 targets"):
        intraclass_correlations(np.array([[1.0, 2.0]]))


SCORES = pd.DataFrame(
    [
        ("c1", "e1", 80.0),
        ("c1", "e2", 70.0),
        ("c1", "e3", 90.0),
        ("c2", "e1", 60.0),
        ("c2", "e2", 60.0),
        ("c3", "e1", 50.0),  # scored by one evaluator only: not shared
    ],
    columns=["call_id", "evaluator", "score"],
)


def test_bias_against_the_mean_of_the_others_by_hand():
    bias = evaluator_bias(SCORES).set_index("evaluator")
    # c1: e1 80 - (70+90)/2 = 0; e2 70 - 85 = -15; e3 90 - 75 = +15. c2: e1 0, e2 0.
    assert bias.loc["e1", "bias"] == pytest.approx(0.0)
    assert bias.loc["e2", "bias"] == pytest.approx(-7.5)
    assert bias.loc["e3", "bias"] == pytest.approx(15.0)
    assert bias.loc["e2", "mean_abs_difference"] == pytest.approx(7.5)
    assert bias.loc["e1", "calls"] == 2 and bias.loc["e3", "calls"] == 1


def test_calibrate_reports_alpha_and_icc_on_the_shared_calls():
    report = calibrate(SCORES)
    assert (report.calls, report.evaluators, report.ratings) == (2, 3, 5)
    # Only c1 is complete for all three evaluators: too few for ICC.
    assert report.icc is None and report.complete_calls == 1
    expected = krippendorff_alpha(np.array([[80, 60], [70, 60], [90, NAN]]), "interval")
    assert report.alpha_interval == pytest.approx(expected)
    wide = pd.DataFrame(SHROUT_FLEISS).stack().reset_index()
    wide.columns = ["call_id", "evaluator", "score"]
    full = calibrate(wide)
    assert round(full.icc.icc2_1, 2) == 0.29
    assert calibrate(SCORES.iloc[5:]).calls == 0
