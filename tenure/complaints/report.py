"""The recovery report of one population of complaints: every number, chart and table the page and
its XLSX export show. Complaints come through the scoping layer, so a branch head's report covers
their subtree only; the maths is in `recovery` (pure functions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tenure import lake
from tenure.analytics.cache import cached
from tenure.analytics.config import AUM_PRODUCT_TYPES
from tenure.complaints import problems, recovery
from tenure.complaints.models import RootCause
from tenure.complaints.selectors import complaint_list, complaints_version
from tenure.customers.models import Account, ProductType
from tenure.org.models import Branch, Staff
from tenure.org.scoping import customers_for, scope_key, scoped
from tenure.queues.rules import active_target

DEFAULT_HORIZON_DAYS = 90
HORIZONS = (30, 60, 90, 180)
TOP_REPEAT = 50
COLUMNS = [
    "id",
    "customer_no",
    "branch",
    "product_type",
    "cause",
    "severity",
    "channel",
    "status",
    "owner",
    "received_at",
    "ack_due_at",
    "acknowledged_at",
    "resolve_due_at",
    "resolved_at",
    "escalation_level",
]


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    branch: str = ""
    product_type: str = ""
    horizon: int = DEFAULT_HORIZON_DAYS

    @classmethod
    def from_query(cls, query) -> Filters:
        def day(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(query.get(name, ""))
            except ValueError:
                return None

        horizon = query.get("horizon", "")
        return cls(
            date_from=day("from"),
            date_to=day("to"),
            branch=query.get("branch", "")[:16],
            product_type=query.get("product_type", "") if query.get("product_type", "") in ProductType.values else "",
            horizon=int(horizon) if horizon.isdigit() and int(horizon) in HORIZONS else DEFAULT_HORIZON_DAYS,
        )

    def described(self) -> str:
        parts = [f"{k}={v}" for k, v in vars(self).items() if v]
        return ", ".join(parts) or _("none")


@dataclass
class Report:
    filters: Filters
    complaints: int = 0
    customers: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, tuple[str, list[str], list[list[Any]]]] = field(default_factory=dict)


def complaints_frame(user, filters: Filters) -> pd.DataFrame:
    """The complaints `user` may see that match `filters`, one row each (see `recovery`)."""
    qs = complaint_list(user=user)
    if filters.date_from:
        qs = qs.filter(received_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(received_at__date__lte=filters.date_to)
    if filters.branch:
        qs = qs.filter(branch_id=filters.branch)
    if filters.product_type:
        qs = qs.filter(product_type=filters.product_type)
    rows = qs.values_list(
        "id",
        "customer__customer_no",
        "branch_id",
        "product_type",
        "root_cause__code",
        "severity",
        "channel",
        "status",
        "owner__username",
        "received_at",
        "ack_due_at",
        "acknowledged_at",
        "resolve_due_at",
        "resolved_at",
        "escalation_level",
    )
    frame = pd.DataFrame(list(rows), columns=COLUMNS)
    for name in ("received_at", "ack_due_at", "acknowledged_at", "resolve_due_at", "resolved_at"):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def _month_end_before(days: list[dt.date], day: dt.date) -> dt.date | None:
    before = [d for d in days if d <= day]
    return before[-1] if before else (days[0] if days else None)


def retention_outcomes(frame: pd.DataFrame, horizon_days: int) -> pd.Series:
    """`recovery.retained` for each complaint: AUM at the month-end before receipt against the first
    month-end at least `horizon_days` later (lake balances), and account closures by then."""
    customer_nos = sorted(set(frame.customer_no.dropna()))
    if frame.empty or not customer_nos:
        return pd.Series(np.nan, index=frame.index, dtype="object")
    # customer__customer_no is the key's own column (to_field): no join, and typed as the str it is.
    accounts = list(
        Account.objects.filter(customer_id__in=customer_nos).values_list(
            "account_id", "customer__customer_no", "product__product_type", "status", "closed_on"
        )
    )
    aum = lake.aum_by_owner([(a, c) for a, c, kind, _s, _d in accounts if kind in AUM_PRODUCT_TYPES], months=600)
    days = sorted(aum)
    closed_on: dict[str, list[dt.date | None]] = {}
    for _a, customer_no, _k, status, closed in accounts:
        closed_on.setdefault(customer_no, []).append(closed if status == "closed" else None)
    tz = timezone.get_current_timezone()
    baseline, observed, all_closed = [], [], []
    for customer_no, received in zip(frame.customer_no, frame.received_at, strict=True):
        day = received.tz_convert(tz).date()
        target = day + dt.timedelta(days=horizon_days)
        base_day = _month_end_before(days, day)
        obs_day = next((d for d in days if d >= target), None)
        baseline.append(float(aum[base_day].get(customer_no, Decimal(0))) if base_day and customer_no else np.nan)
        observed.append(float(aum[obs_day].get(customer_no, Decimal(0))) if obs_day and customer_no else np.nan)
        closes = closed_on.get(customer_no, [None])
        all_closed.append(all(c is not None and c <= target for c in closes))
    return recovery.retained(
        pd.Series(baseline, index=frame.index),
        pd.Series(observed, index=frame.index),
        pd.Series(all_closed, index=frame.index),
        _lost_aum_share(),
    )


def _lost_aum_share() -> float:
    """The churn definition's AUM share below which a customer counts as lost: churn builds on
    complaints (they are one of its signals), so this one read of it is imported when called
    (docs/architecture.md)."""
    from tenure.churn.config import churn_config

    return churn_config()["label"]["aum_share"]


def _pct(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else round(100 * float(value), 1)


def build(user, filters: Filters, now: dt.datetime | None = None) -> Report:
    """Everything the recovery page shows for `user`'s scope and `filters`."""
    now_ts = pd.Timestamp(now or timezone.now())
    frame = complaints_frame(user, filters)
    customers = customers_for(user)
    if filters.branch:
        customers = customers.filter(branch_id=filters.branch)
    report = Report(filters=filters, complaints=len(frame), customers=customers.count())
    if frame.empty:
        return report
    causes = {c.code: c.label for c in RootCause.objects.all()}
    branches = dict(scoped(Branch.objects.all(), user).values_list("code", "name"))
    products = dict(ProductType.choices)
    frame["retained"] = retention_outcomes(frame, filters.horizon)
    sla = recovery.sla_compliance(frame, now_ts)
    speeds = recovery.retention_by_speed(frame, horizon_days=filters.horizon)
    report.summary = {
        "per_10k": recovery.per_10k(len(frame), report.customers),
        "complainants": int(frame.customer_no.nunique()),
        "unmatched": int(frame.customer_no.isna().sum()),
        "ack_on_time_pct": _pct(sla["ack_on_time"]),
        "resolved_on_time_pct": _pct(sla["resolved_on_time"]),
        "open": sla["open"],
        "open_overdue": sla["open_overdue"],
        "median_days": round(float(recovery.resolution_days(frame).median()), 1) if sla["resolved"] else None,
        "seed": {k: _pct(v) for k, v in recovery.SEED_000.items()},
        "target_minutes": active_target().minutes,
        "lake_last_day": problems.last_day(),
    }
    pareto = recovery.pareto(frame, causes)
    report.charts = {
        "hist": {"name": _("Complaints"), "unit": _("days"), **recovery.histogram(recovery.resolution_days(frame))},
        "pareto": {
            "labels": pareto["labels"],
            "values": pareto["values"],
            "cumulative": pareto["cumulative"],
            "bar": _("Complaints"),
            "line": _("Cumulative share"),
        },
        "speed": {
            "name": _("Still a customer"),
            "labels": [str(speed_labels()[s]) for s in speeds.speed],
            "values": [_pct(v) for v in speeds.share],
        },
    }
    per_branch = dict(customers.values_list("branch_id").annotate(n=Count("id")))
    report.tables = _tables(frame, per_branch, branches, products, now_ts, pareto, filters.horizon)
    comparison = problems.repurchase_comparison(
        frame,
        _filed(user),
        list(customers.values_list("customer_no", flat=True)),
        filters.date_from,
        filters.date_to,
        filters.horizon,
    )
    report.charts["repurchase"], report.tables["repurchase"] = _repurchase(comparison)
    return report


