"""The closed forms against independent computations: direct likelihoods, numerical integrals,
finite-difference gradients, and simulated truth for the conditional predictions."""

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import betaln, gammaln

from tenure.clv import bgnbd, gammagamma, inputs, paretonbd, simulate
from tenure.clv.bgnbd import BGNBD
from tenure.clv.gammagamma import GammaGamma
from tenure.clv.paretonbd import ParetoNBD

BG = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
PARETO = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
# A few histories covering the branches: no repeat, t_x = T, t_x far from T, many purchases.
HISTORIES = np.array(
    [[0, 0.0, 38.86], [2, 30.43, 38.86], [1, 1.71, 38.86], [7, 29.43, 38.86], [5, 20.0, 20.0], [29, 38.0, 38.5]]
)


def test_bgnbd_log_likelihood_is_fhl_equation_6(cdnow):
    """Eq. 6 written with beta functions and no log-sum-exp, customer by customer."""
    x, t_x, T = (cdnow[c].to_numpy() for c in ("frequency", "recency", "T"))
    r, alpha, a, b = BG.r, BG.alpha, BG.a, BG.b
    nbd = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha))
    alive = np.exp(betaln(a, b + x) - betaln(a, b)) * nbd / (alpha + T) ** (r + x)
    gone = np.where(
        x > 0, np.exp(betaln(a + 1, np.maximum(b + x - 1, 1e-9)) - betaln(a, b)) * nbd / (alpha + t_x) ** (r + x), 0
    )
    np.testing.assert_allclose(bgnbd.log_likelihood(BG, x, t_x, T), np.log(alive + gone), rtol=1e-10)


def test_bgnbd_fast_objective_equals_the_sum_of_per_customer_terms(cdnow):
    c = inputs.customers(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    theta = np.log([BG.r, BG.alpha, BG.a, BG.b])
    value, _ = bgnbd._objective(bgnbd._Data(c))(theta)
    assert -value * len(c) == pytest.approx(bgnbd.log_likelihood(BG, c.frequency, c.recency, c.T).sum(), rel=1e-12)


@pytest.mark.parametrize("which", ["bgnbd", "gammagamma"])
def test_analytic_gradients_match_finite_differences(cdnow_spend, which):
    x, t_x, T, m_x = (cdnow_spend[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    if which == "bgnbd":
        objective = bgnbd._objective(bgnbd._Data(inputs.customers(x, t_x, T)))
        points = [np.log([0.243, 4.414, 0.793, 2.426]), np.log([1.0, 3.0, 1.0, 3.0]), np.log([2.0, 0.5, 5.0, 0.3])]
    else:
        objective = gammagamma._objective(*inputs.spend(x, m_x))
        points = [np.log([6.25, 3.74, 15.44]), np.log([1.0, 2.0, 35.0]), np.log([20.0, 1.2, 3.0])]
    for theta in points:
        _, gradient = objective(theta)
        step = 1e-6
        numerical = [
            (objective(theta + step * e)[0] - objective(theta - step * e)[0]) / (2 * step) for e in np.eye(len(theta))
        ]
        np.testing.assert_allclose(gradient, numerical, rtol=1e-5, atol=1e-8)


def test_gamma_gamma_log_likelihood_is_the_density_of_a_mean_of_gamma_draws():
    """m_x is the mean of x gamma(p, ν) values, i.e. gamma(px, rate xν); integrate over ν ~ gamma(q, γ)."""
    model = GammaGamma(p=6.25, q=3.74, gamma=15.44)
    for x, m_x in [(1, 11.77), (2, 22.35), (7, 40.0), (29, 5.0)]:

        def integrand(nu, x=x, m_x=m_x):
            return stats.gamma.pdf(m_x, model.p * x, scale=1 / (x * nu)) * stats.gamma.pdf(
                nu, model.q, scale=1 / model.gamma
            )

        density, _ = integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-10, limit=200)
        assert gammagamma.log_likelihood(model, [x], [m_x])[0] == pytest.approx(np.log(density), abs=1e-7)


@pytest.mark.parametrize(
    "model", [PARETO, ParetoNBD(r=0.9, alpha=25.0, s=1.4, beta=3.0)], ids=["alpha<beta", "alpha>beta"]
)
def test_pareto_nbd_hypergeometric_likelihood_equals_its_integral(model):
    """Fader–Hardie: s/(r+s+x)·A₀ = s∫_{t_x}^{T}(α+y)^-(r+x)(β+y)^-(s+1)dy, on both sides of α = β."""
    r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
    for x, t_x, T in HISTORIES:

        def died(y, x=x):
            return s * beta**s * (alpha + y) ** -(r + x) * (beta + y) ** -(s + 1)

        gone, _ = integrate.quad(died, t_x, T, epsabs=0, epsrel=1e-12)
        alive = (alpha + T) ** -(r + x) * (beta / (beta + T)) ** s
        expected = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + np.log(alive + gone)
        assert paretonbd.log_likelihood(model, [x], [t_x], [T])[0] == pytest.approx(expected, abs=1e-8)


def test_bgnbd_expected_transactions_is_the_mixture_of_the_individual_curve():
    """E[X(t) | λ, p] = (1 - e^(-λpt))/p (FHL eq. 5); averaging over λ gives (1 - (α/(α+pt))^r)/p,
    then integrate over p ~ beta(a, b)."""
    for t in (1.0, 39.0, 78.0, 520.0):

        def integrand(p, t=t):
            return (1 - (BG.alpha / (BG.alpha + p * t)) ** BG.r) / p * stats.beta.pdf(p, BG.a, BG.b)

        expected, _ = integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-10, limit=200)
        assert BG.expected_transactions(t) == pytest.approx(expected, rel=1e-7)


def test_pareto_expected_transactions_is_the_mixture_of_the_individual_curve():
    """E[X(t) | λ, μ] = λ/μ·(1 - e^(-μt)); average λ to r/α, integrate μ over gamma(s, β)."""
    model = PARETO
    for t in (1.0, 39.0, 78.0, 520.0):

        def integrand(mu, t=t):
            return -np.expm1(-mu * t) / mu * stats.gamma.pdf(mu, model.s, scale=1 / model.beta)

        expected, _ = integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-10, limit=200)
        assert model.expected_transactions(t) == pytest.approx(model.r / model.alpha * expected, rel=1e-7)


