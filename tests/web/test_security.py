"""Log-in security, sessions and headers, through the HTTP surface; and `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tenure.core.models import AuditEntry
from tenure.web.security import LOGIN_TIME_KEY
from tests.factories import PASSWORD


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_works_and_is_audited(bank, client):
    response = attempt(client, "rm_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditEntry.objects.filter(action="auth.login", actor_name="rm_a").exists()


def test_lockout_per_username_and_ip_with_a_clear_message(bank, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "rm_a", "wrong").status_code == 200
    assert attempt(client, "rm_a", "wrong").status_code == 429  # the limit-th failure locks
    response = attempt(client, "rm_a", PASSWORD)  # right password, same computer
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()
    assert attempt(client, "rm_b", PASSWORD, ip="10.0.0.98").status_code == 302  # others unaffected
    failed = AuditEntry.objects.filter(action="auth.login_failed")
    assert failed.count() >= settings.AXES_FAILURE_LIMIT
    assert "wrong" not in str(list(failed.values_list("detail", flat=True)))


def test_failure_limit_is_at_most_100_per_hour(settings):
    assert settings.AXES_FAILURE_LIMIT <= 100 and settings.AXES_COOLOFF_TIME >= 1
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]  # the pair: tests/web/test_lockout_pairs.py


def test_idle_and_absolute_session_limits(bank, client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    attempt(client, "rm_a", PASSWORD)
    assert client.get("/").status_code == 200
    session = client.session
    session[LOGIN_TIME_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/").status_code == 302  # really logged out


def test_logout_everywhere_ends_other_sessions_and_the_token(bank):
    from rest_framework.authtoken.models import Token

    phone, desk = Client(), Client()
    attempt(phone, "rm_a", PASSWORD)
    attempt(desk, "rm_a", PASSWORD)
    other = Client()
    attempt(other, "rm_b", PASSWORD)
    token = Token.objects.create(user=bank.staff["rm_a"])
    assert desk.post("/logout-everywhere/").status_code == 302
    assert phone.get("/").status_code == 302
    assert other.get("/").status_code == 200
    assert not Token.objects.filter(key=token.key).exists()
    assert Session.objects.count() >= 1


def test_security_headers_and_no_store(lake, login):
    client = login(lake.staff["rm_a"])
    wang = lake.customers["wang"]
    for url in ("/", f"/customers/{wang.pk}/", "/customers/", "/api/v1/customers/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_in_any_page(lake, login):
    """Every <script> is either a src= file or a JSON data block: CSP would block anything else."""
    import re

    client = login(lake.staff["head_a"])
    wang = lake.customers["wang"]
    for url in ("/", f"/customers/{wang.pk}/", "/customers/", "/api/docs/", "/accounts/password_change/"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"{url}: {tag}"
        assert " style=" not in html, f"{url} has an inline style attribute"


def test_api_needs_authentication(bank, client):
    assert client.get("/api/v1/customers/").status_code in (401, 403)
    assert client.get("/api/schema/").status_code in (401, 403)


def test_token_authentication(bank, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=bank.staff["rm_a"])
    response = client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert {c["customer_no"] for c in response.json()["results"]} == {"C0000001", "C0000002"}


@pytest.mark.slow
@pytest.mark.own_home
def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "TENURE_HOME": str(tmp_path),
        "TENURE_SECRET_KEY": "x7!kQ2v@" * 8,
        "TENURE_ALLOWED_HOSTS": "crm.bank.example",
        "TENURE_HTTPS": "1",
        "TENURE_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "tenure.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of the same run
    run = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.own_home
def test_check_deploy_fails_without_https(tmp_path):
    env = {**os.environ, "TENURE_HOME": str(tmp_path), "TENURE_SECRET_KEY": "x7!kQ2v@" * 8, "TENURE_HTTPS": "0"}
    run = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, "DJANGO_SETTINGS_MODULE": "tenure.settings"},
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0 and "SECURE_SSL_REDIRECT" in run.stderr + run.stdout


@pytest.mark.django_db
def test_a_weak_password_is_refused_where_passwords_are_chosen(bank, login):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("Bank@12345", "tenure-demo"):  # 10 and 11 characters: the example and the old demo default
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Relationship-2026!")
    client = login(bank.staff["rm_a"])
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "Tenure-test-pw-1", "new_password1": "Bank@12345", "new_password2": "Bank@12345"},
    )
    assert response.status_code == 200  # the form again, with the reason
    bank.staff["rm_a"].refresh_from_db()
    assert bank.staff["rm_a"].check_password("Tenure-test-pw-1")
