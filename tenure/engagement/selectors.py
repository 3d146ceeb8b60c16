"""Reads for the workbench: a member of staff's tasks, their week, their book's coverage of the plan,
and the branch head's roll-up per RM. Every read is scoped (tasks hang off the customer's branch)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tenure.analytics.cache import cached
from tenure.analytics.models import CustomerValue
from tenure.customers.models import Customer
from tenure.engagement import plans
from tenure.engagement.models import Task, TaskStatus
from tenure.org.models import Role, Staff
from tenure.org.scoping import book_condition, customers_for, get_scoped_or_404, in_their_rm_book, scope_key, scoped

WEEK_DAYS = 7


def visible_tasks(user) -> QuerySet[Task]:
    """Every task `user` may see: those of the customers in their scope."""
    return scoped(Task.objects.all(), user)


def my_open_tasks(user) -> QuerySet[Task]:
    """Open tasks owned by `user` or escalated to them, most valuable first."""
    mine = Q(owner=user) | Q(escalated_to=user)
    return (
        visible_tasks(user)
        .filter(mine, status=TaskStatus.OPEN)
        .select_related("customer", "owner")
        .order_by("-value_at_risk", "-priority", "due_on", "pk")
    )


def today_list(user, today: dt.date) -> QuerySet[Task]:
    """Today's and overdue tasks in one prioritised list (value at risk, tier, due date)."""
    return my_open_tasks(user).filter(due_on__lte=today)


def week(user, today: dt.date) -> list[tuple[dt.date, int]]:
    """(day, open tasks due) for today and the six days after it."""
    days = [today + dt.timedelta(days=n) for n in range(WEEK_DAYS)]
    counts = dict(
        my_open_tasks(user)
        .filter(due_on__range=(days[0], days[-1]))
        .order_by()
        .values_list("due_on")
        .annotate(n=Count("pk"))
    )
    return [(day, counts.get(day, 0)) for day in days]


@dataclass(frozen=True)
class Coverage:
    """Planned RM contacts (visits and calls) of a book and how many are up to date as at a day."""

    required: int
    covered: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.covered / self.required, 1) if self.required else None


def coverage_by_rm(customers: QuerySet, day: dt.date) -> dict[str | None, Coverage]:
    """RM employee number → the coverage of the plan over their customers among `customers`."""
    plan = plans.active_plan()
    rows = (
        CustomerValue.objects.filter(customer__in=customers.values("customer_no"))
        .values_list("customer_id", "asset_tier", "value_level", "customer__rm_id")
        .order_by()
    )
    rm_of: dict[Any, Any] = {}
    planned = []
    for number, tier, level, rm in rows.iterator(chunk_size=5000):
        if any(kind in plans.RM_KINDS for kind in plan.intervals(tier, level)):
            rm_of[number] = rm
            planned.append((number, tier, level))
    numbers = list(rm_of) if len(rm_of) <= 20000 else None
    last = plans.last_contacts(numbers, upto=day)
    required: Counter[str | None] = Counter()
    covered: Counter[str | None] = Counter()
    for due in plans.due_contacts(planned, plan, day, last):
        if due.kind in plans.RM_KINDS:
            required[rm_of[due.customer_no]] += 1
            covered[rm_of[due.customer_no]] += due.covered
    return {rm: Coverage(required[rm], covered[rm]) for rm in required}


def book_coverage(user, day: dt.date) -> Coverage:
    book = customers_for(user).filter(book_condition(user))
    return coverage_by_rm(book, day).get(user.employee_no, Coverage(0, 0))


@dataclass(frozen=True)
class TeamWork:
    staff: Staff
    coverage: Coverage
    open: int
    overdue: int
    done_this_month: int


def team_work(user, today: dt.date) -> list[TeamWork]:
    """Per RM of `user`'s subtree: plan coverage, open and overdue tasks, tasks done this month."""
    rms = list(
        scoped(Staff.objects.filter(groups__name=Role.RM, is_active=True), user).order_by("full_name", "username")
    )
    books = customers_for(user).filter(in_their_rm_book())
    # Every book of the subtree (a second at a million customers): kept per data version, scope,
    # day, plan and the latest contact logged, so a new contact or a new plan shows at once.
    coverage = cached(
        "engagement.team_coverage",
        (scope_key(user), today, plans.active_plan().version, plans.contacts_mark()),
        lambda: coverage_by_rm(books, today),
    )
    tasks = visible_tasks(user).filter(owner__in=rms).order_by()
    month_start = today.replace(day=1)
    open_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for owner, overdue, n in (
        tasks.filter(status=TaskStatus.OPEN)
        .values_list("owner_id")
        .annotate(overdue=Count("pk", filter=Q(due_on__lt=today)), n=Count("pk"))
    ):
        open_counts[owner].update({"open": n, "overdue": overdue})
    done = dict(
        tasks.filter(status=TaskStatus.DONE, done_at__date__gte=month_start)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
    )
    return [
        TeamWork(
            staff=rm,
            coverage=coverage.get(rm.employee_no, Coverage(0, 0)),
            open=open_counts[rm.pk]["open"],
            overdue=open_counts[rm.pk]["overdue"],
            done_this_month=done.get(rm.pk, 0),
        )
        for rm in rms
    ]


def unassigned_open(user) -> QuerySet[Task]:
    """Open tasks of the subtree with no owner (customers without an RM): the branch head's to give."""
    return visible_tasks(user).filter(status=TaskStatus.OPEN, owner=None).select_related("customer")


def next_task_for(customer) -> Task | None:
    """The customer's next open task (the 360° page's "next due")."""
    return (
        Task.objects.filter(customer_id=customer.customer_no, status=TaskStatus.OPEN).order_by("due_on", "pk").first()
    )


def customer_in_scope(user, customer_no: str, *, ip: str | None = None) -> Customer | None:
    """The customer with this number if `user` may see them, else None; a number that exists out of
    scope is audited `access.denied` as a refused page would be (`get_scoped_or_404`)."""
    try:
        return get_scoped_or_404(Customer.objects.all(), user, ip=ip, customer_no=customer_no)
    except Http404:
        return None
