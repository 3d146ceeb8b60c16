"""The competitor comparison and the evaluation dashboard (issue 26 items 4 and 5), their XLSX
exports and the analysts' edits. Thin: reads in `competitors` and `evaluation`, writes through
`competitors`' services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tenure.core.audit import audit
from tenure.core.downloads import Sheet, xlsx_book_response
from tenure.core.http import client_ip
from tenure.customers.models import ProductType
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import get_scoped_or_404, scoped
from tenure.performance import competitors, evaluation
from tenure.performance.forms import MysteryShopForm, OfferingForm
from tenure.performance.models import MysteryShop
from tenure.performance.period import Period
from tenure.performance.views import branch_asked

SHOWN = 5  # offerings per side and type on the overview; one type chosen shows them all


def _filters(request: StaffRequest) -> tuple[Period, Branch | None, dict[str, Any]]:
    """The period and branch asked for, and what the filter form shows."""
    period = Period.from_query(request.GET)
    branch = branch_asked(request)
    context = {
        "period": period,
        "branch": branch,
        "branch_choices": scoped(Branch.objects.order_by("path"), request.user),
        "filter_q": urlencode(period.query | ({"branch": branch.code} if branch else {})),
    }
    return period, branch, context


@requires(Perm.COMPETITORS_VIEW)
def competitor_page(request: StaffRequest) -> HttpResponse:
    """Their offerings beside ours by product type, mystery-shopping notes and why customers left."""
    period, branch, context = _filters(request)
    today = timezone.localdate()
    product_type = request.GET.get("type", "")
    product_type = product_type if product_type in ProductType.values else ""
    departures = competitors.departures(request.user, period, branch)
    context |= {
        "groups": competitors.comparison(today, product_type=product_type, limit=None if product_type else SHOWN),
        "product_type": product_type,
        "types": ProductType.choices,
        "retired": competitors.competitor_products(retired=True),
        "shops": competitors.mystery_shops(request.user, period, branch),
        "departures": departures,
        "reason_chart": {
            "name": _("Interviews"),
            "labels": [label for label, _n in departures.reasons],
            "values": [n for _label, n in departures.reasons],
        },
        "can_edit": has_perm(request.user, Perm.COMPETITOR_PRODUCTS_EDIT),
        "today": today,
    }
    return render(request, "performance/competitors.html", context)


@requires(Perm.COMPETITOR_PRODUCTS_EDIT)
@require_http_methods(["GET", "POST"])
def offering_edit(request: StaffRequest, product_id: int | None = None) -> HttpResponse:
    """Add or edit a competitor's offering (analysts; audited)."""
    product = None
    initial: dict[str, Any] = {}
    if product_id is not None:
        product = get_object_or_404(competitors.competitor_products(retired=False), pk=product_id)
        terms = getattr(product, "competitor_terms", None)
        initial = {name: getattr(product, name) for name in competitors.PRODUCT_FIELDS}
        if terms is not None:
            initial |= {name: getattr(terms, name) for name in competitors.TERMS_FIELDS}
    form = OfferingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        competitors.competitor_offering_save(by=request.user, data=form.cleaned_data, product=product)
        messages.success(request, _("Competitor offering saved."))
        return redirect("performance:competitors")
    context = {"form": form, "product": product, "issuers": competitors.issuers()}
    return render(request, "performance/offering_form.html", context, status=400 if form.errors else 200)


@requires(Perm.COMPETITOR_PRODUCTS_EDIT)
@require_POST
def offering_retire(request: StaffRequest, product_id: int) -> HttpResponse:
    """Retire an offering, or put a retired one back (`restore=1`); audited."""
    restore = request.POST.get("restore") == "1"
    product = get_object_or_404(competitors.competitor_products(retired=restore), pk=product_id)
    competitors.competitor_offering_retire(by=request.user, product=product, retire=not restore)
    messages.success(request, _("Offering put back.") if restore else _("Offering retired."))
    return redirect("performance:competitors")


@requires(Perm.COMPETITOR_PRODUCTS_EDIT)
@require_http_methods(["GET", "POST"])
def mystery_edit(request: StaffRequest, shop_id: int | None = None) -> HttpResponse:
    """Record or correct a mystery-shopping note (analysts; audited)."""
    shop = None
    initial: dict[str, Any] = {}
    if shop_id is not None:
        shop = get_scoped_or_404(MysteryShop.objects.filter(retired_at=None), request.user, pk=shop_id)
        initial = {name: getattr(shop, name) for name in competitors.SHOP_FIELDS}
    form = MysteryShopForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        competitors.mystery_shop_save(by=request.user, data=form.cleaned_data, shop=shop)
        messages.success(request, _("Mystery-shopping note saved."))
        return redirect("performance:competitors")
    context = {"form": form, "shop": shop, "issuers": competitors.issuers()}
    return render(request, "performance/mystery_form.html", context, status=400 if form.errors else 200)


@requires(Perm.COMPETITOR_PRODUCTS_EDIT)
@require_POST
def mystery_retire(request: StaffRequest, shop_id: int) -> HttpResponse:
    shop = get_scoped_or_404(MysteryShop.objects.filter(retired_at=None), request.user, pk=shop_id)
    competitors.mystery_shop_retire(by=request.user, shop=shop)
    messages.success(request, _("Mystery-shopping note withdrawn."))
    return redirect("performance:competitors")


@requires(Perm.EVALUATION_VIEW)
def evaluation_page(request: StaffRequest) -> HttpResponse:
    """Satisfaction, complaints, churn, campaigns, scorecards (and waiting times) by branch and period."""
    period, branch, context = _filters(request)
    board = evaluation.dashboard(request.user, period, branch)
    context |= {"board": board, "kpis": board.kpis}
    return render(request, "performance/evaluation.html", context)


@requires(Perm.EVALUATION_VIEW)
def evaluation_export(request: StaffRequest) -> HttpResponse:
    """The page as one workbook (a sheet per section) or, with `?section=`, one chart's numbers; audited."""
    period, branch, _context = _filters(request)
    key = request.GET.get("section", "")
    if key and key not in evaluation.SECTIONS:
        raise Http404("No such section")
    board = evaluation.dashboard(request.user, period, branch)
    sections = [s for s in board.sections if not key or s.key == key]
    if not sections:
        raise Http404("No such section")
    lines = [
        (_("Period"), f"{period.first.label} – {period.last.label}"),
        (_("Branch"), branch.label if branch else _("Your scope")),
    ]
    audit(
        action="evaluation.export",
        actor=request.user,
        object_type="Evaluation",
        object_id=key or "all",
        detail={"from": period.first.label, "to": period.last.label, "branch": branch.code if branch else ""},
        ip_address=client_ip(request),
    )
    sheets = [Sheet(s.sheet_title, s.columns, s.rows, [*lines, (_("Source"), s.source)]) for s in sections]
    name = f"evaluation-{key}" if key else "evaluation"
    return xlsx_book_response(f"{name}-{period.first.label}-{period.last.label}", sheets)
