"""THE record-level access layer: which customers (and what hangs off them) a staff member may see.

Every page, API view, search, export and chart gets its queryset through `scoped(...)` (or the
`customers_for` shortcut), in the manner of NetBox's `RestrictedQuerySet.restrict()`, so a new
route cannot forget access control. Rules (docs/security.md):

* head-office roles (analyst, service quality, compliance, administrator) see every branch;
* branch roles (branch head, lobby manager, RM) see their home branch's subtree;
* an RM's default *view* is their own book (`book_condition`), but scope is still the subtree;
* anyone else — no role, no home branch, inactive — sees nothing.

A model is scoped through the lookup that leads from it to the owning branch's code. Models of
other apps register theirs with `register_scope`; scoping an unregistered model raises, so a
forgotten registration fails loudly instead of leaking. One record is looked up with
`get_scoped_or_404`: out of scope answers 404 like a missing record, and the attempt is audited.

Who sees every branch and who sees a subtree are rows of the permission table
(`Perm.CUSTOMERS_BANK_WIDE`, `Perm.CUSTOMERS_OWN_SUBTREE` in `tenure/org/permissions.py`), so record
scope follows the same rules as every other capability, superusers included (they see every branch).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import F, Q, QuerySet
from django.http import Http404

from tenure.core.audit import audit
from tenure.org.models import Branch, Role
from tenure.org.permissions import Perm, has_perm, is_active_staff

HEAD_OFFICE_ROLES = Perm.CUSTOMERS_BANK_WIDE.roles
BRANCH_ROLES = Perm.CUSTOMERS_OWN_SUBTREE.roles

# model label ("app_label.modelname") -> lookup from that model to its owning Branch code.
_SCOPE_LOOKUPS: dict[str, str] = {
    "customers.customer": "branch_id",
    "customers.account": "customer__branch_id",
    "customers.externalholding": "customer__branch_id",
    "customers.merchant": "branch_id",
    "org.branch": "code",
    "org.staff": "home_branch_id",
}


class ScopeNotRegistered(LookupError):
    """A model was scoped without a registered branch lookup."""


def register_scope(model: type[models.Model], branch_lookup: str) -> None:
    """Declare how `model` leads to its owning branch code, e.g. ``"customer__branch_id"``."""
    _SCOPE_LOOKUPS[model._meta.label_lower] = branch_lookup


def sees_all(user) -> bool:
    """Head office (and superusers) see every branch: `Perm.CUSTOMERS_BANK_WIDE`."""
    return has_perm(user, Perm.CUSTOMERS_BANK_WIDE)


def visible_branch_codes(user) -> frozenset[str] | None:
    """Codes of the branches `user` may see; None means all. Cached on the user object per request."""
    if sees_all(user):
        return None
    cached = getattr(user, "_tenure_branch_codes", None)
    if cached is not None:
        return cached
    codes: frozenset[str] = frozenset()
    if is_active_staff(user) and user.home_branch_id:
        if has_perm(user, Perm.CUSTOMERS_OWN_SUBTREE):
            home = Branch.objects.filter(code=user.home_branch_id).values_list("path", flat=True).first()
            if home:
                codes = frozenset(Branch.objects.filter(path__startswith=home).values_list("code", flat=True))
    if getattr(user, "is_authenticated", False):
        user._tenure_branch_codes = codes
    return codes


def scoped(queryset: QuerySet, user) -> QuerySet:
    """`queryset` restricted to what `user` may see (possibly empty, never widened)."""
    label = queryset.model._meta.label_lower
    if label not in _SCOPE_LOOKUPS:
        raise ScopeNotRegistered(f"{label} has no branch scope; call register_scope()")
    codes = visible_branch_codes(user)
    if codes is None:
        return queryset
    if not codes:
        return queryset.none()
    return queryset.filter(**{f"{_SCOPE_LOOKUPS[label]}__in": sorted(codes)})


_Model = TypeVar("_Model", bound=models.Model)


def get_scoped_or_404(queryset: QuerySet[_Model], user, *, ip: str | None = None, **lookup: Any) -> _Model:
    """The record of `queryset` (not yet scoped) matching `lookup` that `user` may see, or 404 when it
    is missing *or* out of scope (indistinguishable on purpose, so ids cannot be probed). An existing
    record out of scope is written to the audit log as `access.denied` (object: the model's name and
    the `pk` looked up, else the first lookup value); a missing one is not."""
    found = scoped(queryset, user).filter(**lookup).first()
    if found is None:
        if queryset.filter(**lookup).exists():
            key = lookup["pk"] if "pk" in lookup else next(iter(lookup.values()), "")
            audit(
                action="access.denied",
                actor=user,
                object_type=queryset.model._meta.model_name or "",
                object_id=str(key)[:64],
                ip_address=ip,
            )
        raise Http404("No such record")
    return found


def customers_for(user) -> QuerySet:
    """Every customer `user` may see."""
    from tenure.customers.models import Customer

    return scoped(Customer.objects.all(), user)


def in_their_rm_book(*, via: str = "") -> Q:
    """THE rule of an RM's book: a customer is in it when they sit in their RM's home-branch
    subtree, i.e. when the RM may open them (a customer assigned to an RM of another branch is in
    nobody's book figure). `via` is the lookup from the queried model to the customer ("customer__"
    for a model hanging off it). Alone it serves counts per RM in one query."""
    return Q(**{f"{via}branch__path__startswith": F(f"{via}rm__home_branch__path")})


def book_condition(user, *, via: str = "") -> Q:
    """The customers in `user`'s book (see `in_their_rm_book`). Every book count, list, chart and
    export filters with it."""
    if not user.employee_no or user.home_branch_id is None:
        return Q(pk__in=[])
    return Q(**{f"{via}rm_id": user.employee_no}) & in_their_rm_book(via=via)


def my_book(queryset: QuerySet, user) -> QuerySet:
    """Customers of `queryset` in `user`'s book (an RM's default view; see `book_condition`)."""
    return queryset.filter(book_condition(user))


def is_book_owner_default(user) -> bool:
    """Whether lists open on "my book" rather than the whole subtree: RMs without a wider role."""
    return user.has_role(Role.RM) and not user.has_role(Role.BRANCH_HEAD, *HEAD_OFFICE_ROLES)


def scope_key(user) -> tuple:
    """The part of a cache key that says what `user` may see: the whole bank, or their branches."""
    codes = visible_branch_codes(user)
    return ("all",) if codes is None else tuple(sorted(codes))
