"""Book management pages (docs/book.md): the RMs of a branch head's subtree with their book sizes,
the unassigned pool, ticking customers and moving them to one RM (review, then confirm), and
deactivating a member of staff with a named successor. Thin: reads in `customers.book`, writes in
`customers.services` and `org.services`. In the page layer because it filters by the published tier
(analytics, which builds on customers); its URLs join the `customers` namespace in tenure/urls.py.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.analytics.cache import CountedPaginator, cached
from tenure.analytics.models import AssetTier
from tenure.core.http import client_ip, record_id
from tenure.customers import book
from tenure.customers.models import CHOSEN_REASONS, Customer
from tenure.customers.services import MAX_BATCH, customers_move, customers_move_check
from tenure.org.http import StaffRequest
from tenure.org.models import Branch, Staff
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import get_scoped_or_404, scope_key, scoped
from tenure.org.services import deactivatable_staff, staff_deactivate

PER_PAGE = 50
KEY_LENGTH = 64


def _filters(data, user) -> dict[str, str]:
    """The book page's filters from a query or a form, each dropped when it is not a known value."""
    rm = data.get("rm", "")
    rm_ok = rm == book.POOL or (rm and book.assignable_rms(user).filter(employee_no=rm).exists())
    tier = data.get("tier", "")
    branch = data.get("branch", "")
    branch_ok = branch and scoped(Branch.objects.filter(code=branch), user).exists()
    return {
        "rm": rm if rm_ok else "",
        "tier": tier if tier in AssetTier.values else "",
        "branch": branch if branch_ok else "",
    }


def _query(filters: dict[str, str]) -> str:
    return urlencode({k: v for k, v in filters.items() if v})


def _move_choice(row: book.RmRow) -> str:
    """An RM as the move form offers them: name, branch, book size (built here, not in the template:
    a bank's thousands of RMs made the template's plural tag a tenth of a second)."""
    branch = row.staff.home_branch.label if row.staff.home_branch else "—"
    size = ngettext("%(n)s customer", "%(n)s customers", row.customers) % {"n": row.customers}
    return f"{row.staff} · {branch} · {size}"


def _reasons() -> list[tuple[str, str]]:
    return [(r.value, str(r.label)) for r in CHOSEN_REASONS]


@requires(Perm.BOOK_MANAGE)
@require_GET
def book_page(request: StaffRequest) -> HttpResponse:
    """The RMs with their book sizes, the pool, the filtered customers with tick boxes, the move form."""
    user = request.user
    filters = _filters(request.GET, user)
    customers = book.book_customers(user, **filters)
    key = (scope_key(user), tuple(sorted(filters.items())))  # the pool's count: 1.5 s at a million customers
    page = CountedPaginator(customers, PER_PAGE, namespace="customers.book", key_parts=key).get_page(
        request.GET.get("page")
    )
    # Counting every book and the pool takes seconds at a million customers, the moves core banking
    # contradicts a quarter of one: once per data version (imports, nightly runs and book moves
    # change them) for each scope.
    sizes, pool_size = cached(
        "customers.book_sizes", scope_key(user), lambda: (book.rm_book_sizes(user), book.pool_size(user))
    )
    rms = book.rm_books(user, sizes)
    rm_page = Paginator(rms, PER_PAGE).get_page(request.GET.get("rm_page"))  # a bank has thousands of RMs
    disagreeing, disagreements = cached(
        "customers.core_disagreements", scope_key(user), lambda: book.core_disagreements(user)
    )
    context = {
        "filters": filters,
        "query": _query(filters),
        "page": page,
        "rows": [(c, book.pool_reason(c)) for c in page.object_list],
        "rm_rows": rms,
        "rm_page": rm_page,
        "rm_query": _query(filters),
        "move_choices": [(row.staff.pk, _move_choice(row)) for row in rms],
        "pool_size": pool_size,
        "tiers": AssetTier.choices,
        "branches": scoped(Branch.objects.all(), user).order_by("path"),
        "reasons": _reasons(),
        "disagreeing": disagreeing,
        "disagreements": disagreements,
        "max_batch": MAX_BATCH,
        "can_deactivate": has_perm(user, Perm.STAFF_DEACTIVATE),
        "pool": book.POOL,
    }
    return render(request, "customers/book.html", context)


