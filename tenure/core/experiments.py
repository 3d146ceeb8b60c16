"""Campaigns measured against a control group (retention and offer campaigns): the random split into
treated and control, and confidence intervals for a difference of two proportions (e.g. churn in
control minus churn in treated).

Newcombe's hybrid score interval (Newcombe 1998, method 10) built from the two Wilson score
intervals: unlike the Wald interval it stays inside [-1, 1], behaves with small groups and with
churn rates near 0, which is where retention campaigns live. The Wald interval is returned too,
for comparison only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054
TREATED, CONTROL = "treated", "control"  # the groups' codes, as campaign members store them


def split_groups(customer_ids: list[int], control_share: float, seed: int) -> dict[int, str]:
    """customer id -> treated/control; the ids are sorted first so the split depends only on the set and seed."""
    ids = sorted(customer_ids)
    order = np.random.default_rng(seed).permutation(len(ids))
    control = {ids[i] for i in order[: round(control_share * len(ids))]}
    return {c: CONTROL if c in control else TREATED for c in ids}


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes out of n (n > 0)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Difference:
    """p1 - p2 with its 95% intervals (Newcombe, and Wald for comparison)."""

    p1: float
    p2: float
    diff: float
    low: float
    high: float
    wald_low: float
    wald_high: float


def newcombe_difference(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> Difference:
    """Newcombe hybrid score interval for p1 - p2 (p1 = k1/n1, p2 = k2/n2; both n > 0)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return Difference(p1, p2, d, low, high, d - z * se, d + z * se)
