"""Request-level security: NUL bytes refused, absolute session lifetime, per-user language, no
caching of personal data."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tenure.org.auth import must_change_password
from tenure.web.security import session_expired

Handler = Callable[[HttpRequest], HttpResponse]
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
NUL_REFUSED = "NUL bytes are not accepted."
PASSWORD_CHANGE_FIRST = _("Your password was set by someone else: choose your own before you continue.")


class RefuseNulBytesMiddleware:
    """A NUL byte in the path, a query or a form field is refused with 400 before any view reads it:
    no text a person types contains one, and PostgreSQL rejects it in a query (it was a 500 on five
    routes). JSON bodies are checked by the API's serializers; uploaded extracts by the importer."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = [request.path, *request.GET.keys(), *(v for vs in request.GET.lists() for v in vs[1])]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            fields += [*request.POST.keys(), *(v for vs in request.POST.lists() for v in vs[1])]
        if any("\x00" in field for field in fields):
            if request.path.startswith("/api/"):  # the API's own error shape and content type
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SessionLimitsMiddleware:
    """Ends a session 12 hours after log-in however active it is (idle expiry is the cookie age)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_expired(request.session):
            logout(request)
            return redirect("login")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Holds a member of staff whose password someone else set (`Staff.must_change_password`) on the
    password-change page until they choose their own: every other page redirects there, and the API
    refuses their session with 403 (token calls are refused by `tenure.api.auth`). Log-out, static
    files and the public pages stay reachable."""

    OPEN_NAMES = ("password_change", "password_change_done", "logout", "login")
    OPEN_PREFIXES = ("/static/", "/p/", "/healthz")

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not must_change_password(user):
            return self.get_response(request)
        if request.path in {reverse(name) for name in self.OPEN_NAMES} or request.path.startswith(self.OPEN_PREFIXES):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(PASSWORD_CHANGE_FIRST)}, status=403)
        target = reverse("password_change")
        if getattr(request, "htmx", False):  # a fragment request: make the browser go, not swap the page in
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        messages.info(request, PASSWORD_CHANGE_FIRST)
        return redirect(target)


class UserLanguageMiddleware:
    """Activates the language stored on the staff member, so the choice follows them to any device."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on everything an authenticated caller receives, and on the API.

    Any such response may carry customer data; marking all of them is simpler and safer than
    remembering it per view. Static files are served before this (WhiteNoise) and stay cacheable.
    """

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
