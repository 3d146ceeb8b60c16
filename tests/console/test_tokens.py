"""API tokens in the console (issue 22 item 8): listed with owner, made, expiry and status, never the
key; revoked by an administrator with the revocation audited under their name; refused to others."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenure.api.auth import token_create
from tenure.core.models import AuditEntry


def test_tokens_are_listed_without_their_key_and_expired_ones_marked(bank, login, english):
    fresh = token_create(username="rm_a")
    old = token_create(username="head_a")
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=400))

    html = login(bank.staff["admin"]).get("/console/tokens/").content.decode()

    assert 'data-username="rm_a"' in html and 'data-username="head_a"' in html
    assert fresh.key not in html and old.key not in html
    assert html.count(">valid<") == 1 and html.count(">expired<") == 1


def test_an_administrator_revokes_a_token_and_the_revocation_is_audited(bank, login, english):
    token = token_create(username="rm_a")
    admin = login(bank.staff["admin"])

    response = admin.post(f"/console/tokens/{bank.staff['rm_a'].pk}/revoke/", follow=True)

    assert not Token.objects.filter(pk=token.pk).exists()
    entry = AuditEntry.objects.get(action="auth.token_revoke")
    assert entry.actor_name == "admin" and entry.object_id == str(bank.staff["rm_a"].pk)
    html = response.content.decode()
    assert 'data-username="rm_a"' not in html and 'data-testid="revoked-token"' in html
    assert admin.get(f"/console/tokens/{bank.staff['rm_a'].pk}/revoke/").status_code == 405  # POST only


def test_other_roles_cannot_revoke(bank, login):
    token = token_create(username="rm_a")
    response = login(bank.staff["head_a"]).post(f"/console/tokens/{bank.staff['rm_a'].pk}/revoke/")
    assert response.status_code == 403 and Token.objects.filter(pk=token.pk).exists()
