"""Customer lifetime value over a finite horizon: a contribution in yuan, discounted monthly.

For customer i with history (x, t_x, T) and observed mean repeat spend m_x:

    CLV_i = margin · E[M | x, m_x] · Σ_{k=1..H} (E[Y(k·c) | x, t_x, T] − E[Y((k−1)·c) | x, t_x, T]) / (1 + d)^k

where E[Y(t) | …] is the transaction model's expected number of purchases in the next t periods
(BG/NBD or Pareto/NBD), c is the number of model periods in a month (4.348 for weekly models),
H the horizon in months, d the monthly discount rate, E[M | …] the Gamma-Gamma expected spend per
purchase and `margin` the share of spend the bank keeps as contribution (so the result is
profit, not revenue). Each month's expected purchases are discounted as if they happened at the
end of that month, a slightly conservative convention. Multiplying expected count by expected
spend is exact because the Gamma-Gamma model assumes spend independent of the purchase process.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from tenure.clv.errors import CLVInputError
from tenure.clv.gammagamma import GammaGamma


class TransactionModel(Protocol):
    def conditional_expected_transactions(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> np.ndarray: ...


def expected_monthly_transactions(
    model: TransactionModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    months: int,
    periods_per_month: float,
) -> np.ndarray:
    """Expected purchases in each of the next `months` months, shape (customers, months)."""
    if months < 1:
        raise CLVInputError("months", f"the horizon must be at least one month, not {months}")
    if periods_per_month <= 0:
        raise CLVInputError("periods_per_month", f"must be positive, not {periods_per_month}")
    cumulative = [np.zeros(np.shape(np.asarray(frequency, dtype=float)))]
    cumulative += [
        model.conditional_expected_transactions(k * periods_per_month, frequency, recency, T)
        for k in range(1, months + 1)
    ]
    return np.diff(np.column_stack(cumulative), axis=1)


def customer_lifetime_value(
    transactions: TransactionModel,
    spend: GammaGamma,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary_value: ArrayLike,
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    margin: float = 1.0,
    periods_per_month: float = 365.25 / 12 / 7,
) -> np.ndarray:
    """Per-customer CLV in the spend's currency (yuan) over `months` months — see the module docstring.

    `periods_per_month` must match the unit the summary was built in: the default is for weekly
    models; use 1.0 for monthly ones (tenure.clv.summary.periods_per_month gives both)."""
    if monthly_discount_rate <= -1:
        raise CLVInputError("monthly_discount_rate", f"must be > -1, not {monthly_discount_rate}")
    if not 0 <= margin <= 1:
        raise CLVInputError("margin", f"is a share of spend between 0 and 1, not {margin}")
    per_month = expected_monthly_transactions(
        transactions, frequency, recency, T, months=months, periods_per_month=periods_per_month
    )
    discount = (1 + monthly_discount_rate) ** -np.arange(1, months + 1)
    expected_spend = spend.conditional_expected_average_spend(frequency, monetary_value)
    return margin * expected_spend * (per_month @ discount)
