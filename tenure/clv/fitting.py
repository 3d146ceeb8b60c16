"""Maximum likelihood shared by the three models.

Every parameter of these models is positive, so the optimiser works on log-parameters: no bounds
to hit at zero, and steps are relative. The objective is the *mean* negative log-likelihood per
customer, so tolerances mean the same thing for 2,000 customers and for a million.

Convergence is judged statistically, not by the optimiser's own stopping flag: at the returned point
the log-likelihood Hessian must be negative definite (a proper maximum) and the Newton decrement
g'H⁻¹g must be below 1e-4, which says the remaining distance to the exact maximum is under 1% of a
standard error in every direction. Standard errors come from the numerical Hessian of the total
negative log-likelihood at the optimum; at a maximum the delta method from log-parameters back to
parameters is exact to first order (the gradient term vanishes), so se(p) = p·se(log p).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import ThreadpoolController

from tenure.clv.errors import ConvergenceError

# Mean negative log-likelihood and its gradient, both as functions of the log-parameters.
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]

LOG_BOUND = 25.0  # |log p| ≤ 25, i.e. 1.4e-11 ≤ p ≤ 7.2e10: beyond that a parameter has run away
NEWTON_DECREMENT_TOL = 1e-4
HESSIAN_STEP = 1e-4  # in log-parameter units: a 0.01% relative change

Model = TypeVar("Model")

# L-BFGS-B's linear algebra is on 3-4 parameters; letting OpenBLAS wake its threads for that made
# the CDNOW fit 20x slower (0.13 s against 5 ms) on a busy two-core machine.
_BLAS = ThreadpoolController()


@dataclass(frozen=True)
class Estimate:
    """What the optimiser found: parameters on their natural scale and the evidence it is a maximum."""

    params: dict[str, float]
    log_likelihood: float
    standard_errors: dict[str, float]
    n_customers: int
    converged: bool
    message: str
    iterations: int
    seconds: float


@dataclass(frozen=True)
class FitResult(Generic[Model]):
    """A fitted model (its parameters, with prediction methods) and the diagnostics of the fit."""

    model: Model
    estimate: Estimate = field(repr=False)

    @property
    def params(self) -> dict[str, float]:
        return self.estimate.params

    def summary(self) -> dict:
        """The fields `tenure clv fit --json` prints."""
        e = self.estimate
        return {
            "params": e.params,
            "log_likelihood": e.log_likelihood,
            "standard_errors": e.standard_errors,
            "n_customers": e.n_customers,
            "converged": e.converged,
            "iterations": e.iterations,
            "seconds": e.seconds,
        }


def numerical_gradient(function: Callable[[np.ndarray], float], step: float = 1e-6) -> Objective:
    """Wrap a mean negative log-likelihood with central-difference derivatives, for models whose
    analytic gradient would cost more code than it saves time (the Pareto/NBD's hypergeometric terms)."""

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        grad = np.empty_like(theta)
        for i in range(len(theta)):
            shift = np.zeros_like(theta)
            shift[i] = step
            grad[i] = (function(theta + shift) - function(theta - shift)) / (2 * step)
        return function(theta), grad

    return objective


def hessian(objective: Objective, theta: np.ndarray, step: float = HESSIAN_STEP) -> np.ndarray:
    """Central differences of the gradient, symmetrised; units of the objective per log-parameter²."""
    k = len(theta)
    rows = np.empty((k, k))
    for j in range(k):
        shift = np.zeros(k)
        shift[j] = step
        rows[j] = (objective(theta + shift)[1] - objective(theta - shift)[1]) / (2 * step)
    return (rows + rows.T) / 2


def maximize(objective: Objective, start: dict[str, float], n_customers: int) -> Estimate:
    """Maximise a likelihood from `start` (natural-scale parameters) and report whether it worked."""
    names = list(start)
    theta0 = np.log(np.array([start[name] for name in names], dtype=float))
    started = time.perf_counter()
    with np.errstate(all="ignore"), _BLAS.limit(limits=1, user_api="blas"):
        result = minimize(
            objective,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-LOG_BOUND, LOG_BOUND)] * len(names),
            options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
        )
        theta = result.x
        value, gradient = objective(theta)
        total_hessian = n_customers * hessian(objective, theta)
    converged, message, covariance = _check(names, theta, value, n_customers * gradient, total_hessian, result)
    params = np.exp(theta)
    ses = params * np.sqrt(np.diag(covariance)) if covariance is not None else np.full(len(names), np.nan)
    if not converged:
        message += " (stopped at " + ", ".join(f"{n}={p:.4g}" for n, p in zip(names, params, strict=True)) + ")"
    return Estimate(
        params={name: float(p) for name, p in zip(names, params, strict=True)},
        log_likelihood=float(-n_customers * value),
        standard_errors={name: float(se) for name, se in zip(names, ses, strict=True)},
        n_customers=n_customers,
        converged=converged,
        message=message,
        iterations=int(result.nit),
        seconds=time.perf_counter() - started,
    )


def _check(names, theta, value, gradient, total_hessian, result) -> tuple[bool, str, np.ndarray | None]:
    if not (np.isfinite(value) and np.isfinite(theta).all() and np.isfinite(total_hessian).all()):
        return False, "the log-likelihood is not finite at the estimate", None
    at_bound = [name for name, t in zip(names, theta, strict=True) if abs(t) >= LOG_BOUND - 1e-6]
    if at_bound:
        return (
            False,
            f"parameter(s) {', '.join(at_bound)} ran off to 0 or infinity: the data do not identify them",
            None,
        )
    try:
        chol = np.linalg.cholesky(total_hessian)
    except np.linalg.LinAlgError:
        return False, "no proper maximum: the Hessian of the negative log-likelihood is not positive definite", None
    step = np.linalg.solve(chol.T, np.linalg.solve(chol, gradient))
    decrement = float(gradient @ step)
    if decrement > NEWTON_DECREMENT_TOL:
        return False, f"stopped short of the maximum (Newton decrement {decrement:.2g}; {result.message})", None
    return True, "converged", np.linalg.inv(total_hessian)


def fit_result(model: Model, estimate: Estimate, model_name: str) -> FitResult[Model]:
    """Pair the model with its estimate, refusing a fit that did not converge."""
    if not estimate.converged:
        raise ConvergenceError(f"{model_name} fit on {estimate.n_customers} customers failed: {estimate.message}")
    return FitResult(model=model, estimate=estimate)
