"""Service stars (服务明星, seed 003 §激励机制): the weighting of scorecard figures, who may win, and
the award itself as a pure function of the candidates' totals (docs/performance.md).

Score of an eligible RM = Σ weight × percentile rank of the RM's figure among the eligible RMs of
the award (0 worst … 100 best; equal values share their mid-rank; a figure the RM has no input for,
or too few survey answers for, counts 50) ÷ Σ weight, rounded to 2 places. Percentile ranks, not
raw values, so yuan, shares and counts weigh as configured whatever their scale.

Eligible: an active RM whose book at month-end holds at least `min_book` customers (a tiny book
cannot win on ratios). Ties on the score go to the larger book at month-end, then the larger AUM at
month-end, then the lower employee number.
"""

from __future__ import annotations

import copy
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenure.core.audit import audit
from tenure.performance.figures import Totals
from tenure.performance.models import StarRules


@dataclass(frozen=True)
class Metric:
    label: Any
    value: Callable[[Totals], float | None]
    higher_is_better: bool = True
    needs_answers: bool = False  # counts only with at least `min_answers` survey answers
    unit: str = "%"


METRICS: dict[str, Metric] = {
    "aum_growth": Metric(_("AUM growth on the previous month-end"), lambda t: t.aum_growth),
    "net_new": Metric(_("Net new customers per 100 in the book"), lambda t: t.net_new_per_100, unit=""),
    "retention": Metric(_("Retention rate"), lambda t: t.retention),
    "alerts_on_time": Metric(_("Churn alerts acted on in time"), lambda t: t.alerts_on_time_pct),
    "plan_coverage": Metric(_("Contact plan coverage"), lambda t: t.coverage_pct),
    "tasks_on_time": Metric(_("Tasks done in time"), lambda t: t.tasks_on_time_pct),
    "complaints": Metric(
        _("Complaints per 100 customers"), lambda t: t.complaints_per_100, higher_is_better=False, unit=""
    ),
    "satisfaction": Metric(_("Satisfaction (0–10)"), lambda t: t.satisfaction, needs_answers=True, unit=""),
    "nps": Metric(_("Net promoter score"), lambda t: t.nps, needs_answers=True, unit=""),
    "products_sold": Metric(_("Accounts opened per 100 customers"), lambda t: t.products_per_100, unit=""),
}

DEFAULT_RULES: dict[str, Any] = {
    "weights": {
        "aum_growth": 20,
        "net_new": 10,
        "retention": 15,
        "alerts_on_time": 10,
        "plan_coverage": 10,
        "tasks_on_time": 5,
        "complaints": 5,
        "satisfaction": 10,
        "nps": 10,
        "products_sold": 5,
    },
    "min_book": 20,
    "min_answers": 5,
}
NEUTRAL = 50.0


class StarRulesError(ValueError):
    """Rules that cannot be used; the message starts with the field's name."""


def validate_rules(rules: Any) -> dict[str, Any]:
    """Return `rules` if usable, else raise StarRulesError naming the field."""
    if not isinstance(rules, dict):
        raise StarRulesError("rules: an object")
    weights = rules.get("weights")
    if not isinstance(weights, dict) or not weights:
        raise StarRulesError("weights: an object of figure → weight")
    for key, weight in weights.items():
        if key not in METRICS:
            raise StarRulesError(f"weights.{key}: not a figure ({', '.join(METRICS)})")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 100:
            raise StarRulesError(f"weights.{key}: a number from 0 to 100")
    if sum(weights.values()) <= 0:
        raise StarRulesError("weights: at least one weight above 0")
    for key, top in (("min_book", 100_000), ("min_answers", 10_000)):
        value = rules.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise StarRulesError(f"{key}: a whole number from 0 to {top}")
    unknown = set(rules) - {"weights", "min_book", "min_answers"}
    if unknown:
        raise StarRulesError(f"{sorted(unknown)[0]}: not a setting of the star rules")
    return rules