@requires(Perm.BOOK_MANAGE)
@require_POST
def book_move(request: StaffRequest) -> HttpResponse:
    """Review (first post) and confirm (second post, with the form's key) moving the ticked
    customers — or every customer the filters show, up to MAX_BATCH — to one RM."""
    user, post, ip = request.user, request.POST, client_ip(request)
    filters = _filters(post, user)
    if post.get("everyone") == "1":
        customers = list(book.book_customers(user, **filters)[: MAX_BATCH + 1])
    else:  # customers typed by hand are looked up, never trusted: out of scope is a 404 (audited)
        customers = book.customers_get_many(user, [n[:32] for n in post.getlist("customer")][: MAX_BATCH + 1], ip=ip)
    to_id = record_id(post.get("to"))
    to_rm = book.assignable_rms(user).filter(pk=to_id).first() if to_id is not None else None
    reason, note = post.get("reason", ""), post.get("note", "")
    context: dict[str, Any] = {
        "customers": customers,
        "to_rm": to_rm,
        "reason": reason,
        "reason_label": dict(_reasons()).get(reason, ""),
        "note": note,
        "filters": filters,
        "query": _query(filters),
        "from_groups": _from_groups(customers),
    }
    try:
        if post.get("confirm") != "1":
            customers_move_check(by=user, customers=customers, to_rm=to_rm, reason=reason, note=note)
            context["key"] = uuid.uuid4().hex
            return render(request, "customers/book_confirm.html", context)
        key = post.get("key", "")[:KEY_LENGTH]
        if not key or to_rm is None:
            return HttpResponseBadRequest()
        result = customers_move(by=user, customers=customers, to_rm=to_rm, reason=reason, note=note, key=key, ip=ip)
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "customers/book_confirm.html", context, status=400)
    if result.repeated:
        messages.info(request, _("This move was already made; nothing was moved again."))
    else:
        text = _("%(n)d customers moved to %(rm)s.") % {"n": len(result.moved), "rm": to_rm}
        if result.unchanged:
            text += " " + _("%(n)d were already in their book.") % {"n": len(result.unchanged)}
        messages.success(request, text)
    query = _query(filters)
    return redirect(reverse("customers:book") + (f"?{query}" if query else ""))


def _from_groups(customers: list[Customer]) -> list[tuple[Staff | None, int]]:
    """Who the customers come from (None: no RM), largest group first."""
    counts: dict[str | None, int] = {}
    staff: dict[str | None, Staff | None] = {}
    for c in customers:
        counts[c.rm_id] = counts.get(c.rm_id, 0) + 1
        staff[c.rm_id] = c.rm
    return [(staff[k], n) for k, n in sorted(counts.items(), key=lambda kv: -kv[1])]


@requires(Perm.STAFF_DEACTIVATE)
@require_http_methods(["GET", "POST"])
def deactivate_page(request: StaffRequest) -> HttpResponse:
    """Choose the leaver and the successor (GET), review what moves (POST), confirm (POST, confirm=1)."""
    user, ip = request.user, client_ip(request)
    data = request.POST if request.method == "POST" else request.GET
    context: dict = {
        "leavers": deactivatable_staff(user),
        "successor_groups": book.successor_groups(user),
        "staff_id": record_id(data.get("staff")),
        "successor_id": record_id(data.get("successor")),
        "reason": data.get("reason", ""),
        "step": "choose",
    }
    if request.method == "GET":
        return render(request, "customers/book_deactivate.html", context)
    if context["staff_id"] is None or context["successor_id"] is None:
        context["errors"] = [_("Choose the member of staff and their successor.")]
        return render(request, "customers/book_deactivate.html", context, status=400)
    leaver = get_scoped_or_404(Staff.objects.select_related("home_branch"), user, ip=ip, pk=context["staff_id"])
    successor = get_scoped_or_404(Staff.objects.select_related("home_branch"), user, ip=ip, pk=context["successor_id"])
    context.update({"leaver": leaver, "successor": successor})
    try:
        if request.POST.get("confirm") != "1":
            context.update(book.hand_over_preview(leaver, successor))
            context["step"] = "review"
            if not leaver.is_active:
                context["errors"] = [_("%(name)s is already deactivated.") % {"name": leaver}]
            return render(request, "customers/book_deactivate.html", context)
        handed = staff_deactivate(by=user, staff=leaver, successor=successor, reason=context["reason"], ip=ip)
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "customers/book_deactivate.html", context, status=400)
    if not handed:
        messages.info(request, _("%(name)s was already deactivated; nothing changed.") % {"name": leaver})
    else:
        messages.success(
            request,
            _("%(name)s is deactivated; %(n)d customers handed to %(successor)s, %(pool)d to the unassigned pool.")
            % {
                "name": leaver,
                "n": handed.get("customers", 0),
                "successor": successor,
                "pool": handed.get("to_pool", 0),
            },
        )
    return redirect("customers:book")
