"""Offers pages: the 360° page's offers partial (htmx), recording an assessment or an answer, the
catalogue, the book's best open offers and offer campaigns (treated against a held-out control group).

Thin views: the customer comes through `customer_get` (scoped; foreign and missing are one 404,
the former audited), reads through `selectors`, writes through `services`.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.core.audit import audit
from tenure.core.downloads import xlsx_response
from tenure.core.figures import Percent
from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.offers import selectors, services
from tenure.offers.book import EXPORT_LIMIT, SORTS, BookOffers
from tenure.offers.campaigns import CampaignError, offer_campaign_create, offer_campaign_measure, offer_campaign_result
from tenure.offers.forms import AssessmentForm, OfferCampaignForm, ResponseForm, TermsForm
from tenure.offers.models import OfferCampaignMember, ProductTerms
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import get_scoped_or_404, is_book_owner_default, scoped

FORM_PREFIX = "assess"  # the 360° page holds other forms: keep the field ids apart
RESPONSE_PREFIX = "answer"


def _response_form(offers, data=None) -> ResponseForm:
    return ResponseForm(
        data, prefix=RESPONSE_PREFIX, products=[o.product for o in offers], initial={"form_key": uuid.uuid4()}
    )


def _panel(
    request: StaffRequest,
    customer,
    form: AssessmentForm | None = None,
    answer: ResponseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    recommendation = selectors.recommend(customer, today)
    context = {
        "customer": customer,
        "result": recommendation.result,
        "recommendation": recommendation,
        "history": selectors.assessment_history(customer)[:5],
        "responses": selectors.responses_for(customer)[:5],
        "can_assess": has_perm(request.user, Perm.RISK_ASSESSMENT_RECORD),
        "can_answer": has_perm(request.user, Perm.OFFER_RESPONSE_RECORD) and bool(recommendation.offers),
        "form": form or AssessmentForm(prefix=FORM_PREFIX),
        "answer": answer or _response_form(recommendation.offers),
    }
    return render(request, "offers/_suitability.html", context, status=status)


@login_required
@require_GET
def customer_offers(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Our active products for this customer: offered, or not offered with every reason; the assessment."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    return _panel(request, customer)


@requires(Perm.RISK_ASSESSMENT_RECORD)
@require_POST
def assessment_create(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Record a new assessment; answers with the refreshed panel (htmx) or back to the 360° page."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    form = AssessmentForm(request.POST, prefix=FORM_PREFIX)
    if form.is_valid():
        try:
            services.assessment_record(customer=customer, by=request.user, ip=client_ip(request), **form.cleaned_data)
        except services.OfferError as exc:
            form.add_error(None, str(exc))
        else:
            if not request.htmx:
                messages.success(request, _("Risk assessment recorded."))
                return redirect("customers:detail", customer_id)
            return _panel(request, customer)
    return _panel(request, customer, form, status=400)


@requires(Perm.OFFER_RESPONSE_RECORD)
@require_POST
def response_create(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Record the customer's answer to an offer (double submit: one answer, by the form's key)."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    products = list(selectors.own_products(timezone.localdate()))
    form = ResponseForm(request.POST, prefix=RESPONSE_PREFIX, products=products)
    if form.is_valid():
        data = form.cleaned_data
        product = next(p for p in products if p.pk == data["product"])
        try:
            services.offer_response_record(
                customer=customer,
                product=product,
                outcome=data["outcome"],
                reason=data["reason"],
                note=data["note"],
                form_key=str(data["form_key"]),
                by=request.user,
                ip=client_ip(request),
            )
        except services.OfferError as exc:
            form.add_error(None, str(exc))
        else:
            if not request.htmx:
                messages.success(request, _("The customer's answer is recorded."))
                return redirect("customers:detail", customer_id)
            return _panel(request, customer)
    return _panel(request, customer, answer=form, status=400)


@login_required
@require_GET
def catalogue(request: StaffRequest) -> HttpResponse:
    """Our products with type, risk level, term, rate and their sales terms (no customer data)."""
    return render(
        request,
        "offers/catalogue.html",
        {"products": selectors.catalogue(), "can_edit": has_perm(request.user, Perm.OFFER_CATALOGUE_EDIT)},
    )


@requires(Perm.OFFER_CATALOGUE_EDIT)
@require_http_methods(["GET", "POST"])
def terms_edit(request: StaffRequest, product_id: int) -> HttpResponse:
    """Set one product's sales terms (analysts, administrators; audited)."""
    product = get_object_or_404(selectors.catalogue(), pk=product_id)
    terms = ProductTerms.objects.filter(product=product).first()
    initial = (
        {f: getattr(terms, f) for f in ("min_amount", "target_tiers", "sale_from", "sale_to", "fees", "penalty")}
        if terms
        else {"min_amount": 0}
    )
    form = TermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_terms_save(product=product, by=request.user, **form.cleaned_data)
        except services.OfferError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Sales terms saved."))
            return redirect("offers:catalogue")
    return render(request, "offers/terms_form.html", {"form": form, "product": product})


PER_PAGE = 25


