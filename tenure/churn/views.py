"""Churn pages: the RM work queue, recording an action, the model report (HTML and JSON). Thin views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.churn.alerts import alert_act, alerts_assign
from tenure.churn.forms import ChurnPolicyForm, SignalThresholdsForm
from tenure.churn.models import CAUSES, Alert, ChurnPolicy
from tenure.churn.reasons import feature_name
from tenure.churn.rules import active_policy, policy_save
from tenure.churn.selectors import (
    alert_get,
    alert_queue,
    assignable_rms,
    at_risk,
    customer_alerts,
    default_mine,
    model_report,
)
from tenure.churn.services import ensure_reasons
from tenure.churn.severity import severity_grid
from tenure.core.audit import audit
from tenure.core.downloads import xlsx_response
from tenure.core.figures import Percent, Yuan
from tenure.core.http import client_ip, record_id
from tenure.customers.selectors import customer_get
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import scoped

PER_PAGE = 50
EXPORT_LIMIT = 50_000
SEVERITIES = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}


@login_required
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    """The work queue: filters by cause, severity, status and "mine"."""
    g = request.GET
    mine = g.get("mine", "1" if default_mine(request.user) else "") == "1"
    filters: dict[str, Any] = {
        "cause": g.get("cause", "") if g.get("cause", "") in CAUSES else "",
        "severity": g.get("severity", "") if g.get("severity", "") in SEVERITIES else "",
        "status": g.get("status", "active") if g.get("status", "active") in ("active", *Alert.Status.values) else "",
        "mine": mine,
    }
    page = Paginator(alert_queue(user=request.user, **filters), PER_PAGE).get_page(g.get("page"))
    ensure_reasons([a.customer.churn_score for a in page.object_list if hasattr(a.customer, "churn_score")])
    for alert in page.object_list:  # the score shown carries its reasons; none for a profiling refusal
        score = getattr(alert.customer, "churn_score", None) if alert.customer.consent_profiling else None
        alert.score, alert.reasons = score, score_reasons(score)
    context = {
        "page": page,
        "filters": filters,
        "causes": CAUSES,
        "severities": SEVERITIES,
        "statuses": Alert.Status.choices,
        "outcomes": Alert.Outcome.choices,
        "rms": assignable_rms(request.user) if has_perm(request.user, Perm.CHURN_HANDOFF) else None,
        "grid": severity_grid(),
        "can_edit_policy": has_perm(request.user, Perm.CHURN_POLICY_EDIT),
    }
    return render(request, "churn/queue.html", context)


@requires(Perm.CHURN_HANDOFF)
@require_POST
def assign(request: StaffRequest) -> HttpResponse:
    """Hand the ticked alerts to one RM of the user's scope (branch heads, administrators)."""
    ids = [i for i in map(record_id, request.POST.getlist("alert")) if i is not None]
    owner_id = record_id(request.POST.get("owner"))
    owner = assignable_rms(request.user).filter(pk=owner_id).first() if owner_id is not None else None
    alerts = list(scoped(Alert.objects.select_related("customer"), request.user).filter(pk__in=ids))
    if owner is None or not ids or len(alerts) != len(set(ids)):
        return HttpResponseBadRequest(_("Tick alerts of your scope and choose an RM of your scope."))
    count = alerts_assign(alerts=alerts, owner=owner, by=request.user)
    messages.success(request, _("%(count)d alerts handed to %(rm)s.") % {"count": count, "rm": owner})
    query = request.POST.get("query", "")
    return redirect(reverse("churn:queue") + (f"?{query}" if query else ""))


@login_required
@require_GET
def export_xlsx(request: StaffRequest) -> HttpResponse:
    """The current queue (same filters and scope) as an Excel sheet, capped and audited."""
    g = request.GET
    mine = g.get("mine", "1" if default_mine(request.user) else "") == "1"
    cause = g.get("cause", "") if g.get("cause", "") in CAUSES else ""
    rows = alert_queue(user=request.user, cause=cause, mine=mine)[:EXPORT_LIMIT]
    audit(
        action="churn.alerts.export",
        actor=request.user,
        object_type="churn_alert",
        detail={"cause": cause, "mine": mine},
        ip_address=client_ip(request),
    )
    labels = [_("Cause"), _("Detail"), _("Severity"), _("Churn probability"), _("Value at risk"), _("Act by")]
    return xlsx_response(
        "churn-alerts",
        [_("Customer number"), _("Name"), *labels, _("Status")],
        (
            [
                a.customer.customer_no,
                a.customer.name,
                str(CAUSES.get(a.cause, a.cause)),
                a.detail_text,
                str(SEVERITIES.get(a.severity, a.severity)),
                Percent(a.probability),
                Yuan(a.value_at_risk),
                a.due_on,
                a.get_status_display(),
            ]
            for a in rows
        ),
    )


