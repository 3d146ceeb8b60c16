"""Pages of message templates: the list with each one's approval state, a new template code with its
first wording (maker), a template's versions with a preview on sample data, the draft form (maker)
and the approve/reject step (checker)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.core.http import client_ip
from tenure.messaging.models import (
    PURPOSE_OF,
    Channel,
    Kind,
    Language,
    MessageTemplate,
    Purpose,
    TemplateVersion,
    VersionState,
)
from tenure.messaging.texts import (
    SAMPLES,
    TemplateError,
    placeholders_of,
    template_create,
    template_decide,
    template_draft,
)
from tenure.messaging.texts import render as render_text
from tenure.org.permissions import Perm, has_perm


def _may_see(user) -> None:
    """Makers and checkers read the templates; nobody else needs them."""
    if not (has_perm(user, Perm.MESSAGE_TEMPLATES_EDIT) or has_perm(user, Perm.MESSAGE_TEMPLATES_APPROVE)):
        raise PermissionDenied


def preview(version: TemplateVersion) -> dict[str, str]:
    """The version rendered with sample values in its language (or the error a send would meet)."""
    values = SAMPLES[version.template.language]
    try:
        return {"subject": render_text(version.subject, values), "body": render_text(version.body, values), "error": ""}
    except TemplateError as exc:
        return {"subject": "", "body": "", "error": str(exc)}


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _may_see(request.user)
    templates = MessageTemplate.objects.prefetch_related(
        Prefetch("versions", queryset=TemplateVersion.objects.order_by("-number"))
    )
    rows = []
    for template in templates:
        versions = list(template.versions.all())
        approved = next((v for v in versions if v.state == VersionState.APPROVED), None)
        drafts = sum(1 for v in versions if v.state == VersionState.DRAFT)
        rows.append({"template": template, "approved": approved, "drafts": drafts})
    context = {"rows": rows, "may_draft": has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT)}
    return render(request, "messaging/templates.html", context)


@login_required
@require_GET
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    _may_see(request.user)
    template = get_object_or_404(MessageTemplate, pk=template_id)
    versions = list(template.versions.select_related("made_by", "checked_by").order_by("-number"))
    live = next((v for v in versions if v.state == VersionState.APPROVED), None)
    context = {
        "template": template,
        "versions": [(v, preview(v)) for v in versions],
        "live": live,
        "placeholders": placeholders_of(template.kind),
        "may_draft": has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT),
        "may_check": has_perm(request.user, Perm.MESSAGE_TEMPLATES_APPROVE),
    }
    return render(request, "messaging/template_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_draft_view(request: HttpRequest, template_id: int) -> HttpResponse:
    if not has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT):
        raise PermissionDenied
    template = get_object_or_404(MessageTemplate, pk=template_id)
    latest = template.versions.order_by("-number").first()
    subject = request.POST.get("subject", latest.subject if latest else "")
    body = request.POST.get("body", latest.body if latest else "")
    error = ""
    if request.method == "POST":
        try:
            template_draft(template=template, subject=subject, body=body, by=request.user, ip=client_ip(request))
        except TemplateError as exc:
            error = str(exc)
        else:
            messages.info(request, _("Draft saved: it is sent only after compliance approves it."))
            return redirect("messaging:template", template_id=template.pk)
    context = {
        "template": template,
        "subject": subject,
        "body": body,
        "error": error,
        "placeholders": placeholders_of(template.kind),
    }
    return render(request, "messaging/template_draft.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_create_view(request: HttpRequest) -> HttpResponse:
    """A new template code (kind, channel, language) with its first wording, which waits for approval."""
    if not has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT):
        raise PermissionDenied
    fields = ("code", "name", "kind", "channel", "language", "subject", "body")
    values = {name: request.POST.get(name, "") for name in fields}
    error = ""
    if request.method == "POST":
        try:
            template = template_create(**values, by=request.user, ip=client_ip(request))
        except TemplateError as exc:
            error = str(exc)
        else:
            messages.info(request, _("Template created: its first version is sent only after compliance approves it."))
            return redirect("messaging:template", template_id=template.pk)
    context = {
        "values": values,
        "error": error,
        # Labelled per request: in the page's language, each kind with the purpose it carries.
        "kinds": [(kind.value, f"{kind.label} · {Purpose(PURPOSE_OF[kind]).label}") for kind in Kind],
        "channels": Channel.choices,
        "languages": Language.choices,
        "placeholders": {str(kind.label): placeholders_of(kind) for kind in Kind},
    }
    return render(request, "messaging/template_create.html", context)


@login_required
@require_POST
def version_decide(request: HttpRequest, version_id: int) -> HttpResponse:
    if not has_perm(request.user, Perm.MESSAGE_TEMPLATES_APPROVE):
        raise PermissionDenied
    version = get_object_or_404(TemplateVersion, pk=version_id)
    approve = request.POST.get("action") == "approve"
    try:
        template_decide(
            version=version,
            approve=approve,
            comment=request.POST.get("comment", ""),
            by=request.user,
            ip=client_ip(request),
        )
    except TemplateError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("Version approved: it is used from now on.") if approve else _("Version rejected."))
    return redirect("messaging:template", template_id=version.template_id)
