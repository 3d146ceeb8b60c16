"""Gamma-Gamma spend model: Fader, Hardie and Lee (2005), "RFM and CLV: using iso-value curves for
customer base analysis", Journal of Marketing Research 42(4); Fader and Hardie (2013), "The
Gamma-Gamma model of monetary value".

Each transaction of a customer is worth z ~ gamma(p, ν) (shape p, rate ν), and ν ~ gamma(q, γ)
across customers, so a customer's mean transaction value is p/ν and the population mean is
pγ/(q-1) (yuan, when the input is in yuan). It is fitted on repeat buyers only, from x (number of
repeat purchases) and m_x (their mean value). Spend is assumed independent of the purchase
process, which is what lets it multiply a BG/NBD or Pareto/NBD forecast in a CLV.

Likelihood of (x, m_x), the density of a mean of x gamma(p, ν) draws mixed over ν:

    L = Γ(px+q)/(Γ(px)Γ(q)) · γ^q · m_x^(px-1) · x^(px) / (γ + x·m_x)^(px+q)

Only log(γ + x·m_x) changes per customer between evaluations; the other sums are precomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from tenure.clv import inputs
from tenure.clv.errors import CLVInputError
from tenure.clv.fitting import FitResult, fit_result, maximize


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters: p (shape of a transaction's value), q and γ (spread of the
    customers' value scales; γ in yuan when spend is in yuan)."""

    p: float
    q: float
    gamma: float

    def population_mean_spend(self) -> float:
        """E[M] = pγ/(q-1), the mean transaction value of a new customer (infinite when q ≤ 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")

    def conditional_expected_average_spend(self, frequency: ArrayLike, monetary_value: ArrayLike) -> np.ndarray:
        """E[M | x, m_x] = p(γ + x·m_x)/(px + q - 1): the customer's own mean shrunk toward the
        population mean, less so the more purchases they made. Customers with x = 0 get the
        population mean (their monetary_value is ignored)."""
        x = np.asarray(frequency, dtype=float)
        m_x = np.where(x > 0, np.asarray(monetary_value, dtype=float), 0.0)
        if self.q <= 1:
            raise CLVInputError("monetary_value", f"q = {self.q:.3g} ≤ 1: the fitted spend distribution has no mean")
        return self.p * (self.gamma + x * m_x) / (self.p * x + self.q - 1)


def log_likelihood(model: GammaGamma, frequency: ArrayLike, monetary_value: ArrayLike) -> np.ndarray:
    """Per-repeat-buyer log-likelihood (customers with frequency 0 are dropped, as in `fit`)."""
    x, m_x = inputs.spend(frequency, monetary_value)
    p, q, g = model.p, model.q, model.gamma
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(g + x * m_x)
    )


def _objective(x: np.ndarray, m_x: np.ndarray):
    n = len(x)
    levels, counts = np.unique(x, return_counts=True)
    sum_x_log_m = (x * np.log(m_x)).sum()
    sum_log_m = np.log(m_x).sum()
    sum_x_log_x = (x * np.log(x)).sum()
    spent = x * m_x

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, g = np.exp(theta)
        log_total = np.log(g + spent)
        weighted = x @ log_total
        loglik = (
            counts @ (gammaln(p * levels + q) - gammaln(p * levels))
            - n * gammaln(q)
            + n * q * np.log(g)
            + p * sum_x_log_m
            - sum_log_m
            + p * sum_x_log_x
            - p * weighted
            - q * log_total.sum()
        )
        psi = digamma(p * levels + q)
        g_p = counts @ (levels * (psi - digamma(p * levels))) + sum_x_log_m + sum_x_log_x - weighted
        g_q = counts @ psi - n * digamma(q) + n * np.log(g) - log_total.sum()
        g_g = n * q / g - ((p * x + q) / (g + spent)).sum()
        grad = np.array([g_p, g_q, g_g]) * np.array([p, q, g])
        return -loglik / n, -grad / n

    return objective


def start_values(x: np.ndarray, m_x: np.ndarray) -> dict[str, float]:
    """p = 1 (exponential transaction values), q = 2, γ = mean(m_x): a population mean spend pγ/(q-1)
    equal to the observed one."""
    return {"p": 1.0, "q": 2.0, "gamma": float(np.mean(m_x))}


def fit(frequency: ArrayLike, monetary_value: ArrayLike) -> FitResult[GammaGamma]:
    """Maximum-likelihood Gamma-Gamma on the repeat buyers; raises CLVInputError on bad input,
    ConvergenceError if no maximum."""
    x, m_x = inputs.spend(frequency, monetary_value)
    estimate = maximize(_objective(x, m_x), start_values(x, m_x), len(x))
    return fit_result(GammaGamma(**estimate.params), estimate, "Gamma-Gamma")