@login_required
@require_POST
def act(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Record the action and outcome of one alert of this customer (alert id in the form)."""
    customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    alert_id = record_id(request.POST.get("alert"))
    if alert_id is None:
        return HttpResponseBadRequest()
    alert = alert_get(user=request.user, customer_id=customer_id, alert_id=alert_id)
    outcome = request.POST.get("outcome", "")
    if outcome not in Alert.Outcome.values:
        return HttpResponseBadRequest()
    alert_act(alert=alert, by=request.user, outcome=outcome, note=request.POST.get("note", "").strip())
    if outcome == Alert.Outcome.LOST:  # ask the lost customer why (retention app)
        return redirect(f"{reverse('retention:interview', args=[customer_id])}?alert={alert.pk}")
    return redirect("churn:queue")


@login_required
@require_GET
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's alerts section (htmx partial): score, band, reasons and active alerts."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    score, alerts = customer_alerts(user=request.user, customer=customer)
    context = {
        "customer": customer,
        "score": score,
        "reasons": score_reasons(score),
        "alerts": alerts,
        "causes": CAUSES,
        "severities": SEVERITIES,
        "grid": severity_grid(),
    }
    return render(request, "churn/_customer_panel.html", context)


def score_reasons(score) -> list[str]:
    """The reason sentences of a score in the interface language (PIPL art. 24: a score never shows alone)."""
    if score is None:
        return []
    ensure_reasons([score])  # a no-op unless they were deferred at scoring time
    return [r[_language()] for r in score.reasons or []]


def _language() -> str:
    """ "zh" or "en": the key of reason sentences and feature names in the interface language."""
    return "zh" if (get_language() or "zh").startswith("zh") else "en"


@login_required
@require_GET
def at_risk_card(request: StaffRequest) -> HttpResponse:
    """The RM home's "at risk" card (htmx): the riskiest customers of my book with their reasons."""
    rows = at_risk(user=request.user, mine=True)
    top = [(s, score_reasons(s)) for s in rows[:5]]
    return render(request, "churn/_at_risk_card.html", {"count": rows.count(), "top": top})


@login_required
@require_GET
def at_risk_xlsx(request: StaffRequest) -> HttpResponse:
    """The at-risk list (my book for RMs, else the scope) as Excel, with reasons; audited."""
    mine = request.GET.get("mine", "1" if default_mine(request.user) else "") == "1"
    rows = list(at_risk(user=request.user, mine=mine)[:EXPORT_LIMIT])
    ensure_reasons(rows)
    audit(
        action="churn.at_risk.export",
        actor=request.user,
        object_type="churn_score",
        detail={"mine": mine},
        ip_address=client_ip(request),
    )
    columns = [_("Customer number"), _("Name"), _("Churn probability"), _("Severity"), _("Reasons")]
    return xlsx_response(
        "churn-at-risk",
        columns,
        (
            [
                s.customer.customer_no,
                s.customer.name,
                Percent(s.probability),
                str(SEVERITIES.get(s.band, s.band)),
                "; ".join(score_reasons(s)),
            ]
            for s in rows
        ),
    )


@login_required
@require_GET
def model_page(request: StaffRequest) -> HttpResponse:
    row = model_report()
    gains = row.metrics.get("importance", []) if row else []  # names for staff, not column codes
    importance = [(feature_name(f["feature"], _language()), f["gain"]) for f in gains]
    return render(request, "churn/model.html", {"model": row, "importance": importance})


@login_required
@require_GET
def model_json(request: StaffRequest) -> JsonResponse:
    row = model_report()
    if row is None:
        return JsonResponse({"model": None})
    return JsonResponse({"version": row.version, "as_of": row.as_of.isoformat(), "metrics": row.metrics})


@requires(Perm.CHURN_POLICY_EDIT)
@require_http_methods(["GET", "POST"])
def policy_edit(request: StaffRequest) -> HttpResponse:
    """Edit the churn policy; saving stores a new version with the reason (audited `churn.policy_save`)."""
    policy = active_policy()
    form = ChurnPolicyForm(request.POST or None, rules=policy.rules)
    if request.method == "POST" and form.is_valid():
        saved = policy_save(by=request.user, rules=form.cleaned_data["rules"], note=form.cleaned_data["note"])
        messages.success(
            request,
            _("Churn policy saved as version %(version)s: alerts raised and scores rated from now on follow it.")
            % {"version": saved.version},
        )
        return redirect("churn:policy")
    context = {
        "form": form,
        "policy": policy,
        "history": ChurnPolicy.objects.select_related("created_by")[:20],
    }
    return render(request, "churn/policy.html", context, status=400 if form.errors else 200)


@requires(Perm.CHURN_POLICY_EDIT)
@require_http_methods(["GET", "POST"])
def signal_thresholds(request: StaffRequest) -> HttpResponse:
    """Edit the churn signals' thresholds; saving stores a new policy version with the reason (audited
    `churn.policy_save`), which the next daily run's alerts follow."""
    policy = active_policy()
    form = SignalThresholdsForm(request.POST or None, rules=policy.rules)
    if request.method == "POST" and form.is_valid():
        saved = policy_save(by=request.user, rules=form.cleaned_data["rules"], note=form.cleaned_data["note"])
        messages.success(
            request,
            _("Signal thresholds saved as churn policy version %(version)s: the next daily run raises alerts by them.")
            % {"version": saved.version},
        )
        return redirect("churn:signals")
    context = {"form": form, "policy": policy, "groups": form.groups()}
    return render(request, "churn/signals.html", context, status=400 if form.errors else 200)
