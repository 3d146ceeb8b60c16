"""The survey maths, as plain functions of answers (docs/surveys.md gives the formulas).

* **NPS** = 100 · (share of promoters 9–10 − share of detractors 0–6). Each respondent scores
  x = +1 (promoter), 0 (passive) or −1 (detractor); NPS = 100 · mean(x). Its variance per
  respondent is Var(x) = p_P + p_D − (p_P − p_D)², so the standard error of NPS is
  100 · √(Var(x) / n) and the 95% interval is NPS ± 1.96 · SE (normal approximation; n < 30
  is flagged as too small to read).
* **Performance ÷ importance** per attribute (docs/surveys.md): above 1 the bank does better than the
  attribute matters to customers, below 1 it falls short. Seed 001 defines satisfaction as perceived
  over *expected*; the questionnaires measure importance, not expectation, so the figure is named
  for what it divides and not called satisfaction.
* **Importance–performance analysis** (docs/surveys.md): attributes placed by mean importance (y) and
  mean performance (x); the thresholds are the means of those means. High importance and low
  performance: concentrate here; high and high: keep up the good work; low and low: low
  priority; low importance and high performance: possible overkill.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

Z95 = 1.96
MIN_READABLE = 30
# Staff surveys are anonymous: a branch (or any other group) with fewer answers is not shown on its
# own, so no one's answers can be picked out (k-anonymity, docs/surveys.md "Staff surveys").
MIN_STAFF_ANSWERS = 5


@dataclass(frozen=True)
class Nps:
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    se: float | None
    low: float | None
    high: float | None

    @property
    def readable(self) -> bool:
        return self.n >= MIN_READABLE


def nps(answers: Iterable[float]) -> Nps:
    """NPS of 0–10 answers with its standard error and 95% confidence interval (in NPS points)."""
    values = [a for a in answers if a is not None and not math.isnan(a)]
    n = len(values)
    promoters = sum(1 for a in values if a >= 9)
    detractors = sum(1 for a in values if a <= 6)
    if not n:
        return Nps(0, 0, 0, 0, None, None, None, None)
    p, d = promoters / n, detractors / n
    score = 100 * (p - d)
    variance = p + d - (p - d) ** 2
    se = 100 * math.sqrt(variance / n)
    return Nps(
        n,
        promoters,
        n - promoters - detractors,
        detractors,
        round(score, 1),
        round(se, 2),
        round(max(-100.0, score - Z95 * se), 1),
        round(min(100.0, score + Z95 * se), 1),
    )


QUADRANTS = ("concentrate", "keep_up", "low_priority", "overkill")
QUADRANT_LABELS = {
    "concentrate": _("Concentrate here"),
    "keep_up": _("Keep up the good work"),
    "low_priority": _("Low priority"),
    "overkill": _("Possible overkill"),
}


@dataclass(frozen=True)
class IpaPoint:
    attribute: str
    importance: float
    performance: float
    performance_ratio: float  # performance ÷ importance
    gap: float
    quadrant: str

    @property
    def quadrant_label(self) -> str:
        return str(QUADRANT_LABELS[self.quadrant])


@dataclass(frozen=True)
class Ipa:
    points: list[IpaPoint]
    importance_threshold: float | None
    performance_threshold: float | None


def quadrant(importance: float, performance: float, imp_threshold: float, perf_threshold: float) -> str:
    """A point on a threshold counts as high."""
    if importance >= imp_threshold:
        return "keep_up" if performance >= perf_threshold else "concentrate"
    return "overkill" if performance >= perf_threshold else "low_priority"


def ipa(means: Mapping[str, tuple[float | None, float | None]]) -> Ipa:
    """`means`: attribute -> (mean importance, mean performance), both on the same scale (None: no answers)."""
    usable = {a: (i, p) for a, (i, p) in means.items() if i is not None and p is not None and i > 0}
    if not usable:
        return Ipa([], None, None)
    imp_t = sum(i for i, _ in usable.values()) / len(usable)
    perf_t = sum(p for _, p in usable.values()) / len(usable)
    points = [
        IpaPoint(a, round(i, 3), round(p, 3), round(p / i, 3), round(p - i, 3), quadrant(i, p, imp_t, perf_t))
        for a, (i, p) in usable.items()
    ]
    return Ipa(points, round(imp_t, 3), round(perf_t, 3))


def rescale(value: float, points: int) -> float:
    """A 1..points rating on 0–10, so scores of 5- and 7-point scales can be compared."""
    return (value - 1) / (points - 1) * 10
