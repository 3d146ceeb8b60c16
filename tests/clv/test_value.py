"""CLV = margin × expected spend × discounted expected purchases, checked by hand and by telescoping."""

import numpy as np
import pytest

from tenure.clv import customer_lifetime_value
from tenure.clv.bgnbd import BGNBD
from tenure.clv.errors import CLVInputError
from tenure.clv.gammagamma import GammaGamma

SPEND = GammaGamma(p=2.0, q=3.0, gamma=10.0)  # population mean spend pγ/(q-1) = 10 yuan


class SteadyBuyers:
    """Half a purchase a month, forever: E[Y(t)] = 0.5·t with t in months."""

    def conditional_expected_transactions(self, t, frequency, recency, T):
        return 0.5 * t * np.ones(np.shape(frequency))


def test_hand_computed_value():
    """Customer 1 never bought again: spend 10 yuan. Customer 2: x = 2 at 20 yuan, so
    E[M] = 2·(10 + 2·20)/(2·2 + 3 - 1) = 100/6 yuan. Three months at 1%, margin 30%:
    CLV = 0.3 · E[M] · 0.5 · (1/1.01 + 1/1.01² + 1/1.01³)."""
    value = customer_lifetime_value(
        SteadyBuyers(),
        SPEND,
        frequency=[0, 2],
        recency=[0.0, 5.0],
        T=[6.0, 6.0],
        monetary_value=[0.0, 20.0],
        months=3,
        monthly_discount_rate=0.01,
        margin=0.3,
        periods_per_month=1.0,
    )
    annuity = 1 / 1.01 + 1 / 1.01**2 + 1 / 1.01**3
    np.testing.assert_allclose(value, [0.3 * 10 * 0.5 * annuity, 0.3 * 100 / 6 * 0.5 * annuity], rtol=1e-12)


def test_undiscounted_value_is_expected_spend_times_expected_purchases(cdnow):
    """With d = 0 and margin 1 the monthly increments telescope to E[Y(horizon)]."""
    model = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    x, t_x, T = (cdnow[c].to_numpy()[:50] for c in ("frequency", "recency", "T"))
    m_x = np.where(x > 0, 30.0, 0.0)
    weeks_per_month = 365.25 / 12 / 7
    value = customer_lifetime_value(model, SPEND, x, t_x, T, m_x, months=24, monthly_discount_rate=0.0, margin=1.0)
    expected = SPEND.conditional_expected_average_spend(x, m_x) * model.conditional_expected_transactions(
        24 * weeks_per_month, x, t_x, T
    )
    np.testing.assert_allclose(value, expected, rtol=1e-10)


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"months": 0}, "months"),
        ({"margin": 1.5}, "margin"),
        ({"monthly_discount_rate": -1.0}, "monthly_discount_rate"),
    ],
)
def test_bad_settings_are_rejected(change, column):
    args = {"months": 12, "monthly_discount_rate": 0.01, "margin": 0.2} | change
    with pytest.raises(CLVInputError) as caught:
        customer_lifetime_value(SteadyBuyers(), SPEND, [1], [1.0], [2.0], [10.0], **args)
    assert caught.value.column == column


def test_spend_model_without_a_mean_is_refused():
    with pytest.raises(CLVInputError, match="no mean"):
        GammaGamma(p=2.0, q=0.8, gamma=10.0).conditional_expected_average_spend([1], [10.0])