def cached_build(user, filters: Filters) -> Report:
    """`build`, computed once per data version and state of the complaints for the same scope, filters
    and language (1.2 s a view on the 20,000-customer demo). Open and overdue counts may lag the
    clock by up to `analytics.cache.CACHE_SECONDS`."""
    key = (scope_key(user), filters, get_language(), complaints_version())
    return cached("complaints.report", key, lambda: build(user, filters))


def _filed(user) -> pd.DataFrame:
    """customer_no, day (local) of every complaint `user` may see: who spoke up, whatever the filters."""
    rows = complaint_list(user=user).filter(customer__isnull=False).values_list("customer__customer_no", "received_at")
    return pd.DataFrame([(c, timezone.localtime(at).date()) for c, at in rows], columns=["customer_no", "day"])


def group_labels() -> dict[str, str]:
    """Labels of `recovery.GROUPS`: how a complaint was resolved, or no complaint at all."""
    return {**speed_labels(), "no_complaint": _("Had a problem, did not complain")}


def problem_labels() -> dict[str, str]:
    """Labels of `recovery.PROBLEMS`."""
    return {"major": _("Major problem"), "minor": _("Minor problem")}


def _repurchase(comparison: pd.DataFrame) -> tuple[dict[str, Any], tuple[str, list[str], list[list[Any]]]]:
    """The repurchase chart (share per group, one series per problem size) and its table."""
    groups, sizes = group_labels(), problem_labels()
    chart = {
        "labels": [str(groups[g]) for g in recovery.GROUPS],
        "series": [
            {
                "name": str(sizes[p]),
                "values": [_pct(r.share) for r in comparison[comparison.problem == p].itertuples()],
            }
            for p in recovery.PROBLEMS
        ],
        "unit": "%",
    }
    rows = [
        [groups[r.group], sizes[r.problem], r.observed, r.repurchased, _pct(r.share)] for r in comparison.itertuples()
    ]
    head = [_("Group"), _("Problem"), _("Problems observed"), _("Bought again"), _("Share bought again (%)")]
    return chart, (_("Repurchase after a problem"), head, rows)


