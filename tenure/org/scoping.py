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
forgotten registration fails loudly instead of leaking.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q, QuerySet

from tenure.org.models import Branch, Role

HEAD_OFFICE_ROLES = frozenset({Role.ANALYST, Role.SERVICE, Role.COMPLIANCE, Role.ADMIN})
BRANCH_ROLES = frozenset({Role.BRANCH_HEAD, Role.LOBBY, Role.RM})

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


def is_active_staff(user) -> bool:
    """A logged-in, active member of staff (anonymous users and deactivated accounts are not)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def acts_as(user, *roles: str) -> bool:
    """An active member of staff holding one of `roles`: the test behind every `can_...` check."""
    return is_active_staff(user) and user.has_role(*roles)


def sees_all(user) -> bool:
    """Head office (and superusers) see every branch."""
    if not is_active_staff(user):
        return False
    return bool(user.is_superuser or user.has_role(*HEAD_OFFICE_ROLES))


def visible_branch_codes(user) -> frozenset[str] | None:
    """Codes of the branches `user` may see; None means all. Cached on the user object per request."""
    if sees_all(user):
        return None
    cached = getattr(user, "_tenure_branch_codes", None)
    if cached is not None:
        return cached
    codes: frozenset[str] = frozenset()
    if is_active_staff(user) and user.home_branch_id:
        if user.has_role(*BRANCH_ROLES):
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


# --- Role capabilities (the permission matrix of docs/security.md) ---
UNMASK_ROLES = frozenset({Role.RM, Role.LOBBY, Role.BRANCH_HEAD, Role.SERVICE, Role.COMPLIANCE})
AUDIT_READER_ROLES = frozenset({Role.COMPLIANCE})


def can_unmask(user) -> bool:
    """Roles that serve or supervise individual customers may reveal an identifier, with a reason."""
    return acts_as(user, *UNMASK_ROLES)


def can_read_audit(user) -> bool:
    """Only compliance reads the audit log (administrators run the system but do not audit it)."""
    return acts_as(user, *AUDIT_READER_ROLES)
