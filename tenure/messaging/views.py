"""The outbox page for staff (messages to customers in their branches, filtered, newest first) and the
360° page's communication section."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.messaging.models import Channel, Purpose, Reason, Status
from tenure.messaging.selectors import bouncing_channels, customer_consent_changes, customer_messages, messages_for
from tenure.org.permissions import Perm, has_perm

PER_PAGE = 50
PANEL_ROWS = 20
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
        "may_templates": has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT)
        or has_perm(request.user, Perm.MESSAGE_TEMPLATES_APPROVE),
        "may_library": has_perm(request.user, Perm.MESSAGE_TEMPLATES_EDIT),
    }
    return render(request, "messaging/outbox.html", context)


@login_required
@require_GET
def customer_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The 360° page's communication section (htmx partial): what was sent to the customer, newest
    first, with texts masked and link tokens hidden, and the history of their consents."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    sent, total = customer_messages(customer, limit=PANEL_ROWS)
    context = {
        "c": customer,
        "sent": sent,
        "more": max(0, total - len(sent)),
        "changes": customer_consent_changes(customer, limit=PANEL_ROWS),
        "bouncing": [Channel(channel).label for channel in bouncing_channels(customer)],
    }
    return render(request, "messaging/_customer_panel.html", context)
