"""Public routes: the signed gateway callbacks and the one-click unsubscribe page (no login)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tenure.core.http import client_ip
from tenure.messaging.inbound import (
    SIGNATURE_HEADER,
    receipts_apply,
    reply_apply,
    signature_valid,
    unsubscribe_limited,
)
from tenure.messaging.models import CHANNEL_CONSENT, ConsentSource, Message
from tenure.messaging.selectors import withdrawn_fields
from tenure.messaging.services import consent_change

MAX_BODY = 1024 * 1024


def _signed_json(request: HttpRequest) -> tuple[object, HttpResponse | None]:
    """The callback's JSON body, or the refusal to answer (403 unsigned, 400 not JSON)."""
    try:
        body = request.body[: MAX_BODY + 1]
    except RawPostDataException:  # a form post, already parsed by a middleware: no gateway sends that
        return None, JsonResponse({"error": "not JSON"}, status=400)
    if len(body) > MAX_BODY or not signature_valid(body, request.META.get(SIGNATURE_HEADER, "")):
        return None, JsonResponse({"error": "bad signature"}, status=403)
    try:
        return json.loads(body), None
    except ValueError:
        return None, JsonResponse({"error": "not JSON"}, status=400)


# CSRF-exempt: gateways post without a session; the HMAC signature is what authenticates them.
@csrf_exempt
@require_POST
def receipts(request: HttpRequest) -> HttpResponse:
    payload, refused = _signed_json(request)
    if refused:
        return refused
    return JsonResponse({"updated": receipts_apply(payload)})


@csrf_exempt
@require_POST
def replies(request: HttpRequest) -> HttpResponse:
    """Answers the same whether or not the number belongs to a customer (reveals nothing)."""
    payload, refused = _signed_json(request)
    if refused:
        return refused
    reply_apply(payload)
    return JsonResponse({"ok": True})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a marketing message: a page naming only the channel, and one button. GET changes
    nothing (mail scanners follow links); the POST withdraws that channel's consent."""
    ip = client_ip(request)
    if unsubscribe_limited(ip):
        return render(request, "messaging/unsubscribe_limited.html", status=429)
    message = Message.objects.filter(unsubscribe_token=token[:64]).select_related("customer").first()
    if message is None:
        return render(request, "messaging/unsubscribe_unknown.html", status=404)
    field = CHANNEL_CONSENT[message.channel]
    context = {"channel": message.get_channel_display()}
    if request.method == "POST":
        consent_change(
            customer=message.customer,
            field=field,
            value=False,
            source=ConsentSource.UNSUBSCRIBE_PAGE,
            message=message,
            ip=ip,
        )
        return render(request, "messaging/unsubscribe_done.html", context)
    if not getattr(message.customer, field) or withdrawn_fields(message.customer, [field]):
        return render(request, "messaging/unsubscribe_done.html", context)
    return render(request, "messaging/unsubscribe.html", context)
