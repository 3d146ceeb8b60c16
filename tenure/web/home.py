"""What each role sees on its home page. Aggregates are cached per scope and imported data version."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.analytics.cache import cached
from tenure.analytics.models import AssetTier
from tenure.analytics.portfolio import BookSummary, aum_by_rm, book_summary
from tenure.churn.selectors import alert_queue
from tenure.complaints.display import complaint_rows
from tenure.complaints.selectors import DUE_OVERDUE, DUE_TODAY, QueueFilters, complaint_queue
from tenure.contacts.models import Interaction
from tenure.engagement import selectors as work
from tenure.org.models import Role, Staff
from tenure.org.scoping import customers_for, in_their_rm_book, my_book, scope_key, scoped
from tenure.retention import selectors as retention
from tenure.surveys.metrics import nps
from tenure.surveys.selectors import callbacks_for, responses_for

PREMIUM_TIERS = (AssetTier.DIAMOND, AssetTier.BLACK_GOLD, AssetTier.PLATINUM)

# First match wins: a branch head who also keeps a book sees the branch.
HOME_KINDS = (
    (Role.BRANCH_HEAD, "branch"),
    (Role.RM, "rm"),
    (Role.LOBBY, "lobby"),
    (Role.COMPLIANCE, "compliance"),
    (Role.SERVICE, "service"),
    (Role.ANALYST, "bank"),
    (Role.ADMIN, "bank"),
)


def home_kind(user) -> str:
    for role, kind in HOME_KINDS:
        if user.has_role(role):
            return kind
    return "none"


def rm_book(user) -> BookSummary:
    return cached("home", ("rm", user.pk), lambda: book_summary(my_book(customers_for(user), user)))


def scope_summary(user) -> BookSummary:
    """Totals over everything `user` may see (a branch subtree, or the whole bank)."""
    return cached("home", ("scope", scope_key(user)), lambda: book_summary(customers_for(user)))


@dataclass(frozen=True)
class TeamRow:
    staff: Staff
    customers: int
    aum: Decimal
    contacts_this_week: int = 0


def branch_team(user) -> list[TeamRow]:
    """The RMs of the user's subtree with their book size and AUM (cached), largest book first, and
    the contacts each logged this week (live: it changes during the day)."""
    contacts = contacts_this_week(user)
    return [replace(row, contacts_this_week=contacts.get(row.staff.pk, 0)) for row in _team_books(user)]


def _team_books(user) -> list[TeamRow]:
    def compute() -> list[TeamRow]:
        rms = scoped(Staff.objects.filter(groups__name=Role.RM, is_active=True), user).select_related("home_branch")
        books = customers_for(user).filter(in_their_rm_book()).exclude(rm_id=None).order_by()
        sizes = dict(books.values("rm_id").annotate(n=Count("pk")).values_list("rm_id", "n"))
        aum = aum_by_rm(books)
        rows = [TeamRow(rm, sizes.get(rm.employee_no, 0), aum.get(rm.employee_no or "", Decimal("0"))) for rm in rms]
        return sorted(rows, key=lambda row: (-row.customers, row.staff.username))

    return cached("home", ("team", scope_key(user)), compute)


def summary_context(summary: BookSummary) -> dict:
    """Template context for `web/_summary.html`: the chart data and the premium count."""
    labels = dict(AssetTier.choices)
    tiers = list(summary.tier_mix)
    return {
        "summary": summary,
        "premium": sum(summary.tier_mix.get(t, 0) for t in PREMIUM_TIERS),
        "tier_chart": {
            "name": str(_("Customers")),
            "labels": [str(labels[t]) for t in tiers],
            "values": [summary.tier_mix[t] for t in tiers],
        },
    }


LOBBY_DAYS_AHEAD = 3


def lobby_today(user) -> dict:
    """The counter's day: large-withdrawal appointments in the next days still to be worked (the
    lobby manager briefs the counter before the customer arrives) and the handoffs made today."""
    today = timezone.localdate()
    upcoming = retention.intercepts(user=user).filter(
        retained_amount__isnull=True, appointment_on__range=(today, today + dt.timedelta(days=LOBBY_DAYS_AHEAD))
    )
    handed = retention.handoffs(user=user, mine=False).filter(from_staff=user, created_at__date=today)
    return {
        "appointments": list(upcoming.order_by("appointment_on", "id")[:10]),
        "handed_today": list(handed[:10]),
        "days_ahead": LOBBY_DAYS_AHEAD,
    }


WORKBENCH_ROWS = 25


def workbench(user) -> dict:
    """The RM's day: today's and overdue tasks (most valuable first), the week ahead, the book's
    coverage of the contact plan."""
    today = timezone.localdate()
    tasks = work.today_list(user, today)
    return {
        "today": today,
        "tasks": list(tasks[:WORKBENCH_ROWS]),
        "task_count": tasks.count(),
        "overdue_count": tasks.filter(due_on__lt=today).count(),
        "week": work.week(user, today),
        "coverage": work.book_coverage(user, today),
    }


def team_work(user) -> dict:
    """The branch head's roll-up of the team's tasks and plan coverage, and the tasks nobody owns."""
    today = timezone.localdate()
    return {"today": today, "team_work": work.team_work(user, today), "unassigned": work.unassigned_open(user).count()}


def week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def contacts_this_week(user) -> dict[int, int]:
    """Contacts logged since Monday with customers of the user's subtree, per member of staff."""
    since = timezone.make_aware(dt.datetime.combine(week_start(timezone.localdate()), dt.time.min))
    rows = (
        scoped(Interaction.objects.filter(created_at__gte=since, staff__isnull=False), user)
        .order_by()
        .values_list("staff_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


BRANCH_LATE_ROWS = 8


def branch_attention(user) -> dict:
    """What the branch head chases beside the team table: churn alerts past their act-by date and
    complaints past their SLA deadline (working days, `complaints/sla.py`)."""
    today = timezone.localdate()
    late_alerts = alert_queue(user=user).filter(due_on__lt=today).order_by("due_on", "-value_at_risk", "id")
    return {
        "late_alerts": [
            {"alert": alert, "days_late": (today - alert.due_on).days}
            for alert in late_alerts.select_related("owner")[:BRANCH_LATE_ROWS]
        ],
        "late_alert_count": late_alerts.count(),
        "complaints_overdue": complaint_queue(user=user, filters=QueueFilters(due=DUE_OVERDUE)).count(),
        "contacts_week": sum(contacts_this_week(user).values()),
        "week_start": week_start(today),
    }


NPS_MONTHS = 12
SERVICE_URGENT_ROWS = 8


def _month(index: int) -> str:
    """ "YYYY-MM" of a month counted as year × 12 + month − 1."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def nps_by_month(user, today: dt.date, months: int = NPS_MONTHS) -> list[dict]:
    """NPS of the user's scope per calendar month (local time) over the last `months`, oldest first,
    from the first to the last month with answers; a month between without answers has no score (a
    gap in the line, not a zero)."""
    last = today.year * 12 + today.month - 1
    first = last - (months - 1)
    since = timezone.make_aware(dt.datetime(first // 12, first % 12 + 1, 1))
    answers: dict[str, list[float]] = defaultdict(list)
    rows = responses_for(user).filter(nps__isnull=False, submitted_at__gte=since).order_by()
    for submitted_at, score in rows.values_list("submitted_at", "nps").iterator(chunk_size=5000):
        answers[timezone.localtime(submitted_at).strftime("%Y-%m")].append(score)
    labels = [_month(i) for i in range(first, last + 1) if answers and min(answers) <= _month(i) <= max(answers)]
    return [{"month": month, "nps": nps(answers.get(month, []))} for month in labels]


def service_desk(user) -> dict:
    """The service officer's day: complaints past or reaching their SLA deadline, the most urgent
    open ones, open satisfaction callbacks and the NPS trend."""
    today = timezone.localdate()
    trend = nps_by_month(user, today)
    return {
        "complaints_overdue": complaint_queue(user=user, filters=QueueFilters(due=DUE_OVERDUE)).count(),
        "complaints_due_today": complaint_queue(user=user, filters=QueueFilters(due=DUE_TODAY)).count(),
        "complaints_open": complaint_queue(user=user, filters=QueueFilters()).count(),
        "urgent": complaint_rows(complaint_queue(user=user, filters=QueueFilters())[:SERVICE_URGENT_ROWS]),
        "callbacks_open": callbacks_for(user).count(),
        "nps_latest": trend[-1] if trend else None,
        "nps_chart": {
            "name": "NPS",
            "unit": "",
            "labels": [row["month"] for row in trend],
            "values": [row["nps"].score for row in trend],
        },
    }
