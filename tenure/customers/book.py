"""Reads of book management (docs/book.md): the RMs of a subtree with their book sizes, the
unassigned pool, the customers a branch head filters and ticks, and a customer's RM history.

Every function takes the acting staff member and reads through `tenure.org.scoping`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tenure.core.audit import audit
from tenure.customers.models import CoreStatus, Customer, RmAssignment
from tenure.org.models import Branch, Role, Staff
from tenure.org.scoping import customers_for, in_their_rm_book, scoped
from tenure.org.services import successor_candidates

POOL = "pool"  # the RM filter's value for the unassigned pool


def pool_condition() -> Q:
    """THE rule of the unassigned pool: customers with no RM, with an inactive RM, or with an RM whose
    home-branch subtree does not hold them (then they are in nobody's book: `in_their_rm_book`)."""
    return Q(rm__isnull=True) | Q(rm__is_active=False) | ~in_their_rm_book()


def assignable_rms(user) -> QuerySet[Staff]:
    """Active RMs of `user`'s branch subtree (every branch, for head office): whom a book can go to."""
    rms = Staff.objects.filter(is_active=True, groups__name=Role.RM, employee_no__isnull=False)
    return scoped(rms, user).select_related("home_branch").order_by("home_branch__path", "full_name", "employee_no")


@dataclass(frozen=True)
class RmRow:
    staff: Staff
    customers: int


def rm_book_sizes(user) -> dict[str | None, int]:
    """RM employee number -> customers of `user`'s scope in their book (the definition of
    `in_their_rm_book`)."""
    books = customers_for(user).filter(in_their_rm_book(), rm__is_active=True).order_by()
    return dict(books.values("rm_id").annotate(n=Count("pk")).values_list("rm_id", "n"))


def rm_books(user, sizes: dict[str | None, int] | None = None) -> list[RmRow]:
    """The assignable RMs of `user`'s subtree with the size of their book, in branch order (`sizes`:
    `rm_book_sizes(user)`, when the caller kept them)."""
    sizes = rm_book_sizes(user) if sizes is None else sizes
    return [RmRow(rm, sizes.get(rm.employee_no, 0)) for rm in assignable_rms(user)]


def pool_size(user) -> int:
    """Customers of `user`'s scope in the unassigned pool."""
    return customers_for(user).filter(pool_condition()).count()


def book_customers(user, *, rm: str = "", tier: str = "", branch: str = "") -> QuerySet[Customer]:
    """Customers of `user`'s scope, narrowed to one RM's book (`rm` an employee number), to the pool
    (`rm` = "pool"), to an asset tier and to a branch's subtree (by code), by name."""
    queryset = customers_for(user).select_related("branch", "rm__home_branch", "value")
    if rm == POOL:
        queryset = queryset.filter(pool_condition())
    elif rm:
        queryset = queryset.filter(in_their_rm_book(), rm_id=rm, rm__is_active=True)
    if tier:
        queryset = queryset.filter(value__asset_tier=tier)
    if branch:
        path = scoped(Branch.objects.filter(code=branch), user).values_list("path", flat=True).first()
        queryset = queryset.filter(branch__path__startswith=path) if path else queryset.none()
    return queryset.order_by("name", "customer_no")


def pool_reason(customer: Customer) -> str:
    """Why a customer is in the pool ("" when they are in an RM's book): the label the page shows.
    `customer` needs `rm__home_branch` and `branch` loaded."""
    rm = customer.rm
    if rm is None:
        return str(_("No RM"))
    if not rm.is_active:
        return str(_("RM deactivated"))
    if rm.home_branch is None or not customer.branch.path.startswith(rm.home_branch.path):
        return str(_("RM of another branch"))
    return ""


def customers_get_many(user, customer_nos: Iterable[str], *, ip: str | None = None) -> list[Customer]:
    """The customers with these numbers, or 404 when one is missing *or* out of `user`'s scope (the
    out-of-scope ones audited `access.denied`, as `get_scoped_or_404` does for one record)."""
    wanted = sorted(set(customer_nos))
    found = list(customers_for(user).select_related("branch", "rm").filter(customer_no__in=wanted))
    if len(found) != len(wanted):
        missing = set(wanted) - {c.customer_no for c in found}
        foreign = Customer.objects.filter(customer_no__in=missing).values_list("pk", flat=True)
        for pk in foreign:
            audit(action="access.denied", actor=user, object_type="customer", object_id=pk, ip_address=ip)
        raise Http404("No such record")
    return sorted(found, key=lambda c: (c.name, c.customer_no))


def rm_history(customer: Customer, *, limit: int = 10) -> list[RmAssignment]:
    """The latest changes of RM of one customer (who from, who to, why, by whom, and where the move
    stands against the core-banking extract), newest first. `customer` comes from a scoped selector."""
    rows = RmAssignment.objects.filter(customer=customer).select_related("from_rm", "to_rm", "by")
    return list(rows.order_by("-at", "-id")[:limit])


@dataclass(frozen=True)
class Disagreement:
    assignment: RmAssignment
    core_rm: Staff | None


def core_disagreements(user, *, limit: int = 20) -> tuple[int, list[Disagreement]]:
    """Moves made in Tenure that the latest core-banking extract still contradicts (it names the RM
    before the move), in `user`'s scope: how many, and the first `limit`."""
    rows = scoped(RmAssignment.objects.all(), user).filter(
        core_status=CoreStatus.PENDING, core_disagrees_on__isnull=False
    )
    total = rows.count()
    first = list(rows.select_related("customer", "to_rm").order_by("core_disagrees_on", "customer_id")[:limit])
    names = {s.employee_no: s for s in Staff.objects.filter(employee_no__in={a.core_rm for a in first if a.core_rm})}
    return total, [Disagreement(a, names.get(a.core_rm)) for a in first]


def successor_groups(user) -> list[tuple[str, list[Staff]]]:
    """The successors to offer, relationship managers first (only they can take a book): the
    deactivation pages of the books and of the console."""
    candidates = successor_candidates(user)
    rm_ids = set(candidates.filter(groups__name=Role.RM).values_list("pk", flat=True))
    staff = list(candidates)
    rms = [s for s in staff if s.pk in rm_ids]
    others = [s for s in staff if s.pk not in rm_ids]
    return [(_("Relationship managers"), rms), (_("Other staff (no book)"), others)]


def hand_over_preview(leaver: Staff, successor: Staff) -> dict:
    """How many of the leaver's customers the successor can hold, and how many would go to the pool."""
    if not leaver.employee_no:
        return {"book_size": 0, "to_successor": 0, "to_pool": 0}
    customers = Customer.objects.filter(rm__employee_no=leaver.employee_no)
    size = customers.count()
    holds = 0
    if successor.home_branch is not None:
        holds = customers.filter(branch__path__startswith=successor.home_branch.path).count()
    preview: dict = {"book_size": size, "to_successor": holds, "to_pool": size - holds}
    if size and not successor.has_role(Role.RM):
        preview["errors"] = [
            _("%(name)s keeps a book of %(n)d customers: choose an active relationship manager as the successor.")
            % {"name": leaver, "n": size}
        ]
    return preview
