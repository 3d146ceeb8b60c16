"""A password someone else set is changed by its owner at the first log-in, before any other page
(issue 22, item 8); through the HTTP surface."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from tenure.core.models import AuditEntry
from tenure.org.models import Staff
from tests.factories import (
    PASSWORD,
    english,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("english")

SET_BY_ADMIN = "Set-by-admin-2026!"
OWN = "My-own-passphrase-77"


def _log_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.5")


def _change(client: Client, old: str, new: str):
    return client.post("/accounts/password_change/", {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.fixture
def new_rm(bank) -> Staff:
    """rm_a after an administrator set a password for them with `tenure changepassword`."""
    staff = bank.staff["rm_a"]
    staff.set_password(SET_BY_ADMIN)
    staff.save()
    return staff


def test_changepassword_command_flags_the_member(bank, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": SET_BY_ADMIN)
    call_command("changepassword", "rm_b", stdout=io.StringIO())
    assert Staff.objects.get(username="rm_b").must_change_password


def test_every_page_sends_them_to_change_the_password_first(new_rm, client):
    assert _log_in(client, "rm_a", SET_BY_ADMIN).status_code == 302
    for url in ("/", "/customers/", "/complaints/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/password_change/", url
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and "choose your own" in page.content.decode()
    assert client.get("/api/v1/customers/").status_code == 403
    htmx = client.get("/customers/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == "/accounts/password_change/"


def test_the_same_password_again_is_refused(new_rm, client):
    _log_in(client, "rm_a", SET_BY_ADMIN)
    response = _change(client, SET_BY_ADMIN, SET_BY_ADMIN)
    assert response.status_code == 200 and "different from the current one" in response.content.decode()
    assert Staff.objects.get(pk=new_rm.pk).must_change_password


def test_after_changing_it_every_page_works(new_rm, client):
    _log_in(client, "rm_a", SET_BY_ADMIN)
    assert _change(client, SET_BY_ADMIN, OWN).status_code == 302
    assert not Staff.objects.get(pk=new_rm.pk).must_change_password
    assert client.get("/").status_code == 200  # the session survives the change
    assert AuditEntry.objects.filter(action="auth.password_change", actor=new_rm).exists()
    again = Client()
    assert _log_in(again, "rm_a", OWN).status_code == 302 and again.get("/customers/").status_code == 200


def test_an_api_token_is_refused_until_the_password_is_changed(new_rm, client):
    token = Token.objects.create(user=new_rm)
    response = client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401 and "choose your own password" in response.json()["detail"]


def test_staff_whose_password_nobody_else_set_are_not_held(bank, client):
    assert _log_in(client, "rm_b", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_demo_logins_are_not_held(bank, client, settings):
    settings.DEMO_MODE = True
    demo = Staff.objects.create(username="demo-rm", home_branch_id="S0101")
    demo.set_password("demo-password-1")
    demo.save()
    assert demo.must_change_password  # flagged like any other, but exempt: demo mode only
    assert _log_in(client, "demo-rm", "demo-password-1").status_code == 302
    assert client.get("/").status_code == 200
