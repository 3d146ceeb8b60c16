"""Pages shared by every role: home, language, log-out everywhere, the audit log, health."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenure.core.audit import audit
from tenure.core.downloads import csv_response, xlsx_response
from tenure.core.http import client_ip
from tenure.ingest.selectors import import_status
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, requires
from tenure.web import home as home_data
from tenure.web.audit_labels import action_choices
from tenure.web.audit_log import (
    EXPORT_COLUMNS,
    AuditFilters,
    audit_actions,
    audit_entries,
    audit_export_rows,
    compliance_overview,
)
from tenure.web.forms import AuditFilterForm, LanguageForm
from tenure.web.security import sessions_end_all


@login_required
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    """The role's home page: my book, the branch, the bank, the counter, the service desk or compliance."""
    user = request.user
    kind = home_data.home_kind(user)
    context: dict = {"kind": kind, "status": import_status()}
    if kind == "rm":
        context.update(home_data.summary_context(home_data.rm_book(user)))
        context.update(home_data.workbench(user))
    elif kind in ("branch", "bank"):
        context.update(home_data.summary_context(home_data.scope_summary(user)))
    if kind == "branch":
        context["team"] = home_data.branch_team(user)
        context.update(home_data.team_work(user))
        context.update(home_data.branch_attention(user))
    elif kind == "service":
        context.update(home_data.service_desk(user))
    elif kind == "lobby":
        context.update(home_data.lobby_today(user))
    elif kind == "compliance":
        context.update(compliance_overview(user=user))
    return render(request, f"web/home_{kind}.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language for this browser and, when logged in, remember it on the staff member."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        translation.activate(language)
        response.set_cookie("django_language", language, samesite="Lax", secure=request.is_secure())
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


@login_required
@require_POST
def logout_everywhere(request: StaffRequest) -> HttpResponse:
    """End every session of this user on every device, and revoke their API token."""
    user = request.user
    ended = sessions_end_all(user)
    audit(action="auth.logout_everywhere", actor=user, detail={"sessions": ended}, ip_address=client_ip(request))
    logout(request)
    messages.info(request, _("You have been logged out on every device."))
    return redirect("login")


def _audit_filters(request: StaffRequest) -> tuple[AuditFilterForm, AuditFilters]:
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, AuditFilters(**{k: v for k, v in data.items() if v})


@requires(Perm.AUDIT_READ)
@require_GET
def audit_log(request: StaffRequest) -> HttpResponse:
    """Compliance's read-only view of who did what, filterable, paginated."""
    form, filters = _audit_filters(request)
    page = Paginator(audit_entries(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "actions": action_choices(audit_actions()), "query": query.urlencode()}
    return render(request, "web/audit_log.html", context)


def _audited_entries(request: StaffRequest, file_format: str):
    """The filtered entries for a download; the download itself is audited first."""
    _, filters = _audit_filters(request)
    audit(
        action="audit.export",
        actor=request.user,
        detail={"format": file_format, **{k: str(v) for k, v in vars(filters).items() if v}},
        ip_address=client_ip(request),
    )
    return audit_entries(user=request.user, filters=filters)


@requires(Perm.AUDIT_READ)
@require_GET
def audit_export(request: StaffRequest) -> StreamingHttpResponse:
    entries = _audited_entries(request, "csv")
    return csv_response("audit-log", EXPORT_COLUMNS, audit_export_rows(entries))


@requires(Perm.AUDIT_READ)
@require_GET
def audit_export_xlsx(request: StaffRequest) -> HttpResponse:
    """The same rows as the CSV, with dates as dates and headers in the page's language."""
    entries = _audited_entries(request, "xlsx")
    return xlsx_response("audit-log", EXPORT_COLUMNS, audit_export_rows(entries), sheet=str(_("Audit log")))


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