def speed_labels() -> dict[str, str]:
    """Labels of `recovery.SPEEDS` in the current language."""
    return {
        "within_1_day": _("Resolved within 1 day"),
        "within_sla": _("Resolved within the SLA"),
        "late": _("Resolved late"),
        "unresolved": _("Not resolved"),
    }


def _tables(
    frame, per_branch_customers: dict[str, int], branches, products, now_ts, pareto, horizon: int
) -> dict[str, tuple]:
    speeds = speed_labels()
    retention = [
        [speeds[r.speed], r.observed, r.retained, _pct(r.share)]
        for r in recovery.retention_by_speed(frame, horizon_days=horizon).itertuples()
    ]
    by_branch = [
        [branches.get(r.branch, r.branch or "—"), speeds[r.speed], r.observed, r.retained, _pct(r.share)]
        for r in recovery.retention_by_speed(
            frame.assign(branch=frame.branch.fillna("—")), "branch", horizon
        ).itertuples()
    ]
    by_product = [
        [
            str(products.get(r.product_type, _("Not about one product"))),
            speeds[r.speed],
            r.observed,
            r.retained,
            _pct(r.share),
        ]
        for r in recovery.retention_by_speed(frame, "product_type", horizon).itertuples()
    ]
    volume = frame.groupby(frame.branch.fillna("—")).size()
    rates = [
        [
            branches.get(b, b),
            int(n),
            per_branch_customers.get(b, 0),
            recovery.per_10k(int(n), per_branch_customers.get(b, 0)),
        ]
        for b, n in volume.items()
    ]
    kpi_head = [
        _("Complaints"),
        _("Resolved"),
        _("Resolved on time (%)"),
        _("Median days to resolve"),
        _("Escalated"),
        _("Open and overdue"),
    ]

    def kpi_rows(by: str, names: dict) -> list[list]:
        return [
            [
                names.get(r[by], r[by]),
                r.complaints,
                r.resolved,
                _pct(r.on_time),
                r.median_days,
                r.escalated,
                r.open_overdue,
            ]
            for _i, r in recovery.service_kpis(frame, by, now_ts).iterrows()
        ]

    repeat = recovery.repeat_complainers(frame).head(TOP_REPEAT)
    speed_head = [_("Resolution speed"), _("Complaints observed"), _("Still a customer"), _("Share (%)")]
    return {
        "rates": (
            _("Complaints per 10,000 customers by branch"),
            [_("Branch"), _("Complaints"), _("Customers"), _("Per 10,000 customers")],
            rates,
        ),
        "pareto": (
            _("Root causes (Pareto)"),
            [_("Root cause"), _("Complaints"), _("Cumulative share (%)")],
            [
                [lbl, v, _pct(c)]
                for lbl, v, c in zip(pareto["labels"], pareto["values"], pareto["cumulative"], strict=True)
            ],
        ),
        "retention": (_("Retention of complainants by resolution speed"), speed_head, retention),
        "retention_branch": (_("Retention by branch"), [_("Branch"), *speed_head], by_branch),
        "retention_product": (_("Retention by product"), [_("Product type"), *speed_head], by_product),
        "kpi_branch": (_("Service KPIs per branch"), [_("Branch"), *kpi_head], kpi_rows("branch", branches)),
        "kpi_staff": (
            _("Service KPIs per handler"),
            [_("Handler"), *kpi_head],
            kpi_rows("owner", _handler_names(frame)),
        ),
        "repeat": (
            _("Repeat complainers"),
            [_("Customer number"), _("Complaints"), _("Last complaint"), _("Open")],
            [
                [r.customer_no, r.complaints, timezone.localtime(r.last_received_at).date().isoformat(), r.open]
                for r in repeat.itertuples()
            ],
        ),
    }


def _handler_names(frame: pd.DataFrame) -> dict[str, str]:
    """username -> the handler's name, as staff read the KPI table (not E100105)."""
    usernames = {u for u in frame["owner"].dropna().unique() if u}
    return {staff.username: str(staff) for staff in Staff.objects.filter(username__in=usernames)}
