"""Points pages: the merchants' balances with the monthly movements, and a merchant's page with its
monthly statement, the statement's Excel export and redemption. Thin views over `selectors` and
`services`; every queryset comes from `selectors.merchants_for` (branch scope), and a merchant out
of scope is a 404 like a missing one (the attempt is audited as `access.denied`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenure.core.audit import audit
from tenure.core.http import client_ip
from tenure.customers.models import Merchant, MerchantCategory
from tenure.customers.selectors import customer_get
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import get_scoped_or_404
from tenure.points import selectors, services
from tenure.points.exports import statement_xlsx
from tenure.points.forms import RedeemForm
from tenure.points.models import PointsJournal

PER_PAGE = 50
Kind = PointsJournal.Kind
# sort key of the page -> ORDER BY (ascending; a leading "-" on the key reverses the first column)
SORTS = {"balance": ("points_balance", "merchant_no"), "name": ("name", "merchant_no"), "merchant_no": ("merchant_no",)}


def _list_filters(request: StaffRequest) -> dict:
    """The list's filters and sort from the query string; anything unknown falls back to its default."""
    g = request.GET
    sort = g.get("sort", "-balance")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORTS:
        sort, descending = "balance", True
    return {
        "category": g.get("category") if g.get("category") in MerchantCategory.values else "",
        "q": g.get("q", "").strip()[:64],
        "with_points": g.get("with_points") == "1",
        "sort": sort,
        "descending": descending,
    }


def merchant_list(*, user, category: str, q: str, with_points: bool, sort: str, descending: bool) -> QuerySet:
    """Merchants of the user's scope as filtered, each with `points_balance` (0 before any points)."""
    queryset = selectors.merchants_for(user)
    if category:
        queryset = queryset.filter(category=category)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(merchant_no__icontains=q))
    if with_points:
        queryset = queryset.filter(points_balance__gt=0)
    first, *rest = SORTS[sort]
    return queryset.order_by(("-" if descending else "") + first, *rest)


def monthly_chart(rows: Sequence[Mapping[str, Any]]) -> dict:
    """`selectors.monthly_totals` for the bar chart, series named in the page's language."""
    return {
        "months": [row["month"].strftime("%Y-%m") for row in rows],
        "series": [{"name": str(kind.label), "data": [row[kind.value] for row in rows]} for kind in selectors.KINDS],
        "axis": _("points"),
    }


@requires(Perm.POINTS_VIEW)
@require_GET
def points_list(request: StaffRequest) -> HttpResponse:
    """Merchants of the user's branch subtree with their points balance, the points outstanding and
    the latest month's movements of the listed merchants, and a chart of their monthly movements."""
    filters = _list_filters(request)
    merchants = merchant_list(user=request.user, **filters)
    page = Paginator(merchants, PER_PAGE).get_page(request.GET.get("page"))
    months = selectors.monthly_totals(merchants)
    base = {"category": filters["category"], "q": filters["q"], "with_points": int(filters["with_points"])}
    sort = ("-" if filters["descending"] else "") + filters["sort"]
    context = {
        "page": page,
        "filters": filters,
        "sort": filters["sort"],
        "descending": filters["descending"],
        "sort_query": urlencode(base),
        "query": urlencode({**base, "sort": sort}),
        "categories": MerchantCategory.choices,
        "any_merchant": selectors.merchants_for(request.user).exists(),
        "outstanding": merchants.aggregate(total=Sum("points_account__balance", default=0))["total"],
        "latest": months[-1] if months else None,
        "chart": monthly_chart(months),
    }
    return render(request, "points/list.html", context)


def merchant_get(request: StaffRequest, merchant_no: str) -> selectors.MerchantWithPoints:
    """The merchant in the user's scope, or 404 when missing *or* out of scope (the latter audited)."""
    merchants = selectors.with_points(Merchant.objects.all())
    return get_scoped_or_404(merchants, request.user, ip=client_ip(request), merchant_no=merchant_no)


def _chosen_month(request: StaffRequest, months: list[dt.date]) -> dt.date | None:
    try:
        wanted = dt.date.fromisoformat(f"{request.GET.get('month', '')}-01")
    except ValueError:
        wanted = None
    return wanted if wanted in months else (months[0] if months else None)


