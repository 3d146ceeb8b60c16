"""Retention lists and analysis pages: competitor products, handoffs, intercepts, proposals,
lost-customer interviews and campaigns. Thin views over `selectors` and the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.core.http import client_ip
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import get_scoped_or_404, scoped
from tenure.retention import selectors, services
from tenure.retention.campaigns import campaign_create, campaign_measure, campaign_result
from tenure.retention.forms import CampaignForm, CompetitorProductForm
from tenure.retention.interviews import OTHER_COMPETITOR, REASONS, aggregate
from tenure.retention.models import Campaign, CampaignMember, Proposal
from tenure.retention.playbooks import comparable_products

PER_PAGE = 50


def _page(request: StaffRequest, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_GET
def products(request: StaffRequest) -> HttpResponse:
    """Competitor products next to our comparable product: the comparison table of docs/churn.md.

    No customer here, so no offer: the table shows our product's risk level, and a customer's
    counter-offer (checked by `offers.suitability.suitable`) is on their playbook."""
    today = timezone.localdate()
    rows = comparable_products(selectors.competitor_products(), today)
    return render(
        request,
        "retention/products.html",
        {"rows": rows, "can_edit": has_perm(request.user, Perm.COMPETITOR_PRODUCTS_EDIT)},
    )


@requires(Perm.COMPETITOR_PRODUCTS_EDIT)
@require_http_methods(["GET", "POST"])
def product_edit(request: StaffRequest, product_id: int | None = None) -> HttpResponse:
    """Add or edit a competitor product (analysts; audited)."""
    product = get_object_or_404(selectors.competitor_products(), pk=product_id) if product_id else None
    form = CompetitorProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        services.competitor_product_save(product=form.save(commit=False), by=request.user)
        messages.success(request, _("Competitor product saved."))
        return redirect("retention:products")
    return render(request, "retention/product_form.html", {"form": form, "product": product})


@login_required
@require_GET
def handoffs(request: StaffRequest) -> HttpResponse:
    mine = request.GET.get("mine", "1") == "1"
    page = _page(request, selectors.handoffs(user=request.user, mine=mine))
    return render(request, "retention/handoffs.html", {"page": page, "mine": mine})


@login_required
@require_GET
def intercepts(request: StaffRequest) -> HttpResponse:
    page = _page(request, selectors.intercepts(user=request.user))
    return render(request, "retention/intercepts.html", {"page": page, "chain": dict(services.CHAIN)})


@login_required
@require_GET
def proposals(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", Proposal.Status.PENDING)
    status = status if status in Proposal.Status.values else ""
    page = _page(request, selectors.proposals(user=request.user, status=status))
    can_decide = has_perm(request.user, Perm.PROPOSAL_DECIDE)
    return render(
        request,
        "retention/proposals.html",
        {"page": page, "status": status, "statuses": Proposal.Status.choices, "can_decide": can_decide},
    )


def _bar(counter, labels: dict, name: str) -> dict:
    ordered = counter.most_common()
    return {"name": name, "labels": [str(labels.get(k, k)) for k, _ in ordered], "values": [v for _, v in ordered]}


@login_required
@require_GET
def interview_report(request: StaffRequest) -> HttpResponse:
    """Why customers left and to whom, over the interviews in the caller's scope (docs/churn.md)."""
    qs = selectors.interviews(user=request.user)
    totals = aggregate(qs)
    reason_labels = {k: label for k, (label, _g) in REASONS.items()}
    context = {
        "totals": totals,
        "reason_chart": _bar(totals["reasons"], reason_labels, _("Customers")),
        "competitor_chart": _bar(totals["competitors"], {OTHER_COMPETITOR: _("Other")}, _("Customers")),
        "reason_rows": [(reason_labels.get(k, k), v) for k, v in totals["reasons"].most_common()],
        "recent": qs[:20],
    }
    return render(request, "retention/interviews.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: StaffRequest) -> HttpResponse:
    """Campaign list, and (branch heads, head office) a form to start one."""
    can_run = has_perm(request.user, Perm.CAMPAIGNS_RUN)
    form = CampaignForm(request.POST or None, branches=scoped(Branch.objects.all(), request.user))
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            try:
                campaign = campaign_create(by=request.user, **form.cleaned_data)
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("retention:campaign", campaign.pk)
    page = _page(request, selectors.campaigns(user=request.user))
    return render(request, "retention/campaigns.html", {"page": page, "form": form, "can_run": can_run})


def _campaign(request: StaffRequest, campaign_id: int) -> Campaign:
    return get_scoped_or_404(selectors.campaign_rows(), request.user, ip=client_ip(request), pk=campaign_id)


@login_required
@require_GET
def campaign(request: StaffRequest, campaign_id: int) -> HttpResponse:
    """Treated vs control: churn in each and the difference with its 95% interval (Newcombe)."""
    found = _campaign(request, campaign_id)
    members = scoped(CampaignMember.objects.filter(campaign=found), request.user)
    context = {
        "campaign": found,
        "result": campaign_result(members) if found.measured_at else None,
        "page": _page(request, members.select_related("customer").order_by("group", "-probability", "id")),
        "can_run": has_perm(request.user, Perm.CAMPAIGNS_RUN),
    }
    return render(request, "retention/campaign.html", context)


@login_required
@require_POST
def campaign_measure_view(request: StaffRequest, campaign_id: int) -> HttpResponse:
    found = _campaign(request, campaign_id)
    if not has_perm(request.user, Perm.CAMPAIGNS_RUN):
        raise PermissionDenied
    campaign_measure(campaign=found, by=request.user)
    return redirect("retention:campaign", campaign_id)
