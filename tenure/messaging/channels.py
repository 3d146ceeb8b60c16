"""The channels: e-mail through Django's mail framework, SMS and app push through a JSON HTTP gateway.

Each send returns an `Outcome`; none raises for a provider's refusal. Timeouts, connection errors,
HTTP 429 and 5xx, and SMTP 4xx are temporary (the dispatcher retries with back-off); other HTTP 4xx
and SMTP 5xx are permanent, and an SMTP 5xx on the recipient is a bounce. Every request carries the
message's idempotency key (`Idempotency-Key` header and `id` field; the e-mail's Message-ID is
derived from it), so a gateway can drop the resend of a message whose answer was lost.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import smtplib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import get_template

from tenure.core.masking import mask_mobile, mask_text
from tenure.messaging.models import Channel, Language, Message, Purpose

USER_AGENT = "Tenure-messaging/1"


@dataclass(frozen=True)
class Outcome:
    """What a provider said: accepted (with its id), or refused for now (`retryable`) or for good."""

    ok: bool
    provider_id: str = ""
    retryable: bool = False
    bounced: bool = False
    error: str = ""


def message_id_for(key: str) -> str:
    """The e-mail Message-ID of an idempotency key: the same on every resend of the message."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@tenure.messages>"


def unsubscribe_url(message: Message) -> str:
    return f"{settings.MESSAGING_PUBLIC_URL}/p/unsubscribe/{message.unsubscribe_token}/"


TABLE_HEADS: dict[str, tuple[str, str, str, str]] = {
    Language.ZH: ("日期", "摘要", "金额", "余额"),
    Language.EN: ("Date", "Description", "Amount", "Balance"),
}


def html_blocks(message: Message) -> list[tuple[str, Any]]:
    """The HTML part's body: the text's paragraphs, with a statement's summary lines (`· …`, what the
    text part lists) replaced by its table."""
    if not message.table:
        return [("text", message.body)]
    blocks: list[tuple[str, Any]] = []
    for line in message.body.splitlines():
        if not line.startswith("· "):
            blocks.append(("text", line))
        elif not any(kind == "table" for kind, _ in blocks):
            blocks.append(("table", message.table))
    return [(kind, part) for kind, part in blocks if kind == "table" or part.strip()]


