"""Read-only pages of the console: the branch tree, import runs and their error reports, the daily
and nightly runs, the versions of every rule set, and the API tokens (whose one write, revoking a
token, goes through `tenure.api.auth.token_revoke`, audited). Counts and names only, no customer
identifiers and never a token's key."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenure.api.auth import token_list, token_revoke
from tenure.console import selectors
from tenure.console.config_diff import rule_sets
from tenure.core.audit import audit
from tenure.core.http import client_ip
from tenure.org.http import StaffRequest
from tenure.org.models import Staff
from tenure.org.permissions import Perm, requires

PER_PAGE = 50
RUNS_PER_PAGE = 20


@requires(Perm.ADMIN_CONSOLE)
@require_GET
def branches(request: StaffRequest) -> HttpResponse:
    return render(request, "console/branches.html", {"rows": selectors.branch_tree(), "tab": "branches"})


@requires(Perm.ADMIN_CONSOLE)
@require_GET
def imports(request: StaffRequest) -> HttpResponse:
    page = Paginator(selectors.imported_files(), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "query": "", "reports": selectors.error_reports(), "tab": "imports"}
    return render(request, "console/imports.html", context)


@requires(Perm.ADMIN_CONSOLE)
@require_GET
def import_report(request: StaffRequest, name: str) -> FileResponse:
    """One error report as a download (values in it were masked when recorded); audited."""
    path = selectors.error_report_path(name)
    if path is None:
        raise Http404
    audit(action="console.import_report.download", actor=request.user, object_type="import_report",
          object_id=name, ip_address=client_ip(request))  # fmt: skip
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv")


@requires(Perm.ADMIN_CONSOLE)
@require_GET
def runs(request: StaffRequest) -> HttpResponse:
    daily = Paginator(selectors.daily_runs(), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    nightly = selectors.nightly_runs(PER_PAGE)
    return render(request, "console/runs.html", {"page": daily, "query": "", "nightly": nightly, "tab": "runs"})


@requires(Perm.ADMIN_CONSOLE)
@require_GET
def config_versions(request: StaffRequest) -> HttpResponse:
    return render(request, "console/config.html", {"sets": rule_sets(), "tab": "config"})


@requires(Perm.ADMIN_CONSOLE)
@require_GET
def tokens(request: StaffRequest) -> HttpResponse:
    """Every API token (owner, made, expires, valid or expired) and the latest revocations."""
    context = {"rows": token_list(), "revoked": selectors.revoked_tokens(), "tab": "tokens"}
    return render(request, "console/tokens.html", context)


@requires(Perm.ADMIN_CONSOLE)
@require_POST
def token_revoke_view(request: StaffRequest, staff_id: int) -> HttpResponse:
    owner = get_object_or_404(Staff, pk=staff_id)
    revoked = token_revoke(username=owner.username, by=request.user, ip_address=client_ip(request))
    name = owner.full_name or owner.username
    if revoked:
        messages.success(request, _("The API token of %(name)s is revoked.") % {"name": name})
    else:
        messages.info(request, _("%(name)s had no API token.") % {"name": name})
    return redirect("console:tokens")
