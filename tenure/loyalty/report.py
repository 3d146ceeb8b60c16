"""The loyalty report of one population: every number and table the dashboard and its exports show.

The population is the latest nightly "activity" and "clv" outputs restricted through the
scoping layer (`visible_branch_codes`) and then by the page's filters, so a branch head's report
is computed from their subtree's customers only, never from bank-wide aggregates. The tables are
declared once (`Report.tables`) and rendered both as HTML and as XLSX sheets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tenure import lake
from tenure.analytics import retention
from tenure.analytics.cache import cached
from tenure.analytics.charts import LEVEL_LABELS, TIER_LABELS
from tenure.analytics.config import LEVEL_ORDER, TIER_ORDER
from tenure.analytics.models import AssetTier, NightlyRun, ValueLevel
from tenure.core.figures import Percent, Yuan
from tenure.loyalty import wallet
from tenure.org.models import Branch
from tenure.org.scoping import customers_for, is_book_owner_default, my_book, scope_key, visible_branch_codes

TOP = 50
PARETO_POINTS = 20
THANK_YOU_MIN_P_ALIVE = 0.8
NAME_TABLES = frozenset({"top_clv", "thank_you"})
NAME_COLUMN = 1  # in those tables: masked in exports


@dataclass(frozen=True)
class Filters:
    branch: str = ""
    tier: str = ""
    level: str = ""
    baseline_from: str = ""  # YYYY-MM
    baseline_to: str = ""

    @classmethod
    def from_query(cls, query) -> Filters:
        def month(name: str) -> str:
            value = query.get(name, "")
            return value if len(value) == 7 and value[4] == "-" and value.replace("-", "").isdigit() else ""

        return cls(
            branch=query.get("branch", "")[:16],
            tier=query.get("tier", "") if query.get("tier", "") in AssetTier.values else "",
            level=query.get("level", "") if query.get("level", "") in ValueLevel.values else "",
            baseline_from=month("baseline_from"),
            baseline_to=month("baseline_to"),
        )

    def described(self) -> str:
        """The filters as the page's form words them (names and labels, not codes)."""
        shown = {
            _("Branch"): Branch.objects.filter(code=self.branch).first() if self.branch else None,
            _("Tier"): TIER_LABELS.get(self.tier) if self.tier else None,
            _("Value level"): LEVEL_LABELS.get(self.level) if self.level else None,
            _("Baseline from"): self.baseline_from,
            _("to"): self.baseline_to,
        }
        parts = [f"{k}: {getattr(v, 'label', v)}" for k, v in shown.items() if v]
        return ", ".join(parts) or _("none")


@dataclass
class Report:
    day: dt.date | None
    filters: Filters
    customers: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, tuple[str, list[str], list[list[Any]]]] = field(default_factory=dict)
    holdout: dict[str, Any] = field(default_factory=dict)
    links: dict[str, int] = field(default_factory=dict)  # customer_no -> Customer pk, for the name tables


def latest_day() -> dt.date | None:
    """The latest business date whose activity and CLV steps are both done."""
    done = NightlyRun.objects.filter(status=NightlyRun.Status.DONE)
    days = set(done.filter(step="activity").values_list("business_date", flat=True))
    days &= set(done.filter(step="clv").values_list("business_date", flat=True))
    return max(days, default=None)


def population(user, filters: Filters, day: dt.date) -> pd.DataFrame:
    """Activity joined with CLV for the customers `user` may see (an RM: their book) that match `filters`."""
    activity, clv = lake.read_output("activity", day), lake.read_output("clv", day)
    if activity is None or clv is None:
        return pd.DataFrame()
    frame = activity.to_pandas().merge(
        clv.drop(["branch_code"]).to_pandas(), on="customer_no", how="left", validate="one_to_one"
    )
    codes = visible_branch_codes(user)
    if codes is not None:
        frame = frame[frame["branch_code"].isin(codes)]
    if is_book_owner_default(user):  # an RM's figures are their book's, as on their home page
        book = my_book(customers_for(user), user).values_list("customer_no", flat=True)
        frame = frame[frame["customer_no"].isin(set(book))]
    for column, value in (
        ("branch_code", filters.branch),
        ("asset_tier", filters.tier),
        ("value_level", filters.level),
    ):
        if value:
            frame = frame[frame[column] == value]
    return frame.reset_index(drop=True)


