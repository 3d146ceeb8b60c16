"""Request-level security: absolute session lifetime, per-user language, no caching of personal data."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from tenure.web.security import session_expired

Handler = Callable[[HttpRequest], HttpResponse]


class SessionLimitsMiddleware:
    """Ends a session 12 hours after log-in however active it is (idle expiry is the cookie age)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_expired(request.session):
            logout(request)
            return redirect("login")
        return self.get_response(request)


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