def test_pareto_nbd_at_s_equal_one_uses_the_logarithmic_limit():
    near, at = ParetoNBD(0.5, 10.0, 1.0 + 1e-7, 12.0), ParetoNBD(0.5, 10.0, 1.0, 12.0)
    assert at.expected_transactions(39.0) == pytest.approx(near.expected_transactions(39.0), rel=1e-6)
    args = (39.0, [2.0], [30.0], [38.0])
    assert at.conditional_expected_transactions(*args)[0] == pytest.approx(
        near.conditional_expected_transactions(*args)[0], rel=1e-6
    )


@pytest.mark.parametrize(
    ("simulator", "model"),
    [(simulate.bgnbd, BG), (simulate.paretonbd, PARETO)],
    ids=["bgnbd", "pareto"],
)
def test_conditional_predictions_match_simulated_truth(simulator, model):
    """Simulate 200,000 CDNOW-like customers with a 39-week holdout; within each calibration
    frequency (0, 1, 2, 3-5, 6+) the mean E[Y(39) | x, t_x, T] must match the mean simulated holdout
    purchases, and mean P(alive) the share actually alive, within 4 Monte Carlo standard errors."""
    rng = np.random.default_rng(20050101)
    n = 200_000
    draw = simulator(model, rng.uniform(27.0, 39.0, n), rng, horizon=39.0)
    expected = model.conditional_expected_transactions(39.0, draw.frequency, draw.recency, draw.T)
    p_alive = model.p_alive(draw.frequency, draw.recency, draw.T)
    groups = np.digitize(draw.frequency, [1, 2, 3, 6])
    for group in range(5):
        members = groups == group
        for predicted, actual in ((expected, draw.holdout), (p_alive, draw.alive.astype(float))):
            error = actual[members] - predicted[members]
            standard_error = error.std() / np.sqrt(members.sum())
            assert abs(error.mean()) <= 4 * standard_error, (group, error.mean(), standard_error)


def test_bgnbd_customers_without_repeat_purchase_are_alive():
    """In the BG/NBD story dropout happens only right after a purchase."""
    assert BG.p_alive([0, 0], [0, 0], [10.0, 100.0]).tolist() == [1.0, 1.0]
