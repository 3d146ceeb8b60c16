"""The public complaint form: blind-index matching, no disclosure, honeypot, per-IP limit, audit."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tenure.complaints.models import Complaint
from tenure.core.crypto import blind_index
from tenure.core.models import AuditEntry

URL = "/p/complaint/"
FORM = {"name": "王芳", "mobile": "138 1234 5678", "description": "网点排队两个小时没人管，服务太差了。", "website": ""}


@pytest.fixture
def anon(bank, client, settings):
    settings.TENURE_COMPLAINT_PUBLIC_LIMIT = 5
    return client


def _page(response) -> str:
    """The answer without what differs on every request (CSRF token, reference number)."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'X-CSRFToken": "[^"]+"', "", text)
    return re.sub(r"TS\d{14}", "REF", text)


def test_the_form_opens_without_login_on_a_phone(anon):
    response = anon.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport"' in html and 'data-testid="public-complaint-form"' in html and 'class="hp"' in html


def test_name_and_mobile_match_a_customer_through_the_blind_index(anon, bank):
    response = anon.post(URL, FORM)
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.customer == bank.customers["wang"] and complaint.branch_id == "S0101"
    assert complaint.channel == "web" and complaint.contact_mobile == "" and complaint.contact_name == ""
    assert complaint.reference in response.content.decode()
    entry = AuditEntry.objects.get(action="complaint.public.submit")
    assert entry.customer_no == "C0000001" and entry.detail == {"matched": True} and entry.actor is None


def test_a_right_mobile_with_another_name_is_not_matched(anon):
    anon.post(URL, {**FORM, "name": "王小芳"})
    assert Complaint.objects.get().customer is None


def test_an_unmatched_complaint_is_kept_with_the_mobile_encrypted(anon):
    anon.post(URL, {**FORM, "name": "陈先生", "mobile": "13900001111"})
    complaint = Complaint.objects.get()
    assert complaint.customer is None and complaint.contact_name == "陈先生"
    assert complaint.contact_mobile == "13900001111"
    assert complaint.contact_mobile_bidx == blind_index("mobile", "13900001111")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_mobile FROM complaints_complaint WHERE id = %s", [complaint.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1.") and "13900001111" not in stored


def test_the_answer_is_the_same_whether_or_not_the_customer_exists(anon):
    known = anon.post(URL, FORM)
    unknown = anon.post(URL, {**FORM, "name": "陈先生", "mobile": "13900001111"})
    assert known.status_code == unknown.status_code == 200
    assert _page(known) == _page(unknown)
    assert "王芳" not in known.content.decode() and "5678" not in known.content.decode()


def test_the_honeypot_is_answered_politely_and_stores_nothing(anon):
    response = anon.post(URL, {**FORM, "website": "http://spam.example"})
    assert response.status_code == 200 and 'data-testid="public-complaint-thanks"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_posts_per_ip_are_limited(anon, settings):
    settings.TENURE_COMPLAINT_PUBLIC_LIMIT = 2
    assert anon.post(URL, FORM, REMOTE_ADDR="10.1.1.1").status_code == 200
    assert anon.post(URL, FORM, REMOTE_ADDR="10.1.1.1").status_code == 200
    assert anon.post(URL, FORM, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert anon.post(URL, FORM, REMOTE_ADDR="10.1.1.2").status_code == 200  # another caller is not affected
    assert Complaint.objects.count() == 3


def test_invalid_input_is_refused_with_field_errors(anon):
    response = anon.post(URL, {**FORM, "mobile": "12345", "description": "短"})
    assert response.status_code == 400 and not Complaint.objects.exists()
    assert response.content.decode().count('class="errorlist') == 2
