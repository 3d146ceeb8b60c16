"""API tokens expire after API_TOKEN_DAYS days and can be revoked (issue 22, item 8); `tenure tokens`."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenure.core.models import AuditEntry
from tests.factories import english  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

URL = "/api/v1/customers/"


def _tokens(*args: str) -> str:
    out = io.StringIO()
    call_command("tokens", *args, stdout=out)
    return out.getvalue().strip()


def _age(key: str, days: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=days))


def test_a_new_token_works_and_replaces_the_earlier_one(bank, client):
    first = _tokens("create", "rm_a")
    second = _tokens("create", "rm_a")
    assert first != second and len(second) == 40
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert AuditEntry.objects.filter(action="auth.token_create").count() == 2


def test_an_expired_token_is_401_with_a_clear_message_and_audited(bank, client, settings):
    settings.API_TOKEN_DAYS = 30
    key = _tokens("create", "rm_a")
    _age(key, 29.9)
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    _age(key, 30.1)
    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert "This API token expired on" in response.json()["detail"]
    expired = AuditEntry.objects.get(action="auth.token_expired")
    assert expired.actor == bank.staff["rm_a"] and "created" in expired.detail
    assert AuditEntry.objects.filter(action="access.denied", object_id=URL).exists()


def test_list_shows_owners_and_expiry_never_the_key(bank, settings):
    settings.API_TOKEN_DAYS = 90
    key_a = _tokens("create", "rm_a")
    _tokens("create", "rm_b")
    _age(key_a, 100)
    listed = json.loads(_tokens("list", "--json"))
    assert {(row["username"], row["expired"]) for row in listed} == {("rm_a", True), ("rm_b", False)}
    text = _tokens("list")
    assert key_a not in text and "expired" in text and "valid" in text


def test_revoke_one_member_or_every_expired_token(bank, client):
    key_a, key_b, key_c = (_tokens("create", name) for name in ("rm_a", "rm_b", "head_a"))
    assert _tokens("revoke", "rm_a") == "revoked 1 token(s): rm_a"
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key_a}").status_code == 401
    _age(key_b, 365)
    assert _tokens("revoke", "--expired") == "revoked 1 token(s): rm_b"
    assert list(Token.objects.values_list("key", flat=True)) == [key_c]
    assert AuditEntry.objects.filter(action="auth.token_revoke").count() == 2
    with pytest.raises(CommandError, match="no member of staff"):
        call_command("tokens", "revoke", "nobody")
