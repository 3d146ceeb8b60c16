"""Draw customers from each model's own story, vectorised, for parameter-recovery tests and benchmarks.

Each transaction-model draw also carries what happened next — purchases in a holdout of `horizon`
periods after T and whether the customer was still alive at T — so tests can check conditional
expectations and P(alive) against simulated truth, not only against the formulas' own algebra.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from tenure.clv.bgnbd import BGNBD
from tenure.clv.gammagamma import GammaGamma
from tenure.clv.paretonbd import ParetoNBD


class Draw(NamedTuple):
    """Simulated customers: the calibration summary plus the truth the models try to infer."""

    frequency: np.ndarray  # repeat purchases in (0, T]
    recency: np.ndarray  # time of the last of them (0 if none), periods
    T: np.ndarray  # periods observed
    alive: np.ndarray  # still active at T
    holdout: np.ndarray  # purchases in (T, T + horizon]


def bgnbd(model: BGNBD, T: ArrayLike, rng: np.random.Generator, *, horizon: float = 0.0) -> Draw:
    """λ ~ gamma(r, α), p ~ beta(a, b). Purchases while alive form a Poisson process; the customer
    makes J ~ geometric(p) purchases in all and drops out right after the J-th. With K Poisson
    arrivals in (0, T] we see x = min(K, J), and the x-th arrival is T·Beta(x, K-x+1) (an order
    statistic of K uniforms). Alive at T means K < J; then up to J-K more purchases can follow."""
    T = np.asarray(T, dtype=float)
    lam = rng.gamma(model.r, 1 / model.alpha, size=T.shape)
    p = np.clip(rng.beta(model.a, model.b, size=T.shape), 1e-12, 1.0)
    k = rng.poisson(lam * T)
    j = rng.geometric(p)
    x = np.minimum(k, j)
    recency = np.zeros_like(T)
    repeat = x > 0
    recency[repeat] = T[repeat] * rng.beta(x[repeat], k[repeat] - x[repeat] + 1)
    alive = k < j
    holdout = np.where(alive, np.minimum(rng.poisson(lam * horizon), j - k), 0)
    return Draw(x.astype(float), recency, T, alive, holdout.astype(float))


def paretonbd(model: ParetoNBD, T: ArrayLike, rng: np.random.Generator, *, horizon: float = 0.0) -> Draw:
    """λ ~ gamma(r, α), μ ~ gamma(s, β), lifetime τ ~ exponential(μ). Purchases are Poisson(λ) over
    the time alive inside the window, w = min(τ, T); given K of them the last is at w·U^(1/K)."""
    T = np.asarray(T, dtype=float)
    lam = rng.gamma(model.r, 1 / model.alpha, size=T.shape)
    mu = np.maximum(rng.gamma(model.s, 1 / model.beta, size=T.shape), 1e-300)
    lifetime = rng.exponential(1 / mu)
    window = np.minimum(lifetime, T)
    x = rng.poisson(lam * window)
    recency = np.where(x > 0, window * rng.random(T.shape) ** (1 / np.maximum(x, 1)), 0.0)
    holdout = rng.poisson(lam * np.clip(lifetime - T, 0.0, horizon))
    return Draw(x.astype(float), recency, T, lifetime > T, holdout.astype(float))


def gammagamma(model: GammaGamma, frequency: ArrayLike, rng: np.random.Generator) -> np.ndarray:
    """Each customer's mean repeat-purchase value (0 when frequency is 0): ν ~ gamma(q, rate γ), and
    the mean of x gamma(p, rate ν) values is gamma(px, rate xν)."""
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(model.q, 1 / model.gamma, size=x.shape)
    repeat = x > 0
    m_x = np.zeros_like(x)
    m_x[repeat] = rng.gamma(model.p * x[repeat], 1 / (x[repeat] * nu[repeat]))
    return m_x
