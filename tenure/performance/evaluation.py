"""The evaluation dashboard (issue 26 item 5, seed 003 §评估; docs/performance.md § Evaluation
dashboard): one page that puts the bank's service figures side by side by branch and period.

Nothing is computed twice: every section reads its figures from the app that owns them, through
that app's selectors and maths, so the dashboard agrees with their pages —

* satisfaction and NPS: `surveys.selectors.responses_for` and `surveys.metrics.nps`;
* complaints: `complaints.report.complaints_frame` and `complaints.recovery.sla_compliance`;
* churn and retention: this app's stored scorecards (the churn definition over one month) and the
  churn alerts of `churn.selectors.alert_queue`;
* campaigns: `retention.selectors.campaigns` and `retention.campaigns.campaign_result`;
* scorecards: this app's `selectors.rows_of` and `by_branch`;
* waiting times: `queues.selectors.monthly_waits`.

Every query is scoped for the acting staff member (a branch head sees their subtree only) and then
narrowed to the chosen branch's subtree. The two costly sections are cached per data version
(`analytics.cache`): waiting times (a lake scan, as on the queues page) and complaints (the
complaints' own version in the key); the others are a few indexed queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tenure.analytics.cache import cached
from tenure.churn.selectors import alert_queue
from tenure.complaints import recovery
from tenure.complaints.report import Filters, complaints_frame
from tenure.complaints.selectors import complaints_version
from tenure.core.figures import Percent, Yuan
from tenure.org.models import Branch, Staff
from tenure.org.scoping import scope_key, visible_branch_codes
from tenure.performance import selectors
from tenure.performance.competitors import subtree_codes
from tenure.performance.figures import Totals
from tenure.performance.period import Period
from tenure.queues.selectors import cached_monthly_waits
from tenure.retention import selectors as retention_selectors
from tenure.retention.campaigns import CONTROL, TREATED, campaign_result
from tenure.surveys.metrics import nps
from tenure.surveys.selectors import responses_for

SECTIONS = ("satisfaction", "complaints", "churn", "campaigns", "scorecards", "waits")


@dataclass
class Section:
    """One block of the page: the table behind its chart (what its XLSX sheet holds)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    source: str
    chart: dict[str, Any] | None = None
    empty: str = ""
    sheet: str = ""  # the XLSX sheet's title when `title` is longer than Excel's 31 characters

    @property
    def sheet_title(self) -> str:
        return self.sheet or self.title


@dataclass
class Dashboard:
    period: Period
    branch: Branch | None
    sections: list[Section] = field(default_factory=list)
    kpis: dict[str, Any] = field(default_factory=dict)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's first instant and the instant after its last day, in the bank's time zone."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return start, end


