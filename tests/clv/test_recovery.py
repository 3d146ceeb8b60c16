"""Parameter recovery: fit each model to data simulated from it with known parameters.

Tolerance from the sample size, through the fit's own standard errors: the maximum-likelihood
estimate of log θ is approximately normal with the reported standard error (se(θ)/θ), which
shrinks as 1/√n. Each parameter must land within 4 standard errors of the truth (a two-sided
normal tail of 6e-5), with 3 seeds per model. A too-large standard error would let anything
pass, so the standard errors are checked separately: they must halve when the data are
repeated 4 times, and equal an independent finite-difference Hessian of the public
log-likelihood.
"""

import numpy as np
import pytest

from tenure.clv import bgnbd, gammagamma, paretonbd, simulate
from tenure.clv.bgnbd import BGNBD
from tenure.clv.gammagamma import GammaGamma
from tenure.clv.paretonbd import ParetoNBD

SEEDS = (11, 22, 33)


def _assert_recovered(fit, truth: dict[str, float]) -> None:
    for name, true_value in truth.items():
        estimate, se = fit.params[name], fit.estimate.standard_errors[name]
        z = (np.log(estimate) - np.log(true_value)) / (se / estimate)
        assert abs(z) < 4, f"{name}: estimate {estimate:.4g}, truth {true_value}, se {se:.3g}, z {z:.2f}"
        # And the estimate is genuinely informative at this sample size: under 25% relative error.
        assert se / estimate < 0.25, f"{name}: relative standard error {se / estimate:.2f}"


@pytest.mark.parametrize("seed", SEEDS)
def test_bgnbd_recovers_known_parameters(seed):
    """20,000 customers acquired over 12 weeks and observed 27-39 weeks, CDNOW-like parameters."""
    truth = BGNBD(r=0.25, alpha=4.0, a=0.8, b=2.5)
    rng = np.random.default_rng(seed)
    draw = simulate.bgnbd(truth, rng.uniform(27.0, 39.0, 20_000), rng)
    _assert_recovered(bgnbd.fit(draw.frequency, draw.recency, draw.T), vars(truth))


@pytest.mark.parametrize("seed", SEEDS)
def test_pareto_nbd_recovers_known_parameters(seed):
    """20,000 customers over a 52-week window: β (the lifetime scale) needs deaths inside it."""
    truth = ParetoNBD(r=0.55, alpha=10.0, s=0.6, beta=12.0)
    rng = np.random.default_rng(seed)
    draw = simulate.paretonbd(truth, rng.uniform(40.0, 52.0, 20_000), rng)
    _assert_recovered(paretonbd.fit(draw.frequency, draw.recency, draw.T), vars(truth))


@pytest.mark.parametrize("seed", SEEDS)
def test_gamma_gamma_recovers_known_parameters(seed):
    """5,000 repeat buyers with 1-10 repeat purchases each."""
    truth = GammaGamma(p=6.0, q=3.5, gamma=15.0)
    rng = np.random.default_rng(seed)
    frequency = rng.integers(1, 11, 5_000).astype(float)
    monetary_value = simulate.gammagamma(truth, frequency, rng)
    _assert_recovered(gammagamma.fit(frequency, monetary_value), vars(truth))


def test_standard_errors_halve_when_the_data_are_repeated_four_times(cdnow):
    once = bgnbd.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    four = bgnbd.fit(*(np.tile(cdnow[c].to_numpy(), 4) for c in ("frequency", "recency", "T")))
    for name in once.params:
        assert four.params[name] == pytest.approx(once.params[name], rel=1e-5)
        assert four.estimate.standard_errors[name] == pytest.approx(once.estimate.standard_errors[name] / 2, rel=1e-3)


def test_standard_errors_equal_an_independent_hessian(cdnow):
    """Second differences of the public per-customer log-likelihood, in natural parameters."""
    x, t_x, T = (cdnow[c].to_numpy() for c in ("frequency", "recency", "T"))
    fit = bgnbd.fit(x, t_x, T)
    names = list(fit.params)
    center = np.array([fit.params[n] for n in names])

    def total(values: np.ndarray) -> float:
        return bgnbd.log_likelihood(BGNBD(*values), x, t_x, T).sum()

    steps = center * 1e-3
    k = len(names)
    hessian = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * steps[i], np.eye(k)[j] * steps[j]
            hessian[i, j] = (
                total(center + ei + ej) - total(center + ei - ej) - total(center - ei + ej) + total(center - ei - ej)
            ) / (4 * steps[i] * steps[j])
    independent = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    np.testing.assert_allclose([fit.estimate.standard_errors[n] for n in names], independent, rtol=1e-3)
