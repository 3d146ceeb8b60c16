"""NPS (with its confidence interval) and importance–performance maths on hand-made data."""

from __future__ import annotations

import math

import pytest

from tenure.surveys.metrics import ipa, nps, quadrant, rescale


def test_nps_counts_promoters_passives_detractors():
    result = nps([10, 9, 9, 10, 9, 8, 7, 7, 6, 0])
    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 5, 3, 2)
    assert result.score == 30.0


def test_nps_interval_from_the_variance_of_the_plus_minus_one_score():
    result = nps([10, 9, 9, 10, 9, 8, 7, 7, 6, 0])
    # x = +1 (5 times), 0 (3), -1 (2): mean 0.3, Var = p + d - (p - d)^2 = 0.5 + 0.2 - 0.09 = 0.61
    se = 100 * math.sqrt(0.61 / 10)
    assert result.se == pytest.approx(se, abs=0.01)
    assert result.low == pytest.approx(30 - 1.96 * se, abs=0.05)
    assert result.high == pytest.approx(30 + 1.96 * se, abs=0.05)
    assert not result.readable  # fewer than 30 answers


def test_nps_variance_matches_the_sample_variance_of_x():
    answers = [10] * 40 + [8] * 35 + [3] * 25
    x = [1] * 40 + [0] * 35 + [-1] * 25
    mean = sum(x) / len(x)
    population_var = sum((v - mean) ** 2 for v in x) / len(x)
    result = nps(answers)
    assert result.score == pytest.approx(15.0)
    assert result.se == pytest.approx(100 * math.sqrt(population_var / len(x)), abs=0.01)
    assert result.readable


def test_nps_edges():
    assert nps([]).score is None and nps([]).n == 0
    everyone = nps([10] * 50)
    assert (everyone.score, everyone.se, everyone.low, everyone.high) == (100.0, 0.0, 100.0, 100.0)
    assert nps([0] * 5 + [float("nan")]).score == -100.0


def test_ipa_quadrants_use_the_means_as_thresholds():
    result = ipa(
        {
            "fast_service": (4.5, 3.0),  # important, weak: concentrate here
            "confidentiality": (4.7, 4.5),  # important, strong: keep up
            "premises": (3.0, 4.2),  # less important, strong: possible overkill
            "complete_services": (3.2, 3.1),  # less important, weak: low priority
        }
    )
    assert result.importance_threshold == pytest.approx((4.5 + 4.7 + 3.0 + 3.2) / 4)
    assert result.performance_threshold == pytest.approx((3.0 + 4.5 + 4.2 + 3.1) / 4)
    got = {p.attribute: p.quadrant for p in result.points}
    assert got == {
        "fast_service": "concentrate",
        "confidentiality": "keep_up",
        "premises": "overkill",
        "complete_services": "low_priority",
    }


def test_satisfaction_is_perceived_over_expected():
    point = ipa({"a": (4.0, 3.0), "b": (2.0, 3.0)}).points[0]
    assert point.performance_ratio == pytest.approx(0.75)
    assert point.gap == pytest.approx(-1.0)


def test_ipa_ignores_attributes_missing_an_aspect_and_points_on_a_threshold_count_as_high():
    assert ipa({"a": (None, 3.0)}).points == []
    assert quadrant(4.0, 3.5, 4.0, 3.5) == "keep_up"


def test_rescale_puts_5_and_7_point_scales_on_0_to_10():
    assert (rescale(1, 5), rescale(5, 5), rescale(3, 5)) == (0, 10, 5)
    assert rescale(4, 7) == 5
