"""Every refused request goes to the audit log ("every access-control failure logged", MISSION).

A view refuses by raising PermissionDenied (the user's role may not open the page or do the
action), itself or through `@requires(Perm.X)` of `tenure.org.permissions`; Django then calls
`handler403` and DRF its exception handler, and both log `access.denied` here with the path, so no
view has to remember to. A record outside the user's branch scope is answered 404 like a missing one
and logged where it is looked up, by `tenure.org.scoping.get_scoped_or_404`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from rest_framework import exceptions as api_exceptions
from rest_framework.views import exception_handler

from tenure.core.audit import audit
from tenure.core.http import client_ip


def log_denied(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    audit(
        action="access.denied",
        actor=user if getattr(user, "is_authenticated", False) else None,
        object_type="page",
        object_id=request.path[:64],
        ip_address=client_ip(request),
        detail={"method": request.method},
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler403`: log, then Django's own 403 page (our 403.html)."""
    log_denied(request)
    return defaults.permission_denied(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler400`: our 400.html inside the site's frame (Django's own renders it without the request)."""
    return render(request, "400.html", status=400)


def api_exception_handler(exc: Exception, context: dict) -> HttpResponse | None:
    """DRF's handler, logging refusals: a role without access, or credentials that failed (a bad token).
    A request with no credentials at all is not a refusal of anyone (the pages redirect it to log in)."""
    response = exception_handler(exc, context)
    if isinstance(exc, PermissionDenied | api_exceptions.PermissionDenied | api_exceptions.AuthenticationFailed):
        log_denied(context["request"])
    return response