def build(user, filters: Filters) -> Report:
    day = latest_day()
    report = Report(day=day, filters=filters)
    if day is None:  # nothing imported yet
        return report
    frame = population(user, filters, day)
    if frame.empty:
        return report
    report.customers = len(frame)
    pairs = retention.activity_pairs(frame)
    trend = retention.monthly_trend(pairs)
    annual = retention.monthly_trend(pairs, lag=12)
    baseline = (filters.baseline_from, filters.baseline_to) if filters.baseline_from and filters.baseline_to else None
    report.summary = retention.summary(trend, baseline)
    curves = retention.survival(frame)
    report.summary["km_mean_months"] = curves.get("all", {}).get("restricted_mean_months")
    cohorts = retention.cohort_table(frame, pairs)
    report.charts = {
        "trend": {"months": [t["month"] for t in trend], "retention": [t["retention"] for t in trend]},
        "cohorts": cohorts,
        "survival": curves,
    }
    report.tables["trend"] = (
        _("Monthly retention"),
        [_("From month"), _("Active customers"), _("Still active next month"), _("Retention"), _("Churn")],
        [[t["month"], t["base"], t["kept"], Percent(t["retention"], 2), Percent(1 - t["retention"], 2)] for t in trend],
    )
    report.tables["annual"] = (
        _("Annual retention"),
        [_("From month"), _("Active customers"), _("Active 12 months later"), _("Retention")],
        [[t["month"], t["base"], t["kept"], Percent(t["retention"], 2)] for t in annual],
    )
    width = max((len(c["rates"]) for c in cohorts), default=0)
    report.tables["cohorts"] = (
        _("Retention by onboarding month"),
        [_("Cohort"), _("Customers"), *[_("Month %(n)s") % {"n": a} for a in range(width)]],
        [[c["cohort"], c["size"], *(Percent(r) for r in c["rates"])] for c in cohorts],
    )
    report.tables["segments"] = (
        _("Last month's retention by segment"),
        [_("Dimension"), _("Segment"), _("Active customers"), _("Still active"), _("Retention")],
        [
            [label, name, s["base"], s["kept"], Percent(s["retention"], 2)]
            for label, column in (
                (_("Tier"), "asset_tier"),
                (_("Value level"), "value_level"),
                (_("Branch"), "branch_code"),
            )
            for s, name in _named(retention.by_segment(frame, column), column)
        ],
    )
    _clv(report, frame, user)
    _wallet(report, frame, day)
    run = NightlyRun.objects.filter(business_date=day, step="clv").first()
    report.holdout = run.detail.get("holdout", {}) if run else {}
    return report


def cached_report(user, filters: Filters) -> Report:
    """`build`, computed once per data version for the same population, filters and language (an
    RM's population is their book; everyone else's their branch subtree)."""
    scope = ("book", user.pk) if is_book_owner_default(user) else scope_key(user)
    return cached("loyalty", (scope, filters, get_language()), lambda: build(user, filters))


