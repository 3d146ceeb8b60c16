"""Degenerate input fails loudly, naming the column and the reason; unfittable data fail to converge."""

import numpy as np
import pytest

from tenure.clv import bgnbd, gammagamma, paretonbd
from tenure.clv.errors import CLVInputError, ConvergenceError

GOOD = {"frequency": [0, 2, 1], "recency": [0.0, 30.4, 1.7], "T": [38.9, 38.9, 38.9]}


def _with(**changes):
    data = {k: list(v) for k, v in GOOD.items()}
    data.update(changes)
    return data


@pytest.mark.parametrize("fit", [bgnbd.fit, paretonbd.fit], ids=["bgnbd", "pareto"])
@pytest.mark.parametrize(
    ("data", "column", "reason"),
    [
        ({"frequency": [], "recency": [], "T": []}, "frequency", "no customers"),
        (_with(frequency=[0, 0, 0], recency=[0.0, 0.0, 0.0]), "frequency", "no repeat buyers"),
        (_with(frequency=[0, -2, 1]), "frequency", "negative"),
        (_with(recency=[0.0, -1.0, 1.7]), "recency", "negative"),
        (_with(T=[38.9, 38.9, -1.0]), "T", "negative"),
        (_with(frequency=[0, 2.5, 1]), "frequency", "non-integer"),
        (_with(recency=[0.0, 40.0, 1.7]), "recency", "recency > T"),
        (_with(recency=[3.0, 30.4, 1.7]), "recency", "frequency 0"),
        (_with(T=[38.9, np.nan, 38.9]), "T", "missing"),
        (_with(recency=[0.0, 30.4]), "recency", "lengths differ"),
        (_with(frequency=["a", 2, 1]), "frequency", "not numbers"),
    ],
    ids=[
        "empty",
        "no-repeat-buyers",
        "negative-frequency",
        "negative-recency",
        "negative-T",
        "non-integer",
        "recency-after-T",
        "recency-without-purchase",
        "nan",
        "length",
        "text",
    ],
)
def test_transaction_models_reject_degenerate_input(fit, data, column, reason):
    with pytest.raises(CLVInputError) as caught:
        fit(data["frequency"], data["recency"], data["T"])
    assert caught.value.column == column
    assert reason in str(caught.value)


def test_the_message_points_at_the_first_bad_row():
    with pytest.raises(CLVInputError, match=r"2 customer\(s\) have recency > T .*\(first at row 2\)"):
        bgnbd.fit([0, 2, 1, 3], [0.0, 40.0, 1.7, 41.0], [38.9] * 4)


@pytest.mark.parametrize(
    ("frequency", "monetary_value", "column", "reason"),
    [
        ([], [], "frequency", "no customers"),
        ([0, 0], [0.0, 0.0], "frequency", "no repeat buyers"),
        ([1, 2], [10.0, 0.0], "monetary_value", "monetary_value <= 0"),
        ([1, 2], [10.0, -5.0], "monetary_value", "monetary_value <= 0"),
        ([1, 2], [10.0, np.nan], "monetary_value", "missing monetary value"),
        ([1, 1.5], [10.0, 5.0], "frequency", "non-integer"),
        ([1, -1], [10.0, 5.0], "frequency", "negative"),
    ],
)
def test_gamma_gamma_rejects_degenerate_spend(frequency, monetary_value, column, reason):
    with pytest.raises(CLVInputError) as caught:
        gammagamma.fit(frequency, monetary_value)
    assert (caught.value.column, reason in str(caught.value)) == (column, True)


def test_gamma_gamma_ignores_the_spend_of_customers_without_repeat_purchases():
    """Their monetary_value is meaningless (often 0 or blank) and must not trip the check."""
    rng = np.random.default_rng(5)
    frequency = rng.integers(0, 6, 400).astype(float)
    spend = np.where(frequency > 0, rng.gamma(6.0, 5.0, 400), np.nan)
    assert gammagamma.fit(frequency, spend).estimate.n_customers == int((frequency > 0).sum())


def test_data_without_any_sign_of_dropout_do_not_converge():
    """Every repeat buyer bought on the last day: nothing tells dropout apart from rare buying, the
    likelihood has no interior maximum, and the fit must refuse rather than report nonsense."""
    frequency = np.random.default_rng(0).poisson(2.0, 2000).astype(float)
    T = np.full(2000, 39.0)
    with pytest.raises(ConvergenceError, match=r"BG/NBD fit on 2000 customers failed: .*\(stopped at r="):
        bgnbd.fit(frequency, np.where(frequency > 0, T, 0.0), T)


def test_identical_spends_do_not_converge():
    with pytest.raises(ConvergenceError, match="Gamma-Gamma"):
        gammagamma.fit(np.full(100, 3.0), np.full(100, 20.0))
