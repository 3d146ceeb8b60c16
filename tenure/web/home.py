"""What each role sees on its home page. Aggregates are cached per scope and imported data version."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.analytics.models import AssetTier
from tenure.customers.models import RmAssignment
from tenure.customers.portfolio import BookSummary, aum_by_rm, book_summary
from tenure.engagement import selectors as work
from tenure.ingest.models import ImportedFile
from tenure.org.models import Role, Staff
from tenure.org.scoping import customers_for, in_their_rm_book, my_book, scoped, visible_branch_codes
from tenure.retention import selectors as retention

CACHE_SECONDS = 600
PREMIUM_TIERS = (AssetTier.DIAMOND, AssetTier.BLACK_GOLD, AssetTier.PLATINUM)

# First match wins: a branch head who also keeps a book sees the branch.
HOME_KINDS = (
    (Role.BRANCH_HEAD, "branch"),
    (Role.RM, "rm"),
    (Role.LOBBY, "lobby"),
    (Role.COMPLIANCE, "compliance"),
    (Role.ANALYST, "bank"),
    (Role.SERVICE, "bank"),
    (Role.ADMIN, "bank"),
)


def home_kind(user) -> str:
    for role, kind in HOME_KINDS:
        if user.has_role(role):
            return kind
    return "none"


def _data_version() -> str:
    """Changes whenever an import lands or a book moves, so cached aggregates never outlive the data."""
    row = ImportedFile.objects.aggregate(at=Max("imported_at"), n=Count("id"))
    moved = RmAssignment.objects.aggregate(last=Max("id"))["last"]
    return f"{row['at']}-{row['n']}-{moved}"


def _cached(key_parts: tuple, compute):
    digest = hashlib.sha256(repr((*key_parts, _data_version())).encode()).hexdigest()[:32]
    key = f"tenure:home:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _scope_key(user) -> tuple:
    codes = visible_branch_codes(user)
    return ("all",) if codes is None else tuple(sorted(codes))


def rm_book(user) -> BookSummary:
    return _cached(("rm", user.pk), lambda: book_summary(my_book(customers_for(user), user)))


def scope_summary(user) -> BookSummary:
    """Totals over everything `user` may see (a branch subtree, or the whole bank)."""
    return _cached(("scope", _scope_key(user)), lambda: book_summary(customers_for(user)))


@dataclass(frozen=True)
class TeamRow:
    staff: Staff
    customers: int
    aum: Decimal


def branch_team(user) -> list[TeamRow]:
    """The RMs of the user's subtree with their book size and AUM, largest book first."""

    def compute() -> list[TeamRow]:
        rms = scoped(Staff.objects.filter(groups__name=Role.RM, is_active=True), user).select_related("home_branch")
        books = customers_for(user).filter(in_their_rm_book()).exclude(rm_id=None).order_by()
        sizes = dict(books.values("rm_id").annotate(n=Count("pk")).values_list("rm_id", "n"))
        aum = aum_by_rm(books)
        rows = [TeamRow(rm, sizes.get(rm.employee_no, 0), aum.get(rm.employee_no or "", Decimal("0"))) for rm in rms]
        return sorted(rows, key=lambda row: (-row.customers, row.staff.username))

    return _cached(("team", _scope_key(user)), compute)


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