def _statement(request: StaffRequest, merchant: Merchant) -> tuple[list[dt.date], selectors.Statement | None]:
    months = selectors.months_with_activity(merchant)
    month = _chosen_month(request, months)
    if month is None:
        return months, None
    statement = selectors.statement(merchant, month)
    return months, statement


def _merchant_page(
    request: StaffRequest, merchant: selectors.MerchantWithPoints, form: RedeemForm | None = None, confirm: bool = False
) -> HttpResponse:
    months, statement = _statement(request, merchant)
    balance = merchant.points_balance
    can_redeem = has_perm(request.user, Perm.POINTS_REDEEM)
    if can_redeem and form is None:
        form = RedeemForm(initial={"key": uuid.uuid4()}, balance=balance)
    context = {
        "m": merchant,
        "balance": balance,
        "months": months,
        "st": statement,
        "lines": statement.lines if statement else [],
        "can_redeem": can_redeem,
        "form": form,
        "confirm": confirm,
    }
    if confirm and form is not None:  # a confirmation always comes with its checked form
        context["balance_after"] = balance - form.cleaned_data["points"]
    return render(request, "points/merchant.html", context)


@requires(Perm.POINTS_VIEW)
@require_GET
def merchant_detail(request: StaffRequest, merchant_no: str) -> HttpResponse:
    """The merchant, its balance, one month's statement (the latest by default) and, for branch heads
    and administrators, the redemption form."""
    return _merchant_page(request, merchant_get(request, merchant_no))


@requires(Perm.POINTS_VIEW)
@require_GET
def statement_export(request: StaffRequest, merchant_no: str) -> HttpResponse:
    """The month's statement as an Excel sheet (same scope as the page; audited)."""
    merchant = merchant_get(request, merchant_no)
    _months, statement = _statement(request, merchant)
    if statement is None:
        raise Http404("No statement")
    audit(
        action="points.statement.export",
        actor=request.user,
        object_type="merchant",
        object_id=merchant.merchant_no,
        customer_no=merchant.customer_id or "",
        detail={"month": f"{statement.month:%Y-%m}", "rows": len(statement.lines)},
        ip_address=client_ip(request),
    )
    return statement_xlsx(statement)


def _already_posted(merchant: Merchant, key: str) -> bool:
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        return False
    return PointsJournal.objects.filter(key=services.redemption_key(merchant, key)).exists()


@requires(Perm.POINTS_REDEEM)
@require_POST
def redeem(request: StaffRequest, merchant_no: str) -> HttpResponse:
    """Two steps: "review" checks the form and asks for confirmation (nothing is posted); "confirm"
    posts the redemption once per form key and redirects to the merchant page (POST-redirect-GET)."""
    merchant = merchant_get(request, merchant_no)
    confirming = request.POST.get("action") == "confirm"
    if confirming and _already_posted(merchant, request.POST.get("key", "")):
        # A second click or a resubmitted form: the first one posted it; checking the balance again would fail.
        messages.info(request, _("This redemption was already recorded; nothing was posted again."))
        return redirect("points:merchant", merchant.merchant_no)
    form = RedeemForm(request.POST, balance=merchant.points_balance)
    if not form.is_valid():
        return _merchant_page(request, merchant, form=form)
    if not confirming:
        return _merchant_page(request, merchant, form=form, confirm=True)
    data = form.cleaned_data
    try:
        services.redeem(merchant, data["points"], reward=data["reward"], by=request.user, key=str(data["key"]))
    except ValidationError as refused:
        # The balance fell since the form was checked (another redemption, a reversal by the daily run).
        merchant = merchant_get(request, merchant_no)
        form = RedeemForm(request.POST, balance=merchant.points_balance)
        if form.is_valid():
            form.add_error(None, refused.messages)
        return _merchant_page(request, merchant, form=form)
    merchant = merchant_get(request, merchant_no)
    messages.success(
        request,
        _("Redeemed %(points)s points for “%(reward)s”. The balance is now %(balance)s points.")
        % {"points": f"{data['points']:,}", "reward": data["reward"], "balance": f"{merchant.points_balance:,}"},
    )
    return redirect("points:merchant", merchant.merchant_no)


@login_required
@require_GET
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's points section (htmx partial): the merchants the customer owns and their points."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    owned = selectors.merchants_of(customer, request.user, timezone.localdate())
    context = {"owned": owned, "can_open": has_perm(request.user, Perm.POINTS_VIEW)}
    return render(request, "points/_customer_panel.html", context)