def _local_month(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def _series(name: str, kind: str, values: list, axis: int = 0) -> dict[str, Any]:
    return {"name": name, "kind": kind, "values": values, "axis": axis}


def satisfaction(user: Staff, period: Period, codes: list[str] | None) -> tuple[Section, dict[str, Any]]:
    """Per month: satisfaction answers and their mean (0–10), recommendation answers and NPS."""
    start, end = _bounds(period)
    rows = responses_for(user).filter(submitted_at__gte=start, submitted_at__lt=end)
    if codes is not None:
        rows = rows.filter(customer__branch_id__in=codes)
    scores: dict[str, list[float]] = defaultdict(list)
    recommend: dict[str, list[float]] = defaultdict(list)
    for submitted_at, score, likely in rows.order_by().values_list("submitted_at", "score", "nps").iterator():
        key = _local_month(submitted_at)
        if score is not None:
            scores[key].append(score)
        if likely is not None:
            recommend[key].append(likely)
    table, nps_line, sat_line = [], [], []
    for month in period.months:
        sat = scores.get(month.label, [])
        mean = round(sum(sat) / len(sat), 2) if sat else None
        n = nps(recommend.get(month.label, []))
        table.append([month.label, len(sat), mean, n.n, n.promoters, n.detractors, n.score])
        nps_line.append(n.score)
        sat_line.append(mean)
    everything = nps([a for answers in recommend.values() for a in answers])
    all_scores = [s for answers in scores.values() for s in answers]
    kpis = {
        "nps": everything.score,
        "nps_answers": everything.n,
        "satisfaction": round(sum(all_scores) / len(all_scores), 2) if all_scores else None,
    }
    section = Section(
        "satisfaction",
        _("Satisfaction and NPS"),
        [
            _("Month"),
            _("Satisfaction answers"),
            _("Mean satisfaction (0–10)"),
            _("Recommendation answers"),
            _("Promoters (9–10)"),
            _("Detractors (0–6)"),
            _("Net promoter score"),
        ],
        table,
        _("Survey answers submitted in the month, as on the survey results pages."),
        {
            "labels": [m.label for m in period.months],
            "units": ["", ""],
            "series": [
                _series(_("Net promoter score"), "line", nps_line),
                _series(_("Mean satisfaction (0–10)"), "line", sat_line, 1),
            ],
        },
        "" if everything.n or all_scores else _("No survey answers in this period."),
    )
    return section, kpis


def complaints(
    user: Staff, period: Period, codes: list[str] | None, now: dt.datetime
) -> tuple[Section, dict[str, Any]]:
    """Per month of receipt: complaints received, resolved, resolved within their SLA, still open."""
    frame = complaints_frame(user, Filters(date_from=period.start, date_to=period.end))
    if codes is not None:
        frame = frame[frame.branch.isin(codes)]
    now_ts = pd.Timestamp(now)
    months = (
        frame.received_at.dt.tz_convert(timezone.get_current_timezone()).dt.strftime("%Y-%m")
        if not frame.empty
        else pd.Series(dtype=str)
    )
    table, received, on_time = [], [], []
    for month in period.months:
        part = frame[months == month.label] if not frame.empty else frame
        sla = recovery.sla_compliance(part, now_ts)
        share = sla["resolved_on_time"]
        table.append([month.label, len(part), sla["resolved"], Percent(share), sla["open"], sla["open_overdue"]])
        received.append(len(part))
        on_time.append(None if sla["resolved_on_time"] is None else round(100 * float(sla["resolved_on_time"]), 1))
    overall = recovery.sla_compliance(frame, now_ts)
    overall_share = overall["resolved_on_time"]
    kpis = {
        "complaints": len(frame),
        "resolved_on_time": None if overall_share is None else round(100 * float(overall_share), 1),
        "open": overall["open"],
    }
    section = Section(
        "complaints",
        _("Complaints and resolution"),
        [
            _("Month received"),
            _("Complaints"),
            _("Resolved"),
            _("Resolved within the SLA (%)"),
            _("Still open"),
            _("Open and overdue"),
        ],
        table,
        _("Complaints received in the month and what became of them, as on the complaint recovery page."),
        {
            "labels": [m.label for m in period.months],
            "units": ["", "%"],
            "series": [
                _series(_("Complaints"), "bar", received),
                _series(_("Resolved within the SLA (%)"), "line", on_time, 1),
            ],
        },
        "" if len(frame) else _("No complaints received in this period."),
    )
    return section, kpis


def churn(user: Staff, period: Period, branch: Branch | None) -> tuple[Section, dict[str, Any]]:
    """Per month with stored scorecards: customers retained and lost (the churn definition over one
    month), the retention rate, and churn alerts raised, due and acted on in time."""
    stored = dict(selectors.trend(user, branch=branch.code if branch else "", limit=10_000))
    alerts = alert_queue(user=user, status="").filter(business_date__gte=period.start, business_date__lte=period.end)
    codes = subtree_codes(branch)
    if codes is not None:
        alerts = alerts.filter(customer__branch_id__in=codes)
    raised = {
        f"{row['month']:%Y-%m}": row["n"]
        for row in alerts.order_by().annotate(month=TruncMonth("business_date")).values("month").annotate(n=Count("id"))
    }
    table, rates, lost = [], [], []
    total = Totals()
    for month in period.months:
        t = stored.get(month.start)
        if t is not None:
            total.add(t.values)
        table.append(
            [
                month.label,
                t.retained if t else None,
                t.lost if t else None,
                Percent(t.retention / 100 if t and t.retention is not None else None),
                raised.get(month.label, 0),
                t.alerts_due if t else None,
                Percent(t.alerts_on_time_pct / 100 if t and t.alerts_on_time_pct is not None else None),
            ]
        )
        rates.append(t.retention if t else None)
        lost.append(t.lost if t else None)
    kpis = {"retention": total.retention, "lost": total.lost}
    section = Section(
        "churn",
        _("Churn and retention"),
        [
            _("Month"),
            _("Customers retained"),
            _("Customers lost"),
            _("Retention rate (%)"),
            _("Churn alerts raised"),
            _("Churn alerts due"),
            _("Acted on in time (%)"),
        ],
        table,
        _(
            "Retained and lost by the churn definition over one month, from the stored scorecards; alerts raised "
            "by business date."
        ),
        {
            "labels": [m.label for m in period.months],
            "units": ["", "%"],
            "series": [
                _series(_("Customers lost"), "bar", lost),
                _series(_("Retention rate (%)"), "line", rates, 1),
            ],
        },
        "" if raised or any(m.start in stored for m in period.months) else _("No scorecards or alerts in this period."),
    )
    return section, kpis


def campaigns(user: Staff, period: Period, codes: list[str] | None) -> Section:
    """Campaigns started in the period: churn among the treated against their control group."""
    start, end = _bounds(period)
    rows = retention_selectors.campaigns(user=user).filter(created_at__gte=start, created_at__lt=end)
    if codes is not None:
        rows = rows.filter(branch_id__in=codes)
    table, names, treated_rates, control_rates = [], [], [], []
    for campaign in rows.order_by("created_at", "id"):
        result = campaign_result(campaign.members.all())
        t, c, effect = result["groups"][TREATED], result["groups"][CONTROL], result["effect"]
        table.append(
            [
                campaign.name,
                campaign.branch.label,
                timezone.localtime(campaign.created_at).date(),
                t["members"],
                c["members"],
                Percent(t["rate"]),
                Percent(c["rate"]),
                Percent(effect.diff if effect else None),
                Percent(effect.low if effect else None),
                Percent(effect.high if effect else None),
            ]
        )
        names.append(campaign.name)
        treated_rates.append(None if t["rate"] is None else round(100 * t["rate"], 1))
        control_rates.append(None if c["rate"] is None else round(100 * c["rate"], 1))
    return Section(
        "campaigns",
        _("Retention campaigns against their control groups"),
        [
            _("Campaign"),
            _("Branch"),
            _("Started"),
            _("Treated customers"),
            _("Control customers"),
            _("Churn rate, treated (%)"),
            _("Churn rate, control (%)"),
            _("Effect: control − treated (%)"),
            _("Effect, 95% interval from (%)"),
            _("Effect, 95% interval to (%)"),
        ],
        table,
        _(
            "Churn measured after each campaign, as on the campaign page; a positive effect means fewer treated "
            "customers left."
        ),
        {
            "labels": names,
            "units": ["%", "%"],
            "series": [
                _series(_("Churn rate, treated (%)"), "bar", treated_rates),
                _series(_("Churn rate, control (%)"), "bar", control_rates),
            ],
        },
        "" if table else _("No retention campaign started in this period."),
        sheet=_("Campaigns"),
    )


def scorecards(user: Staff, period: Period, branch: Branch | None) -> Section:
    """Per branch below the chosen one: the scorecard of the period's last month with scorecards."""
    months = [m for m in selectors.months(user) if period.start <= m <= period.end]
    code = branch.code if branch else ""
    # Below the chosen branch; with none, head office sees its branches and a branch head the
    # branches under their own.
    parent = code or ("" if visible_branch_codes(user) is None else user.home_branch_id or "")
    cards = selectors.by_branch(user, selectors.rows_of(user, months[0], code), parent=parent) if months else []
    cards = [c for c in cards if c.totals.book or c.totals.lost]
    table = [
        [
            c.branch.label,
            c.totals.book,
            Yuan(c.totals.aum),
            c.totals.net_new,
            Percent(_fraction(c.totals.retention)),
            Percent(_fraction(c.totals.alerts_on_time_pct)),
            Percent(_fraction(c.totals.coverage_pct)),
            c.totals.complaints,
            c.totals.satisfaction,
            c.totals.nps,
        ]
        for c in cards
    ]
    return Section(
        "scorecards",
        _("Scorecards by branch"),
        [
            _("Branch"),
            _("Customers in the book"),
            _("AUM at month-end (yuan)"),
            _("Net new customers"),
            _("Retention rate (%)"),
            _("Alerts acted on in time (%)"),
            _("Plan coverage (%)"),
            _("Complaints"),
            _("Satisfaction (0–10)"),
            _("Net promoter score"),
        ],
        table,
        _("The scorecards of %(month)s (the last month of the period with scorecards), summed per branch.")
        % {"month": f"{months[0]:%Y-%m}"}
        if months
        else _("Stored monthly scorecards, summed per branch."),
        {
            "labels": [c.branch.label for c in cards],
            "units": ["%", ""],
            "series": [
                _series(_("Retention rate (%)"), "bar", [c.totals.retention for c in cards]),
                _series(_("Net promoter score"), "bar", [c.totals.nps for c in cards], 1),
            ],
        },
        "" if table else _("No scorecards in this period."),
    )


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


def waits(user: Staff, period: Period, branch: Branch | None) -> Section:
    """Per month: queue tickets, median and 90th-percentile wait, share called within the target
    wait (`queues.selectors.monthly_waits`, the figures of the queues page)."""
    visible = visible_branch_codes(user)
    codes = [branch.code] if branch else (None if visible is None else sorted(visible))
    labels = [m.label for m in period.months]
    months = cached_monthly_waits(codes, labels)
    table, median, within = [], [], []
    for label in labels:
        r = months[label] | {k: _minutes(months[label][k]) for k in ("p50_wait_minutes", "p90_wait_minutes")}
        share = r["within_target_share"]
        table.append(
            [
                label,
                r["tickets"],
                r["walked_away"],
                r["p50_wait_minutes"],
                r["p90_wait_minutes"],
                Percent(share),
                r["target_minutes"],
            ]
        )
        median.append(r["p50_wait_minutes"])
        within.append(None if share is None else round(100 * share, 1))
    return Section(
        "waits",
        _("Waiting times"),
        [
            _("Month"),
            _("Queue tickets"),
            _("Left without being served"),
            _("Median wait (minutes)"),
            _("90th percentile wait (minutes)"),
            _("Called within the target wait (%)"),
            _("Target wait (minutes)"),
        ],
        table,
        _("Queue tickets issued in the month, as on the queues page."),
        {
            "labels": labels,
            "units": [" " + _("min"), "%"],
            "series": [
                _series(_("Median wait (minutes)"), "line", median),
                _series(_("Called within the target wait (%)"), "line", within, 1),
            ],
        },
        "" if any(months[label]["tickets"] for label in labels) else _("No queue tickets in this period."),
    )


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dashboard(user: Staff, period: Period, branch: Branch | None = None, now: dt.datetime | None = None) -> Dashboard:
    """Every section of the page for the user's scope, `branch`'s subtree and `period`."""
    codes = subtree_codes(branch)
    board = Dashboard(period, branch)
    sat, sat_kpis = satisfaction(user, period, codes)
    key = (scope_key(user), codes and tuple(sorted(codes)), period.start, period.end, get_language())
    comp, comp_kpis = cached(
        "performance.evaluation.complaints",
        (*key, complaints_version()),
        lambda: complaints(user, period, codes, now or timezone.now()),
    )
    retention, churn_kpis = churn(user, period, branch)
    board.sections = [sat, comp, retention, campaigns(user, period, codes), scorecards(user, period, branch)]
    board.sections.append(waits(user, period, branch))
    board.kpis = sat_kpis | comp_kpis | churn_kpis
    return board
