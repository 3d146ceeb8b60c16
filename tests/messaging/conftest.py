from __future__ import annotations

import datetime as dt
import zoneinfo
from itertools import count

import pytest

from tests.factories import bank, login  # noqa: F401
from tests.messaging.servers import Gateway, SmtpRecorder, http_gateway, smtp_server

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI)  # a Tuesday morning, outside quiet hours
SECRET = "callback-secret-for-tests"
_keys = count(1)


@pytest.fixture
def messaging_settings(settings):
    """Defaults of docs/messaging.md, no send-rate pause, short provider timeout, a callback secret."""
    settings.MESSAGING_RATE = {"email": 0, "sms": 0, "push": 0}
    settings.MESSAGING_QUIET_HOURS = "21:00-08:00"
    settings.MESSAGING_MARKETING_CAP = 2
    settings.MESSAGING_MARKETING_CAP_DAYS = 7
    settings.MESSAGING_DUPLICATE_HOURS = 24
    settings.MESSAGING_MAX_ATTEMPTS = 6
    settings.MESSAGING_RETRY_SECONDS = 60
    settings.MESSAGING_TIMEOUT = 0.3
    settings.MESSAGING_CALLBACK_SECRET = SECRET
    settings.MESSAGING_PUBLIC_URL = "https://bank.example"
    return settings


@pytest.fixture
def servers(messaging_settings):
    """A real SMTP server and a real HTTP gateway, with the settings pointing at them."""
    settings = messaging_settings
    with smtp_server(SmtpRecorder()) as (smtp, port), http_gateway(Gateway()) as (gateway, base):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        settings.MESSAGING_SMS_URL = f"{base}/sms"
        settings.MESSAGING_PUSH_URL = f"{base}/push"
        yield smtp, gateway


def queue(customer, *, channel="sms", kind="reminder", template="t-reminder", at=NOW, key=None, **extra):
    """Queue one message for `customer` (a fresh idempotency key unless `key`)."""
    from tenure.messaging.services import message_queue

    message, _ = message_queue(
        customer=customer,
        channel=channel,
        kind=kind,
        template=template,
        body=extra.pop("body", "您的贷款将于1月10日还款，请留意。"),
        idempotency_key=key or f"test:{next(_keys)}",
        scheduled_at=at,
        **extra,
    )
    return message


def consent(customer, **flags):
    """Set consent flags as an import would (no history recorded)."""
    type(customer).objects.filter(pk=customer.pk).update(**{f"consent_{k}": v for k, v in flags.items()})
    for name, value in flags.items():
        setattr(customer, f"consent_{name}", value)
