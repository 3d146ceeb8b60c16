"""TENURE_EMAIL_URL into Django's e-mail settings."""

from __future__ import annotations

import pytest

from tenure.messaging.email_url import SMTP, EmailUrlError, email_settings


def test_smtp_with_tls_user_and_a_percent_encoded_password():
    got = email_settings("smtp+tls://mailer%40bank.cn:p%40ss%3Aword@mail.bank.cn:2587", timeout=7)
    assert got == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.bank.cn",
        "EMAIL_PORT": 2587,
        "EMAIL_HOST_USER": "mailer@bank.cn",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 7,
    }


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [("smtp://relay", 25, False, False), ("smtps://relay", 465, False, True), ("smtp+tls://relay", 587, True, False)],
)
def test_default_ports(url, port, tls, ssl):
    got = email_settings(url)
    assert (got["EMAIL_PORT"], got["EMAIL_USE_TLS"], got["EMAIL_USE_SSL"], got["EMAIL_HOST_USER"]) == (
        port,
        tls,
        ssl,
        "",
    )


def test_console_and_file():
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings("file:///var/tenure/outbox/email") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/tenure/outbox/email",
    }


@pytest.mark.parametrize("url", ["http://mail", "mail.bank.cn", "smtp://relay:notaport"])
def test_unusable_urls_name_the_problem(url):
    with pytest.raises(EmailUrlError, match="TENURE_EMAIL_URL"):
        email_settings(url)