@dataclass(frozen=True)
class Rules:
    version: int
    rules: dict[str, Any]

    @property
    def weights(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.rules["weights"].items() if v}


def active_rules() -> Rules:
    """The latest version; version 1 (the defaults) is created on first use."""
    row = StarRules.objects.order_by("-version").first()
    if row is None:
        row, _ = StarRules.objects.get_or_create(version=1, defaults={"rules": copy.deepcopy(DEFAULT_RULES)})
    return Rules(row.version, row.rules)


@transaction.atomic
def star_rules_save(*, by, rules: dict[str, Any], note: str) -> Rules:
    """Store `rules` as the next version (audited `stars.rules_save`); awards computed from then on use it."""
    validate_rules(rules)
    current = active_rules()
    row = StarRules.objects.create(version=current.version + 1, rules=rules, note=note[:200], created_by=by)
    audit(
        action="stars.rules_save",
        actor=by,
        object_type="StarRules",
        object_id=row.version,
        detail={"note": note[:200], "rules": rules},
    )
    return Rules(row.version, row.rules)


@dataclass(frozen=True)
class Candidate:
    employee_no: str
    totals: Totals


@dataclass(frozen=True)
class Result:
    """The winner (None without an eligible candidate) and every eligible candidate's inputs, best first."""

    winner: str | None
    score: float | None
    ranking: list[dict[str, Any]]
    ineligible: list[str]


def _percentiles(values: dict[str, float], higher_is_better: bool) -> dict[str, float]:
    """Mid-rank percentile (0 … 100) of each value among `values`; one value alone is 100."""
    n = len(values)
    ordered = sorted(values.values())  # counted by bisection: the bank-wide award ranks thousands of RMs
    out: dict[str, float] = {}
    for key, value in values.items():
        less, not_more = bisect_left(ordered, value), bisect_right(ordered, value)
        below = less if higher_is_better else n - not_more
        equal = not_more - less
        out[key] = 100.0 if n == 1 else 100.0 * (below + (equal - 1) / 2) / (n - 1)
    return out


def award(candidates: Sequence[Candidate], rules: Rules) -> Result:
    """Decide one award among `candidates` (the RMs of the branch or the bank) under `rules`."""
    min_book, min_answers = rules.rules["min_book"], rules.rules["min_answers"]
    eligible = [c for c in candidates if c.totals.book >= min_book]
    ineligible = sorted(c.employee_no for c in candidates if c.totals.book < min_book)
    weights = rules.weights
    inputs: dict[str, dict[str, float | None]] = {c.employee_no: {} for c in eligible}
    ranks: dict[str, dict[str, float]] = {c.employee_no: {} for c in eligible}
    for key, metric in METRICS.items():
        if key not in weights:
            continue
        values: dict[str, float] = {}
        for c in eligible:
            value = metric.value(c.totals)
            enough = not metric.needs_answers or _answers(c.totals, key) >= min_answers
            inputs[c.employee_no][key] = value
            if value is not None and enough:
                values[c.employee_no] = value
        pct = _percentiles(values, metric.higher_is_better)
        for c in eligible:
            ranks[c.employee_no][key] = round(pct.get(c.employee_no, NEUTRAL), 2)
    total_weight = sum(weights.values())
    ranking = []
    for c in eligible:
        score = round(sum(weights[k] * ranks[c.employee_no][k] for k in weights) / total_weight, 2)
        ranking.append(
            {
                "employee_no": c.employee_no,
                "score": score,
                "book": c.totals.book,
                "aum": str(c.totals.aum),
                "inputs": inputs[c.employee_no],
                "percentiles": ranks[c.employee_no],
            }
        )
    ranking.sort(key=lambda r: (-r["score"], -r["book"], -Decimal(r["aum"]), r["employee_no"]))
    winner = ranking[0] if ranking else None
    return Result(winner["employee_no"] if winner else None, winner["score"] if winner else None, ranking, ineligible)


def _answers(totals: Totals, key: str) -> int:
    return totals.nps_answers if key == "nps" else totals.survey_answers