class EmailSender:
    """Sends through one Django mail connection (kept open across a batch, reopened after an error)."""

    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)
        # Looked up once per run, not twice per e-mail.
        self.text_layout = get_template("messaging/email.txt")
        self.html_layout = get_template("messaging/email.html")

    def send(self, message: Message, address: str) -> Outcome:
        headers = {"Message-ID": message_id_for(message.idempotency_key)}
        context: dict[str, Any] = {
            "message": message,
            "unsubscribe_url": "",
            "blocks": html_blocks(message),
            "heads": TABLE_HEADS.get(message.language, TABLE_HEADS[Language.ZH]),
        }
        if message.purpose == Purpose.MARKETING:
            context["unsubscribe_url"] = unsubscribe_url(message)
            headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        email = EmailMultiAlternatives(
            subject=message.subject or message.body.splitlines()[0][:80],
            body=self.text_layout.render(context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers=headers,
            connection=self.connection,
        )
        email.attach_alternative(self.html_layout.render(context), "text/html")
        try:
            self.connection.open()  # kept open across the batch (None when it already is)
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            code = min((int(code) for code, _ in exc.recipients.values()), default=550)
            return Outcome(False, retryable=code < 500, bounced=code >= 500, error=f"SMTP {code} recipient refused")
        except smtplib.SMTPResponseException as exc:
            self._reset()
            return Outcome(False, retryable=exc.smtp_code < 500, error=f"SMTP {exc.smtp_code}")
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, timed out
            self._reset()
            return Outcome(False, retryable=True, error=f"{type(exc).__name__}: {exc}"[:200])
        return Outcome(True, provider_id=headers["Message-ID"])

    def _reset(self) -> None:
        """A failed SMTP conversation leaves the connection in an unknown state: start a new one."""
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail in any way
            pass
        self.connection = get_connection(fail_silently=False)

    def close(self) -> None:
        self.connection.close()


class ChannelConfigError(ValueError):
    """A gateway URL Tenure cannot use; the message names the setting."""


def gateway_url_problem(name: str, url: str) -> str:
    """Why `url` (the value of setting `name`) cannot be a gateway, or ""."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https", "file"}:
        return f"{name}: use http://, https:// or file:// (got {url[:60]!r})"
    return ""


def check_gateways() -> None:
    """Raise ChannelConfigError before a run claims anything, rather than half-way through it."""
    for name, url in (("TENURE_SMS_URL", settings.MESSAGING_SMS_URL), ("TENURE_PUSH_URL", settings.MESSAGING_PUSH_URL)):
        problem = gateway_url_problem(name, url)
        if problem:
            raise ChannelConfigError(problem)


class GatewaySender:
    """One JSON POST per message to the SMS or push gateway at `url` (docs/messaging.md lists the
    fields); `file:///dir` writes the request under that folder instead (the demo)."""

    def __init__(self, channel: str, url: str, *, timeout: float) -> None:
        self.channel = channel
        self.timeout = timeout
        parts = urlsplit(url)
        self.scheme = parts.scheme.lower()
        problem = gateway_url_problem(f"{channel} gateway URL", url)
        if problem:
            raise ChannelConfigError(problem)
        self.token = unquote(parts.username or "")
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        self.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        self.folder = Path(unquote(parts.path)) if self.scheme == "file" else None
        self.target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        self.connection: http.client.HTTPConnection | None = None

    def payload(self, message: Message, address: str) -> dict[str, Any]:
        return {
            "id": message.idempotency_key,
            "channel": message.channel,
            "to": address,
            "text": message.body,
            "subject": message.subject,
            "template": message.template,
            "template_version": message.template_version,
            "purpose": message.purpose,
            "kind": message.kind,
            "callback_url": f"{settings.MESSAGING_PUBLIC_URL}/hooks/messages/receipts/",
        }

    def send(self, message: Message, address: str) -> Outcome:
        payload = self.payload(message, address)
        if self.folder is not None:
            return self._write(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.idempotency_key,
            "User-Agent": USER_AGENT,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps(payload, ensure_ascii=False).encode()
        try:
            status, answer = self._post(body, headers)
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
            self.close()
            return Outcome(False, retryable=True, error=mask_text(f"{type(exc).__name__}: {exc}")[:200])
        if status >= 300:
            retryable = status == 429 or status >= 500
            return Outcome(False, retryable=retryable, error=f"HTTP {status}")
        try:
            parsed = json.loads(answer or b"{}")
        except ValueError:
            parsed = {}
        provider_id = str(parsed.get("message_id") or parsed.get("id") or "") if isinstance(parsed, dict) else ""
        return Outcome(True, provider_id=provider_id[:128])

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST on the kept-alive connection (a new one per request costs the gateway a handshake). A
        connection the gateway closed while idle fails before it was read: that request is made once
        more on a fresh connection, under the same idempotency key."""
        reused = self.connection is not None
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.request("POST", self.target, body=body, headers=headers)
                response = self.connection.getresponse()
                answer = response.read(65536)
                if response.will_close:
                    self.close()
                return response.status, answer
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _connect(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.url)
        kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return kind(parts.hostname or "", parts.port, timeout=self.timeout)

    def _write(self, payload: dict[str, Any]) -> Outcome:
        """The demo "provider": one JSON file per message, named after its key (a resend overwrites
        it), with the mobile masked: the files show what was sent without keeping numbers in clear."""
        assert self.folder is not None
        if self.channel == Channel.SMS:
            payload = payload | {"to": mask_mobile(payload["to"])}
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.channel}-{hashlib.sha256(payload['id'].encode()).hexdigest()[:20]}.json"
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, self.folder / name)
        return Outcome(True, provider_id=f"file:{name}")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def make_sender(channel: str) -> EmailSender | GatewaySender:
    """The sender of `channel` as configured (TENURE_EMAIL_URL, TENURE_SMS_URL, TENURE_PUSH_URL)."""
    if channel == Channel.EMAIL:
        return EmailSender()
    url = settings.MESSAGING_SMS_URL if channel == Channel.SMS else settings.MESSAGING_PUSH_URL
    return GatewaySender(channel, url, timeout=float(settings.MESSAGING_TIMEOUT))
