"""Pareto/NBD: Schmittlein, Morrison and Colombo (1987), in the form of Fader and Hardie (2005),
"A note on deriving the Pareto/NBD model and related expressions".

While alive a customer buys as a Poisson process with rate λ ~ gamma(r, α); their lifetime is
exponential with rate μ ~ gamma(s, β), independent of λ. Times are in periods; α and β too.

Likelihood (Fader–Hardie note, eq. 19–22), for x repeat purchases, the last at t_x, observed for T:

    L = Γ(r+x)α^r β^s / Γ(r) · [ 1/((α+T)^(r+x)(β+T)^s) + s/(r+s+x) · A₀ ]

with, writing m = max(α, β), c = s+1 if α ≥ β else r+x, z(y) = |α-β|/(m+y):

    A₀ = ₂F₁(r+s+x, c; r+s+x+1; z(t_x))/(m+t_x)^(r+s+x) − ₂F₁(r+s+x, c; r+s+x+1; z(T))/(m+T)^(r+s+x)

A₀·s/(r+s+x) is s∫_{t_x}^{T}(α+y)^-(r+x)(β+y)^-(s+1)dy, the chance the customer died unseen
after t_x; the tests check the hypergeometric form against that integral. Everything is in logs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, hyp2f1

from tenure.clv import inputs
from tenure.clv.fitting import FitResult, fit_result, maximize, numerical_gradient


@dataclass(frozen=True)
class ParetoNBD:
    """Fitted Pareto/NBD parameters and the predictions they imply (all times in periods)."""

    r: float
    alpha: float
    s: float
    beta: float

    def expected_transactions(self, t: ArrayLike) -> np.ndarray:
        """E[X(t)]: repeat purchases a new customer makes in their first t periods."""
        t = np.asarray(t, dtype=float)
        return self.r * self.beta / self.alpha * _survival_integral(self.s, self.beta, t)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
        """P(still alive at T | x, t_x, T)."""
        c = inputs.customers(frequency, recency, T, need_repeat_buyers=False)
        alive, total = _log_branches(self, c)
        return np.exp(alive - total)

    def conditional_expected_transactions(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next t periods after T.

        (r+x)/(α+T) · ∫₀ᵗ ((β+T)/(β+T+u))^s du · P(alive): the posterior mean purchase rate times the
        expected time still alive within the next t periods, given alive at T."""
        c = inputs.customers(frequency, recency, T, need_repeat_buyers=False)
        t = np.asarray(t, dtype=float)
        alive, total = _log_branches(self, c)
        rate = (self.r + c.frequency) / (self.alpha + c.T)
        return rate * (self.beta + c.T) * _survival_integral(self.s, self.beta + c.T, t) * np.exp(alive - total)


def _survival_integral(s: float, beta: ArrayLike, t: ArrayLike) -> np.ndarray:
    # (1 - (β/(β+t))^(s-1)) / (s-1), with its limit log(1 + t/β) at s = 1.
    u = np.log1p(np.asarray(t, dtype=float) / beta)
    if abs(s - 1) < 1e-9:
        return u
    return -np.expm1(-(s - 1) * u) / (s - 1)


def _log_branches(model: ParetoNBD, c: inputs.Customers) -> tuple[np.ndarray, np.ndarray]:
    """log of the 'alive at T' branch and of the whole bracket of the likelihood, per customer."""
    r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
    x, t_x, age = c.frequency, c.recency, c.T
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    rsx = r + s + x
    m = max(alpha, beta)
    second = s + 1 if alpha >= beta else r + x
    gap = abs(alpha - beta)
    log_first = np.log(hyp2f1(rsx, second, rsx + 1, gap / (m + t_x))) - rsx * np.log(m + t_x)
    log_last = np.log(hyp2f1(rsx, second, rsx + 1, gap / (m + age))) - rsx * np.log(m + age)
    # log(A₀) = log(first - last); first ≥ last because t_x ≤ T, equal (A₀ = 0) when t_x = T.
    with np.errstate(divide="ignore"):
        log_a0 = log_first + np.log(-np.expm1(np.minimum(log_last - log_first, 0.0)))
    died = np.log(s) - np.log(rsx) + log_a0
    return alive, np.logaddexp(alive, died)


def log_likelihood(model: ParetoNBD, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Per-customer log-likelihood; the sum is what `fit` maximises."""
    c = inputs.customers(frequency, recency, T, need_repeat_buyers=False)
    return _log_likelihood(model, c)


def _log_likelihood(model: ParetoNBD, c: inputs.Customers) -> np.ndarray:
    r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
    x = c.frequency
    _, bracket = _log_branches(model, c)
    return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + bracket


def start_values(c: inputs.Customers) -> dict[str, float]:
    """r = 1 with α matching the observed repeat-purchase rate Σx/ΣT, and s = 1, β = mean T (a
    median lifetime of the order of the observation window)."""
    rate = c.frequency.sum() / max(c.T.sum(), 1e-12)
    return {"r": 1.0, "alpha": 1.0 / max(rate, 1e-6), "s": 1.0, "beta": max(float(c.T.mean()), 1e-6)}


def fit(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FitResult[ParetoNBD]:
    """Maximum-likelihood Pareto/NBD; raises CLVInputError on bad input, ConvergenceError if no maximum."""
    c = inputs.customers(frequency, recency, T)
    n = len(c)

    def mean_negative(theta: np.ndarray) -> float:
        return -float(_log_likelihood(ParetoNBD(*np.exp(theta)), c).sum()) / n

    estimate = maximize(numerical_gradient(mean_negative), start_values(c), n)
    return fit_result(ParetoNBD(**estimate.params), estimate, "Pareto/NBD")