@requires(Perm.OFFER_RESPONSE_RECORD)
@require_GET
def book(request: StaffRequest) -> HttpResponse:
    """The best open offers of the caller's book (RM) or scope (branch head), by expected value;
    `?format=xlsx` downloads the list (capped, audited)."""
    g = request.GET
    mine = g.get("mine", "1" if is_book_owner_default(request.user) else "0") == "1"
    sort = g.get("sort", "-value")
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "value"
    descending = sort.startswith("-") or sort.lstrip("-") not in SORTS
    offers = BookOffers(request.user, mine=mine, sort=key, descending=descending, on=timezone.localdate())
    if g.get("format") == "xlsx":
        return _book_xlsx(request, offers, mine)
    keep = {"mine": "1" if mine else "0"}
    context = {
        "page": Paginator(offers, PER_PAGE).get_page(g.get("page")),
        "scored_on": offers.scored_on,
        "mine": mine,
        "sort": key,
        "descending": descending,
        "sort_query": urlencode(keep),
        "query": urlencode(keep | {"sort": f"{'-' if descending else ''}{key}"}),
    }
    return render(request, "offers/book.html", context)


def _book_xlsx(request: StaffRequest, offers: BookOffers, mine: bool) -> HttpResponse:
    audit(
        action="offers.book.export",
        actor=request.user,
        object_type="offer",
        detail={"mine": mine, "scored_on": str(offers.scored_on)},
        ip_address=client_ip(request),
    )
    rows = offers[:EXPORT_LIMIT]
    columns = [
        _("Customer number"),
        _("Name"),
        _("Product type"),
        _("Product"),
        _("Chance of opening next month (%)"),
        _("Expected value (yuan a year)"),
        _("Why this offer"),
    ]
    return xlsx_response(
        "best-offers",
        columns,
        (
            [
                o.customer.customer_no,
                o.customer.name,
                o.type_label,
                o.product.name if o.product else _("Not offered") + ": " + "; ".join(o.refused),
                round(o.chance, 1),
                round(o.expected_value, 2),
                " · ".join(o.reason_texts) or None,
            ]
            for o in rows
        ),
        lines=[(_("Scores of"), offers.scored_on), (_("Rows (at most)"), EXPORT_LIMIT)],
    )


CAMPAIGN_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: StaffRequest) -> HttpResponse:
    """The offer campaigns of the caller's scope (sortable, paginated) and, for those who run
    campaigns (branch heads, head office), the form to start one."""
    can_run = has_perm(request.user, Perm.CAMPAIGNS_RUN)
    form = OfferCampaignForm(request.POST or None, branches=scoped(Branch.objects.all(), request.user))
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            try:
                campaign = offer_campaign_create(by=request.user, **form.cleaned_data)
            except CampaignError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Campaign started: the treated group's RMs have a call task each."))
                return redirect("offers:campaign", campaign.pk)
    sort = request.GET.get("sort", "-created")
    key = sort.lstrip("-") if sort.lstrip("-") in selectors.CAMPAIGN_SORTS else "created"
    descending = sort.startswith("-") or sort.lstrip("-") not in selectors.CAMPAIGN_SORTS
    rows = selectors.offer_campaigns(user=request.user, sort=key, descending=descending)
    context = {
        "page": Paginator(rows, CAMPAIGN_PER_PAGE).get_page(request.GET.get("page")),
        "form": form,
        "can_run": can_run,
        "sort": key,
        "descending": descending,
        "sort_query": "",
        "query": urlencode({"sort": f"{'-' if descending else ''}{key}"}),
    }
    return render(request, "offers/campaigns.html", context, status=400 if form.errors else 200)


def _campaign(request: StaffRequest, campaign_id: int):
    return get_scoped_or_404(selectors.offer_campaign_rows(), request.user, ip=client_ip(request), pk=campaign_id)


@login_required
@require_GET
def campaign(request: StaffRequest, campaign_id: int) -> HttpResponse:
    """Treated against control: adoption in each and the uplift with its 95 % interval (Newcombe)."""
    found = _campaign(request, campaign_id)
    result = offer_campaign_result(found) if found.measured_at else None
    context = {
        "campaign": found,
        "result": result,
        "groups": [
            (label, result["groups"][group], Percent(result["groups"][group]["rate"]))
            for group, label in OfferCampaignMember.Group.choices
        ]
        if result
        else [],
        "chart": _uplift_chart(result) if result and result["effect"] else None,
        "page": Paginator(selectors.offer_campaign_members(found, user=request.user), CAMPAIGN_PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "can_run": has_perm(request.user, Perm.CAMPAIGNS_RUN),
    }
    return render(request, "offers/campaign.html", context)


def _uplift_chart(result: dict) -> dict:
    """The chart's data, in percent: each group's adoption rate, and the uplift with its interval."""
    effect = result["effect"]
    return {
        "groups": [str(_("Treated")), str(_("Control"))],
        "rates": [round(effect.p1 * 100, 2), round(effect.p2 * 100, 2)],
        "uplift": str(_("Uplift")),
        "diff": round(effect.diff * 100, 2),
        "low": round(effect.low * 100, 2),
        "high": round(effect.high * 100, 2),
        "rate_name": str(_("Adoption rate")),
        "interval_name": str(_("Interval (95%)")),
        "unit": "%",
        "points": str(_("pp")),  # percentage points, short: the chart is narrow on a phone
    }


@login_required
@require_POST
def campaign_measure(request: StaffRequest, campaign_id: int) -> HttpResponse:
    """Measure adoption up to the latest import (branch heads, head office; audited)."""
    found = _campaign(request, campaign_id)
    if not has_perm(request.user, Perm.CAMPAIGNS_RUN):
        raise PermissionDenied
    try:
        offer_campaign_measure(campaign=found, by=request.user)
    except CampaignError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Measured: the campaign's call tasks are closed."))
    return redirect("offers:campaign", campaign_id)
