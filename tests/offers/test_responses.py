"""The customer's answer to an offer: recorded by RMs and branch heads, audited, one per form key,
never "accepted" for an unsuitable product; accepted offers counted by RM and month for the scorecards."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tenure.core.models import AuditEntry
from tenure.offers import selectors, services
from tenure.offers.models import OfferResponse
from tests.offers.helpers import assessed, product


@pytest.fixture
def wang(bank):
    customer = bank.customers["wang"]
    customer.birth_date = dt.date(1990, 3, 7)
    customer.save()
    assessed(customer, "C2", on=timezone.localdate())
    return customer


def _answer(client, customer, p, outcome, key=None, **extra):
    data = {
        "answer-form_key": str(key or uuid.uuid4()),
        "answer-product": p.pk,
        "answer-outcome": outcome,
        **{f"answer-{k}": v for k, v in extra.items()},
    }
    return client.post(f"/offers/customers/{customer.pk}/responses/", data, HTTP_HX_REQUEST="true")


def test_rm_records_an_acceptance_once_per_form_key_and_it_is_audited(bank, login, wang):
    r2 = product("W-R2", risk="R2")
    client = login(bank.staff["rm_a"])
    key = uuid.uuid4()
    first = _answer(client, wang, r2, "accepted", key)
    again = _answer(client, wang, r2, "accepted", key)  # a double submit

    assert first.status_code == again.status_code == 200
    row = OfferResponse.objects.get()
    assert (row.customer_id, row.product, row.outcome, row.recorded_by) == (
        wang.customer_no,
        r2,
        "accepted",
        bank.staff["rm_a"],
    )
    assert AuditEntry.objects.filter(action="offers.response.record", customer_no=wang.customer_no).count() == 1
    assert 'data-testid="offer-responses"' in again.content.decode()


def test_a_decline_needs_a_reason_code(bank, login, wang):
    r2 = product("W-R2", risk="R2")
    client = login(bank.staff["head_a"])
    assert _answer(client, wang, r2, "declined").status_code == 400
    assert not OfferResponse.objects.exists()
    assert _answer(client, wang, r2, "declined", reason="rate_too_low", note="他行 3.1%").status_code == 200
    row = OfferResponse.objects.get()
    assert (row.outcome, row.reason, row.note) == ("declined", "rate_too_low", "他行 3.1%")


def test_an_unsuitable_product_cannot_be_accepted_the_refusal_is_audited(bank, login, wang, english):
    r4 = product("W-R4", risk="R4")  # C2 customer
    response = _answer(login(bank.staff["rm_a"]), wang, r4, "accepted")
    assert response.status_code == 400 and "risk level above" in response.content.decode()
    assert not OfferResponse.objects.exists()
    refused = AuditEntry.objects.get(action="offers.response.refused")
    assert refused.detail == {"outcome": "accepted", "reasons": ["risk_above_assessment"]}
    # Declining it is a fact worth keeping (the customer said no), not a proposal.
    assert _answer(login(bank.staff["rm_a"]), wang, r4, "declined", reason="risk").status_code == 200


def test_lobby_may_not_record_and_a_foreign_customer_is_404(bank, login, wang):
    r2 = product("W-R2", risk="R2")
    assert _answer(login(bank.staff["lobby_a"]), wang, r2, "accepted").status_code == 403
    assert _answer(login(bank.staff["rm_a"]), bank.foreign, r2, "accepted").status_code == 404
    assert not OfferResponse.objects.exists()
    with pytest.raises(PermissionDenied):
        services.offer_response_record(
            customer=wang, product=r2, outcome="accepted", by=bank.staff["analyst"], form_key="k"
        )


def test_accepted_offers_by_rm_and_month(bank, wang):
    r2 = product("W-R2", risk="R2")
    for key, outcome, by in (("a", "accepted", "rm_a"), ("b", "accepted", "rm_a"), ("c", "presented", "rm_a")):
        services.offer_response_record(customer=wang, product=r2, outcome=outcome, by=bank.staff[by], form_key=key)
    today = timezone.localdate()
    rows = selectors.accepted_by_rm_and_month(today.replace(day=1), today)
    rm = bank.staff["rm_a"].employee_no
    assert rows == [{"month": today.replace(day=1), "rm_id": rm, "customer_no": wang.customer_no, "accepted": 2}]
    assert selectors.accepted_by_rm_and_month(today + dt.timedelta(days=1), today + dt.timedelta(days=40)) == []
