"""The outbox page for staff: messages to customers in their branches, filtered, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from tenure.messaging.models import Channel, Purpose, Reason, Status
from tenure.messaging.selectors import messages_for

PER_PAGE = 50
FILTERS = {"status": Status, "channel": Channel, "purpose": Purpose, "reason": Reason}


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Texts are stored masked and no address is kept, so the page shows nothing to unmask."""
    g = request.GET
    filters = {name: g.get(name, "") for name, choices in FILTERS.items() if g.get(name, "") in choices.values}
    messages = messages_for(request.user)
    if filters:
        messages = messages.filter(**{name: value for name, value in filters.items() if value})
    page = Paginator(messages.order_by("-created_at", "-id"), PER_PAGE).get_page(g.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "choices": {name: choices.choices for name, choices in FILTERS.items()},
        "query": urlencode({k: v for k, v in filters.items() if v}),
    }
    return render(request, "messaging/outbox.html", context)
