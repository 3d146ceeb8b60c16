"""Retention actions on one customer: the playbook panel, handoff, intercept, proposal, lost interview.

Thin views: the customer comes through `customers_for` (scoped; foreign and missing are one 404),
records through `selectors.scoped_get`, writes through the services (which check roles and audit).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.churn.models import Alert
from tenure.churn.selectors import customer_alerts
from tenure.core.http import client_ip, record_id
from tenure.customers.selectors import customer_get
from tenure.ingest.selectors import latest_business_date
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import scoped
from tenure.retention import services
from tenure.retention.forms import HandoffForm, InterceptForm, InterviewForm, ProposalForm
from tenure.retention.interviews import interview_record
from tenure.retention.models import Handoff, Intercept, Proposal
from tenure.retention.playbooks import playbook_for
from tenure.retention.selectors import competitor_products, scoped_get


def _customer(request: StaffRequest, customer_id: int):
    return customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))


def _posted_id(request: StaffRequest, name: str) -> int:
    found = record_id(request.POST.get(name, "") or request.GET.get(name, ""))
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def playbook_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's playbook part (htmx): steps per active alert, counter-offer, loans, actions."""
    customer = _customer(request, customer_id)
    user = request.user
    _score, alerts = customer_alerts(user=user, customer=customer)
    today = latest_business_date() or timezone.localdate()
    context = {
        "customer": customer,
        # Products are proposed today (suitability: assessment expiry, age), not on the data's business date.
        "books": [(a, playbook_for(a, today, on=timezone.localdate())) for a in alerts],
        "proposals": scoped(Proposal.objects.filter(customer=customer), user).select_related("decided_by")[:5],
        "intercepts": scoped(Intercept.objects.filter(customer=customer, retained_amount=None), user),
        "handoff_form": HandoffForm(),
        "proposal_form": ProposalForm(),
        "can_handoff": has_perm(user, Perm.RETENTION_HANDOFF),
        "can_propose": has_perm(user, Perm.PROPOSAL_CREATE),
        "can_intercept": has_perm(user, Perm.INTERCEPT_RECORD),
    }
    return render(request, "retention/_playbook.html", context)


@login_required
@require_POST
def handoff_create(request: StaffRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    form = HandoffForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    services.handoff_create(customer=customer, by=request.user, **form.cleaned_data)
    messages.success(request, _("Handed over to the relationship manager."))
    return redirect("customers:detail", customer_id)


@login_required
@require_POST
def handoff_done(request: StaffRequest, customer_id: int) -> HttpResponse:
    _customer(request, customer_id)  # a foreign customer is a logged 404 before the record is looked up
    handoff = scoped_get(Handoff, user=request.user, pk=_posted_id(request, "handoff"), customer_id=customer_id)
    services.handoff_done(handoff=handoff, by=request.user)
    return redirect("retention:handoffs")


@login_required
@require_http_methods(["GET", "POST"])
def intercept_new(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Record a large withdrawal/transfer appointment (counter or lobby); starts the intercept chain."""
    customer = _customer(request, customer_id)
    if not has_perm(request.user, Perm.INTERCEPT_RECORD):
        raise PermissionDenied
    form = InterceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.intercept_record(customer=customer, by=request.user, **form.cleaned_data)
        messages.success(request, _("Appointment recorded; the RM is asked to act first."))
        return redirect("retention:intercepts")
    return render(request, "retention/intercept_form.html", {"customer": customer, "form": form})


@login_required
@require_POST
def intercept_step(request: StaffRequest, customer_id: int) -> HttpResponse:
    _customer(request, customer_id)
    intercept = scoped_get(Intercept, user=request.user, pk=_posted_id(request, "intercept"), customer_id=customer_id)
    retained = request.POST.get("retained", "").strip()
    try:
        services.intercept_step_done(
            intercept=intercept,
            by=request.user,
            note=request.POST.get("note", ""),
            retained=_decimal(retained) if retained else None,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("retention:intercepts")


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("Enter the amount kept in yuan.")) from exc
    if value < 0:
        raise ValueError(_("Enter the amount kept in yuan."))
    return value


@login_required
@require_POST
def proposal_create(request: StaffRequest, customer_id: int) -> HttpResponse:
    customer = _customer(request, customer_id)
    alert = scoped_get(Alert, user=request.user, pk=_posted_id(request, "alert"), customer_id=customer_id)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    services.proposal_create(customer=customer, alert=alert, by=request.user, **form.cleaned_data)
    messages.success(request, _("Proposal sent to the branch head for approval."))
    return redirect("customers:detail", customer_id)


@login_required
@require_POST
def proposal_decide(request: StaffRequest, customer_id: int) -> HttpResponse:
    _customer(request, customer_id)
    proposal = scoped_get(Proposal, user=request.user, pk=_posted_id(request, "proposal"), customer_id=customer_id)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        return HttpResponseBadRequest()
    try:
        services.proposal_decide(
            proposal=proposal, by=request.user, approve=decision == "approve", note=request.POST.get("note", "")
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("retention:proposals")


@login_required
@require_http_methods(["GET", "POST"])
def interview(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The short lost-customer interview; opened after an alert's outcome is set to "lost"."""
    customer = _customer(request, customer_id)
    alert = None
    if request.POST.get("alert") or request.GET.get("alert"):
        alert = scoped_get(Alert, user=request.user, pk=_posted_id(request, "alert"), customer_id=customer_id)
    issuers = sorted(set(competitor_products().values_list("issuer", flat=True)))
    form = InterviewForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        interview_record(customer=customer, alert=alert, by=request.user, **form.cleaned_data)
        messages.success(request, _("Interview saved. Thank you: the reasons feed the churn model and the reports."))
        return redirect("churn:queue")
    return render(request, "retention/interview_form.html", {"customer": customer, "alert": alert, "form": form})
