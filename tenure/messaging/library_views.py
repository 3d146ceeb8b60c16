"""The customer-education library page: the approved articles (fraud warnings, deposit insurance, …)
and the form service staff send one with to a segment of their customers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tenure.core.http import client_ip
from tenure.customers.models import CustomerType
from tenure.messaging.selectors import library, segment_branches, segment_customers
from tenure.messaging.senders import education_queue
from tenure.messaging.texts import SAMPLES, TemplateError
from tenure.messaging.texts import render as render_text
from tenure.org.permissions import Perm, has_perm

MAX_AGE = 120


@login_required
@require_http_methods(["GET", "POST"])
def library_page(request: HttpRequest) -> HttpResponse:
    """GET lists the library; POST sends the chosen article to the chosen segment (in the sender's
    scope), each customer once per approved version."""
    if not has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT):
        raise PermissionDenied
    language = "en" if (get_language() or "").startswith("en") else "zh"
    articles = library(language)
    branches = segment_branches(request.user)
    values = {name: request.POST.get(name, "") for name in ("article", "branch", "customer_type", "min_age")}
    error = ""
    if request.method == "POST":
        age = values["min_age"].strip()
        if values["article"] not in {a.code for a in articles}:
            error = _("Choose an article from the library.")
        elif values["branch"] and values["branch"] not in {b.code for b in branches}:
            error = _("Choose a branch from the list.")
        elif values["customer_type"] and values["customer_type"] not in CustomerType.values:
            error = _("Choose a customer type from the list.")
        elif age and not (age.isdigit() and int(age) <= MAX_AGE):
            error = _("The minimum age is a whole number of years up to %(max)s.") % {"max": MAX_AGE}
        else:
            today = timezone.localdate()
            segment = {k: v for k, v in values.items() if k != "article" and v}
            customers = segment_customers(
                request.user,
                branch_code=values["branch"],
                customer_type=values["customer_type"],
                min_age=int(age) if age else None,
                on=today,
            )
            try:
                queued = education_queue(
                    code=values["article"],
                    customers=customers,
                    by=request.user,
                    on=today,
                    segment=segment,
                    ip=client_ip(request),
                )
            except TemplateError as exc:
                error = str(exc)
            else:
                messages.info(
                    request,
                    ngettext(
                        "%(n)s message queued; consent is checked when each is sent.",
                        "%(n)s messages queued; consent is checked when each is sent.",
                        queued,
                    )
                    % {"n": queued},
                )
                return redirect("messaging:library")
    samples = SAMPLES[language]
    context = {
        # Each article's text in use, shown with a sample customer's name as the customer reads it.
        "rows": [(a, render_text(a.subject, samples), render_text(a.body, samples)) for a in articles],
        "articles": articles,
        "branches": branches,
        "customer_types": CustomerType.choices,
        "values": values,
        "error": error,
    }
    return render(request, "messaging/library.html", context)
