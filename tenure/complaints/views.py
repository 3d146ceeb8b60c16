"""Complaint pages for staff: queue, intake, detail with timeline/checklist/transitions, 360° panel,
recovery analytics and its export, root causes. Thin views: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.complaints.display import complaint_rows, masked_complaint
from tenure.complaints.forms import DetailsForm, IntakeForm, MatchForm, RootCauseForm, StepForm, TransitionForm
from tenure.complaints.lifecycle import TransitionError, allowed_transitions, complaint_transition
from tenure.complaints.models import CHECKLIST, THREE_CHANGES, Channel, RootCause, Severity, Status, Step
from tenure.complaints.report import HORIZONS, Filters, cached_build
from tenure.complaints.selectors import (
    DUE_OVERDUE,
    DUE_TODAY,
    STATUS_OPEN,
    QueueFilters,
    complaint_get,
    complaint_queue,
    customer_complaints,
)
from tenure.complaints.services import (
    complaint_create,
    complaint_match,
    complaint_step_record,
    complaint_update_details,
    root_cause_save,
)
from tenure.core.audit import audit
from tenure.core.downloads import xlsx_response
from tenure.core.http import client_ip, record_id
from tenure.customers.models import ProductType
from tenure.customers.selectors import customer_get
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import customers_for, scoped

PER_PAGE = 50
ROWS_SHOWN = 50  # per table on the recovery page; the export has them all
EXPORT_LIMIT = 50_000


def _choice(value: str, choices) -> str:
    return value if value in choices else ""


@requires(Perm.COMPLAINTS_VIEW)
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    """Open complaints with the least time left first; filters by status, severity, branch, cause, channel."""
    g = request.GET
    causes = list(RootCause.objects.all())
    filters = QueueFilters(
        status=_choice(g.get("status", STATUS_OPEN), [STATUS_OPEN, *Status.values]) if "status" in g else STATUS_OPEN,
        severity=_choice(g.get("severity", ""), Severity.values),
        branch=g.get("branch", "")[:16],
        cause=_choice(g.get("cause", ""), [c.code for c in causes]),
        channel=_choice(g.get("channel", ""), Channel.values),
        due=_choice(g.get("due", ""), [DUE_OVERDUE, DUE_TODAY]),
    )
    page = Paginator(complaint_queue(user=request.user, filters=filters), PER_PAGE).get_page(g.get("page"))
    context = {
        "page": page,
        "rows": complaint_rows(page.object_list),
        "filters": filters,
        "query": urlencode({k: v for k, v in vars(filters).items() if v}),
        "statuses": Status.choices,
        "severities": Severity.choices,
        "channels": Channel.choices,
        "causes": causes,
        "branches": scoped(Branch.objects.order_by("code"), request.user).values_list("code", "name"),
        "can_handle": has_perm(request.user, Perm.COMPLAINTS_HANDLE),
        "can_analyse": has_perm(request.user, Perm.COMPLAINTS_RECOVERY),
        "can_edit_causes": has_perm(request.user, Perm.COMPLAINT_CAUSES_EDIT),
    }
    return render(request, "complaints/queue.html", context)


@requires(Perm.COMPLAINTS_HANDLE)
@require_http_methods(["GET", "POST"])
def intake(request: StaffRequest) -> HttpResponse:
    """Record a complaint for a customer in scope, found by customer number."""
    initial = {}
    customer_id = record_id(request.GET.get("customer"))
    if customer_id is not None:
        found = customers_for(request.user).filter(pk=customer_id).values_list("customer_no", flat=True).first()
        initial["customer_no"] = found or ""
    form = IntakeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = customers_for(request.user).filter(customer_no=data["customer_no"].strip()).first()
        if customer is None:
            form.add_error("customer_no", _("No customer with this number in your branches."))
        else:
            complaint = complaint_create(
                by=request.user,
                channel=data["channel"],
                description=data["description"],
                severity=data["severity"],
                customer=customer,
                product_type=data["product_type"],
                ip=client_ip(request),
            )
            messages.info(request, _("Complaint %(ref)s recorded.") % {"ref": complaint.reference})
            return redirect("complaints:detail", complaint_id=complaint.pk)
    return render(request, "complaints/intake.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request: StaffRequest, complaint, **forms) -> dict:
    done = {s.step: s for s in complaint.steps.select_related("done_by")}
    labels = dict(Step.choices)
    return {
        "c": complaint,
        "m": masked_complaint(complaint),
        "events": complaint.events.all(),
        "checklist": [(code, labels[code], done.get(code)) for code in CHECKLIST],
        "three_changes": [(code, labels[code], done.get(code)) for code in THREE_CHANGES],
        "transitions": [(to, dict(Status.choices)[to]) for to in allowed_transitions(complaint.status)],
        "can_handle": has_perm(request.user, Perm.COMPLAINTS_HANDLE),
        "can_match": complaint.customer_id is None
        and has_perm(request.user, Perm.COMPLAINTS_HANDLE)
        and has_perm(request.user, Perm.COMPLAINTS_UNMATCHED),
        "details_form": forms.get("details_form")
        or DetailsForm(
            initial={
                "root_cause": complaint.root_cause_id,
                "product_type": complaint.product_type,
                "severity": complaint.severity,
                "fact_who": complaint.fact_who,
                "fact_what": complaint.fact_what,
                "fact_when": complaint.fact_when,
                "fact_where": complaint.fact_where,
                "fact_why": complaint.fact_why,
                "resolution": complaint.resolution,
            }
        ),
        "match_form": forms.get("match_form") or MatchForm(),
        "error": forms.get("error", ""),
    }


@requires(Perm.COMPLAINTS_VIEW)
@require_GET
def detail(request: StaffRequest, complaint_id: int) -> HttpResponse:
    complaint = complaint_get(user=request.user, complaint_id=complaint_id, ip=client_ip(request))
    audit(
        action="complaint.view",
        actor=request.user,
        object_type="complaint",
        object_id=complaint.pk,
        customer_no=complaint.customer.customer_no if complaint.customer is not None else "",
        ip_address=client_ip(request),
    )
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _handled(request: StaffRequest, complaint_id: int):
    return complaint_get(user=request.user, complaint_id=complaint_id, ip=client_ip(request))


@requires(Perm.COMPLAINTS_HANDLE)
@require_POST
def transition(request: StaffRequest, complaint_id: int) -> HttpResponse:
    """Move the complaint along its lifecycle; a refused move shows the reason on the page (409)."""
    complaint = _handled(request, complaint_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        complaint_transition(
            complaint, form.cleaned_data["to"], request.user, form.cleaned_data["note"], ip=client_ip(request)
        )
    except TransitionError as exc:
        context = _detail_context(request, complaint, error=str(exc))
        return render(request, "complaints/detail.html", context, status=409)
    return redirect("complaints:detail", complaint_id=complaint.pk)


@requires(Perm.COMPLAINTS_HANDLE)
@require_POST
def step(request: StaffRequest, complaint_id: int) -> HttpResponse:
    complaint = _handled(request, complaint_id)
    form = StepForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError(_("Choose a step (and a rating from 1 to 5 for the follow-up)."))
        complaint_step_record(
            complaint=complaint,
            by=request.user,
            step=form.cleaned_data["step"],
            note=form.cleaned_data["note"],
            rating=form.cleaned_data["rating"],
            ip=client_ip(request),
        )
    except ValueError as exc:
        return render(
            request, "complaints/detail.html", _detail_context(request, complaint, error=str(exc)), status=400
        )
    return redirect("complaints:detail", complaint_id=complaint.pk)


@requires(Perm.COMPLAINTS_HANDLE)
@require_POST
def details(request: StaffRequest, complaint_id: int) -> HttpResponse:
    complaint = _handled(request, complaint_id)
    form = DetailsForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, complaint, details_form=form)
        return render(request, "complaints/detail.html", context, status=400)
    complaint_update_details(complaint=complaint, by=request.user, changes=form.cleaned_data, ip=client_ip(request))
    return redirect("complaints:detail", complaint_id=complaint.pk)


@requires(Perm.COMPLAINTS_HANDLE)
@require_POST
def match(request: StaffRequest, complaint_id: int) -> HttpResponse:
    """Head office attaches an unmatched public complaint to a customer, by customer number."""
    complaint = _handled(request, complaint_id)
    form = MatchForm(request.POST)
    customer = None
    if form.is_valid():
        customer = customers_for(request.user).filter(customer_no=form.cleaned_data["customer_no"].strip()).first()
    if customer is None or complaint.customer_id is not None or not has_perm(request.user, Perm.COMPLAINTS_UNMATCHED):
        form.add_error(None, _("No customer with this number in your branches."))
        return render(
            request, "complaints/detail.html", _detail_context(request, complaint, match_form=form), status=400
        )
    complaint_match(complaint=complaint, by=request.user, customer=customer, ip=client_ip(request))
    return redirect("complaints:detail", complaint_id=complaint.pk)


@login_required
@require_GET
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's complaints section (htmx partial), newest first."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    visible = has_perm(request.user, Perm.COMPLAINTS_VIEW)
    complaints = customer_complaints(user=request.user, customer=customer) if visible else []
    context = {
        "c": customer,
        "rows": complaint_rows(complaints),
        "visible": visible,
        "can_handle": has_perm(request.user, Perm.COMPLAINTS_HANDLE),
    }
    return render(request, "complaints/_customer_panel.html", context)


@requires(Perm.COMPLAINTS_RECOVERY)
@require_GET
def analytics(request: StaffRequest) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    report = cached_build(request.user, filters)
    table = request.GET.get("table", "")
    context = {
        "report": report,
        "tables": [
            (key, title, head, rows[:ROWS_SHOWN], len(rows)) for key, (title, head, rows) in report.tables.items()
        ],
        "filters": filters,
        "query": _without(request.GET, "table"),
        # One table at a time, chosen by ?table= (the page was 13,757 px with all of them).
        "shown": table if table in report.tables else next(iter(report.tables), ""),
        "branches": scoped(Branch.objects.order_by("code"), request.user).values_list("code", "name"),
        "products": ProductType.choices,
        "horizons": HORIZONS,
    }
    return render(request, "complaints/analytics.html", context)


def _without(query, name: str) -> str:
    """`query` url-encoded without the parameter `name`."""
    rest = query.copy()
    rest.pop(name, None)
    return rest.urlencode()


@requires(Perm.COMPLAINTS_RECOVERY)
@require_GET
def analytics_export(request: StaffRequest) -> HttpResponse:
    """One table of the recovery page (same filters and scope) as XLSX; `table` names it. Audited."""
    filters = Filters.from_query(request.GET)
    report = cached_build(request.user, filters)
    table = request.GET.get("table", "")
    if table not in report.tables:
        raise Http404
    title, header, rows = report.tables[table]
    audit(
        action="complaint.analytics.export",
        actor=request.user,
        object_type="complaint",
        detail={"table": table, "filters": filters.described()},
        ip_address=client_ip(request),
    )
    return xlsx_response(f"complaints-{table}", header, rows[:EXPORT_LIMIT])


@requires(Perm.COMPLAINT_CAUSES_EDIT)
@require_http_methods(["GET", "POST"])
def causes(request: StaffRequest) -> HttpResponse:
    """List and edit the root causes (codes stay; labels, order and active flag change)."""
    editing = None
    if (cause_id := record_id(request.POST.get("id"))) is not None:
        editing = RootCause.objects.filter(pk=cause_id).first()
    form = RootCauseForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        root_cause_save(by=request.user, cause=editing, values=form.cleaned_data)
        return redirect("complaints:causes")
    context = {"rows": RootCause.objects.all(), "form": form, "editing": editing}
    return render(request, "complaints/causes.html", context, status=400 if form.errors else 200)
