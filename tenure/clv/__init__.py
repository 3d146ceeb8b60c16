"""Probabilistic customer lifetime value: BG/NBD, Pareto/NBD and Gamma-Gamma, fitted by maximum likelihood.

A plain Python package (no Django app, no models): numpy/scipy maths on per-customer arrays, used
by `tenure clv` and meant for the nightly pipeline; also the retention maths (Kaplan–Meier with
Greenwood intervals, cohort triangles). See docs/clv.md for the formulas and the CDNOW check.
"""

from tenure.clv.bgnbd import BGNBD
from tenure.clv.clv import customer_lifetime_value
from tenure.clv.errors import CLVError, CLVInputError, ConvergenceError
from tenure.clv.fitting import FitResult
from tenure.clv.gammagamma import GammaGamma
from tenure.clv.paretonbd import ParetoNBD

__all__ = [
    "BGNBD",
    "CLVError",
    "CLVInputError",
    "ConvergenceError",
    "FitResult",
    "GammaGamma",
    "ParetoNBD",
    "customer_lifetime_value",
]