def _clv(report: Report, frame: pd.DataFrame, user) -> None:
    """CLV distribution, Pareto curve of value, top-CLV customers and the thank-you list."""
    clv = frame["clv"].dropna().to_numpy(dtype=float)
    if not len(clv):
        return
    report.summary |= {"clv_total": float(clv.sum()), "clv_median": float(np.median(clv))}
    edges = np.unique(np.quantile(clv, np.linspace(0, 1, 11)))
    counts, _edges = np.histogram(clv, bins=edges) if len(edges) > 1 else (np.array([len(clv)]), edges)
    report.charts["clv_hist"] = {
        "labels": [f"{lo:,.0f}–{hi:,.0f}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)] or ["all"],
        "values": counts.tolist(),
    }
    ordered = np.sort(np.maximum(clv, 0))[::-1]
    total = ordered.sum()
    share = np.cumsum(ordered) / total if total > 0 else np.zeros(len(ordered))
    points = np.unique(np.linspace(0, len(ordered), PARETO_POINTS + 1).astype(int))
    report.charts["pareto"] = {
        "customers": [round(100 * p / len(ordered), 1) for p in points],
        "value": [0.0 if p == 0 else round(100 * float(share[p - 1]), 1) for p in points],
    }
    top = frame.dropna(subset=["clv"]).sort_values(["clv", "customer_no"], ascending=[False, True]).head(TOP)
    # Thanks go to loyalty, not value: the longest-standing customers still active, who are not
    # already on the top-CLV list (before, both lists were the same names in the same order).
    thank = frame[(frame["p_alive"] >= THANK_YOU_MIN_P_ALIVE) & ~frame["customer_no"].isin(top["customer_no"])]
    thank = thank.sort_values(["onboarded_month", "clv", "customer_no"], ascending=[True, False, True]).head(TOP)
    visible = customers_for(user).filter(customer_no__in=[*top["customer_no"], *thank["customer_no"]])
    people = {c.customer_no: c for c in visible.select_related("rm")}
    headers = [
        _("Customer no."),
        _("Name"),
        _("Relationship manager"),
        _("Branch"),
        _("Tier"),
        _("Customer since"),
        _("CLV 12 months"),
        _("Probability still transacting"),
        _("Expected transaction days, 12 months"),
    ]
    branches = dict(Branch.objects.values_list("code", "name"))
    for name, title, rows in (("top_clv", _("Top customers by CLV"), top), ("thank_you", _("Thank-you list"), thank)):
        report.tables[name] = (
            title,
            headers,
            [
                [
                    r.customer_no,
                    people[r.customer_no].name,
                    str(people[r.customer_no].rm or ""),
                    branches.get(r.branch_code, r.branch_code),
                    str(TIER_LABELS.get(r.asset_tier, r.asset_tier)),
                    f"{r.onboarded_month // 12}-{r.onboarded_month % 12 + 1:02d}",
                    Yuan(r.clv),
                    Percent(r.p_alive),
                    round(float(r.expected_purchases), 1),
                ]
                for r in rows.itertuples()
                if r.customer_no in people
            ],
        )
    report.links = {no: c.pk for no, c in people.items()}


def _named(rows: list[dict[str, Any]], column: str) -> list[tuple[dict[str, Any], str]]:
    """Segment rows with the name staff read (a tier, level or branch name, not its code), tiers and
    levels highest first, branches by code."""
    if column == "branch_code":
        names = dict(Branch.objects.values_list("code", "name"))
        return [(r, names.get(r["segment"], r["segment"])) for r in sorted(rows, key=lambda r: r["segment"])]
    codes, labels = (TIER_ORDER, TIER_LABELS) if column == "asset_tier" else (LEVEL_ORDER, LEVEL_LABELS)
    order = {code: i for i, code in enumerate(codes)}
    ranked = sorted(rows, key=lambda r: (order.get(r["segment"], len(order)), r["segment"]))
    return [(r, str(labels.get(r["segment"], r["segment"] or "—"))) for r in ranked]


def _wallet(report: Report, frame: pd.DataFrame, day: dt.date) -> None:
    """Share of wallet per tier (see wallet.py for the survey and estimate sources)."""
    rows = wallet.by_segment(frame, wallet.share_of_wallet(frame["customer_no"], day), "asset_tier")
    if not rows:
        return
    rows, names = zip(*_named(rows, "asset_tier"), strict=True)
    report.charts["wallet"] = {
        "labels": list(names),
        "p25": [r["p25"] for r in rows],
        "median": [r["median"] for r in rows],
        "p75": [r["p75"] for r in rows],
    }
    report.tables["wallet"] = (
        _("Share of wallet by tier"),
        [
            _("Tier"),
            _("Customers with a known wallet"),
            _("25th percentile"),
            _("Median"),
            _("75th percentile"),
            _("Mean"),
            _("From survey"),
            _("No outside data (left out)"),
        ],
        [
            [
                n,
                r["customers"],
                *(Percent(r[k]) for k in ("p25", "median", "p75", "mean")),
                r["surveyed"],
                r["unknown"],
            ]
            for r, n in zip(rows, names, strict=True)
        ],
    )
