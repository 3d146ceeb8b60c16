"""BG/NBD: Fader, Hardie and Lee (2005), "Counting your customers the easy way", Marketing Science 24(2).

While alive a customer buys as a Poisson process with rate λ ~ gamma(r, α); after every purchase
they drop out with probability p ~ beta(a, b). Time is in periods (weeks or months, whatever the
summary was built with); α is in periods too, so r/α is the mean purchase rate per period.

Likelihood (FHL eq. 6), for x repeat purchases, the last at t_x, observed for T periods:

    L = B(a, b+x)/B(a, b) · Γ(r+x)α^r / (Γ(r)(α+T)^(r+x))
        + [x>0] · B(a+1, b+x-1)/B(a, b) · Γ(r+x)α^r / (Γ(r)(α+t_x)^(r+x))

It is evaluated in logs, with every term that depends on x alone summed per distinct x (x is a
small integer), so the per-customer work is two logarithms and a log-sum-exp; the gradient is
analytic for the same reason, which is what makes a million customers fit in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, expit, gammaln, hyp2f1

from tenure.clv import inputs
from tenure.clv.fitting import FitResult, fit_result, maximize


@dataclass(frozen=True)
class BGNBD:
    """Fitted BG/NBD parameters and the predictions they imply (all times in periods)."""

    r: float
    alpha: float
    a: float
    b: float

    def expected_transactions(self, t: ArrayLike) -> np.ndarray:
        """E[X(t)]: repeat purchases a new customer makes in their first t periods (FHL eq. 9).

        Undefined at a = 1 exactly (the closed form is 0/0 there)."""
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + t)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
        """P(still active at T | x, t_x, T): 1 for customers without a repeat purchase, by the model's story."""
        c = inputs.customers(frequency, recency, T, need_repeat_buyers=False)
        return 1 / (1 + self._dropout_odds(c))

    def conditional_expected_transactions(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next t periods after T (FHL eq. 10)."""
        c = inputs.customers(frequency, recency, T, need_repeat_buyers=False)
        t = np.asarray(t, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x, age = c.frequency, c.T
        z = t / (alpha + age + t)
        growth = 1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return (a + b + x - 1) / (a - 1) * growth / (1 + self._dropout_odds(c))

    def _dropout_odds(self, c: inputs.Customers) -> np.ndarray:
        # [x>0] · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x): P(dropped out) / P(alive), computed in logs.
        x = c.frequency
        repeat = x > 0
        log_odds = (
            np.log(self.a)
            - np.log(np.where(repeat, self.b + x - 1, 1.0))
            + (self.r + x) * (np.log(self.alpha + c.T) - np.log(self.alpha + c.recency))
        )
        return np.where(repeat, np.exp(log_odds), 0.0)


class _Data:
    """Distinct (x, t_x, T) histories with how many customers share each, and the
    per-distinct-frequency counts the likelihood sums over. Histories repeat (whole weeks of
    whole days): 1,000,000 bank customers have about 110,000 distinct ones, so the likelihood
    costs a ninth of a per-customer sum and gives the same value."""

    def __init__(self, c: inputs.Customers) -> None:
        histories, weight = inputs.distinct_rows(c.frequency, c.recency, c.T)
        x, t_x, T = histories.T
        weight = weight.astype(float)
        self.n = float(weight.sum())
        repeat = x > 0
        self.x_rep, self.tx_rep, self.T_rep, self.w_rep = x[repeat], t_x[repeat], T[repeat], weight[repeat]
        self.T_none, self.w_none = T[~repeat], weight[~repeat]
        self.levels, inverse = np.unique(x, return_inverse=True)
        self.counts = np.bincount(inverse, weights=weight)
        self.rep_levels, self.rep_inverse = np.unique(self.x_rep, return_inverse=True)


def _objective(data: _Data):
    n = data.n
    lv, cnt = data.levels, data.counts
    w_rep, w_none = data.w_rep, data.w_none

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(theta)
        # Terms depending on x only, summed over distinct x.
        x_only = cnt @ (gammaln(r + lv) + gammaln(b + lv) - gammaln(a + b + lv))
        constant = n * (-gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b))
        # Customers with no repeat purchase: only the "alive throughout" term, -(r+0)·log(α+T).
        log_T_none = np.log(alpha + data.T_none)
        # Repeat buyers: log-sum-exp of "alive at T" (A3) and "dropped out after t_x" (A4).
        rx = r + data.x_rep
        log_T = np.log(alpha + data.T_rep)
        log_tx = np.log(alpha + data.tx_rep)
        log_b_x1 = np.log(b + data.rep_levels - 1)[data.rep_inverse]
        a3 = -rx * log_T
        a4 = np.log(a) - log_b_x1 - rx * log_tx
        d = a4 - a3
        loglik = x_only + constant - r * (w_none @ log_T_none) + w_rep @ (a3 + np.logaddexp(0.0, d))
        w = expit(d)  # share of a repeat buyer's likelihood from the dropped-out branch
        g_r = (
            cnt @ digamma(r + lv)
            - n * digamma(r)
            + n * np.log(alpha)
            - w_none @ log_T_none
            - w_rep @ ((1 - w) * log_T + w * log_tx)
        )
        g_alpha = (
            n * r / alpha
            - r * (w_none @ (1 / (alpha + data.T_none)))
            - w_rep @ (rx * ((1 - w) / (alpha + data.T_rep) + w / (alpha + data.tx_rep)))
        )
        g_a = n * digamma(a + b) - cnt @ digamma(a + b + lv) + (w_rep @ w) / a
        g_b = (
            n * (digamma(a + b) - digamma(b))
            + cnt @ (digamma(b + lv) - digamma(a + b + lv))
            - w_rep @ (w / np.exp(log_b_x1))
        )
        grad = np.array([g_r, g_alpha, g_a, g_b]) * np.array([r, alpha, a, b])  # chain rule to log-params
        return -loglik / n, -grad / n

    return objective


def log_likelihood(model: BGNBD, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Per-customer log-likelihood (FHL eq. 6); the sum is what `fit` maximises."""
    c = inputs.customers(frequency, recency, T, need_repeat_buyers=False)
    r, alpha, a, b, x = model.r, model.alpha, model.a, model.b, c.frequency
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + x)
    common -= gammaln(b) + gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + c.T)
    a4 = np.where(
        x > 0, np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) - (r + x) * np.log(alpha + c.recency), -np.inf
    )
    return common + np.logaddexp(a3, a4)


def start_values(c: inputs.Customers) -> dict[str, float]:
    """r = 1 with α matching the observed repeat-purchase rate Σx/ΣT, and a = 1, b = 3 (a mean
    dropout probability of 1/4 per purchase): inside the region where real data put the maximum."""
    rate = c.frequency.sum() / max(c.T.sum(), 1e-12)
    return {"r": 1.0, "alpha": 1.0 / max(rate, 1e-6), "a": 1.0, "b": 3.0}


def fit(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FitResult[BGNBD]:
    """Maximum-likelihood BG/NBD; raises CLVInputError on bad input, ConvergenceError if no maximum."""
    c = inputs.customers(frequency, recency, T)
    estimate = maximize(_objective(_Data(c)), start_values(c), len(c))
    return fit_result(BGNBD(**estimate.params), estimate, "BG/NBD")
