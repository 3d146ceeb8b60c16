"""The public answer page `/p/s/<token>/`: no login, phone-first, plain form POST, bilingual.

It shows the questionnaire and nothing about the customer. Unknown and expired links get the same
404 page (so links cannot be probed for existence); an answered link says so and thanks the
respondent. Requests are counted per client IP in the cache (TENURE_SURVEY_RATE_LIMIT, default
60 requests per 60 s); over the limit the page answers 429.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from tenure.core.http import client_ip, over_rate_limit
from tenure.surveys.answering import answer_submit, invitation_for, parse_answers, staff_answer_submit
from tenure.surveys.metrics import MIN_STAFF_ANSWERS
from tenure.surveys.models import Response, StaffInvitation, StaffResponse

LANGUAGES = ("zh-hans", "en")


def rate_limit() -> tuple[int, int]:
    """(requests, seconds) from settings or TENURE_SURVEY_RATE_LIMIT ("60/60")."""
    raw = getattr(settings, "TENURE_SURVEY_RATE_LIMIT", None) or os.environ.get("TENURE_SURVEY_RATE_LIMIT", "60/60")
    count, _, window = str(raw).partition("/")
    return int(count), int(window or 60)


def rate_limited(request: HttpRequest) -> bool:
    """Count this request against the caller's IP; True once over the limit in the current window."""
    limit, window = rate_limit()
    return over_rate_limit("surveys", client_ip(request), limit=limit, window=window)


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or request.COOKIES.get("django_language")
    language = wanted if wanted in LANGUAGES else (translation.get_language() or "zh-hans")
    language = "en" if language.startswith("en") else "zh-hans"
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


def _page(request: HttpRequest, template: str, context: dict, status: int, language: str) -> HttpResponse:
    context = {**context, "lang": language, "min_answers": MIN_STAFF_ANSWERS}
    response = render(request, f"surveys/public/{template}", context, status=status)
    response["Cache-Control"] = "no-store"
    # The token is in the URL: never send it to another site. ("no-referrer" would make browsers post
    # `Origin: null`, which the CSRF check rightly refuses; the page loads nothing from elsewhere.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if request.GET.get("lang") in LANGUAGES:
        response.set_cookie("django_language", language, samesite="Lax", secure=request.is_secure())
    return response


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    language = _language(request)
    if rate_limited(request):
        return _page(request, "limited.html", {}, 429, language)
    invitation, state = invitation_for(token)
    if state == "invalid" or invitation is None:  # the one comes with the other
        return _page(request, "invalid.html", {}, 404, language)
    staff = isinstance(invitation, StaffInvitation)
    if state == "answered":
        return _page(request, "thanks.html", {"already": True, "staff": staff}, 200, language)
    survey = invitation.wave.survey
    questions = list(survey.questions.all())
    errors: dict[int, str] = {}
    values: dict[int, object] = {}
    if request.method == "POST":
        parsed = parse_answers(questions, request.POST)
        errors, values = parsed.errors, parsed.values
        if not errors:
            stored: Response | StaffResponse | None
            if isinstance(invitation, StaffInvitation):
                stored = staff_answer_submit(invitation=invitation, questions=questions, values=values)
            else:
                stored = answer_submit(invitation=invitation, questions=questions, values=values, language=language)
            return _page(request, "thanks.html", {"already": stored is None, "staff": staff}, 200, language)
    items = [{"q": q, "value": values.get(q.pk), "error": errors.get(q.pk)} for q in questions]
    context = {"survey": survey, "items": items, "errors": bool(errors), "path": request.path, "staff": staff}
    return _page(request, "answer.html", context, 200, language)
