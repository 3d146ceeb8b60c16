"""An RM sends a suitable product's offer from the 360° offers panel: reviewed (the text the customer
will read, or why not), then queued once through `offer_queue`, with the result in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tenure.messaging.models import Message
from tests.factories import english  # noqa: F401
from tests.messaging.conftest import consent
from tests.offers.helpers import assessed, product, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def deposit(bank):
    wang = bank.customers["wang"]
    assessed(wang, "C3", on=timezone.localdate() - dt.timedelta(days=30))
    made = product("TD-1Y", kind="time_deposit", risk="R1", rate="1.6500", term_months=12)
    terms(made, fees="免手续费", penalty="提前支取按活期利率计息", min_amount=Decimal("0"))
    return made


def test_the_rm_reviews_then_sends_the_offer_once(bank, login, deposit):
    wang = bank.customers["wang"]
    consent(wang, marketing=True)
    rm = login(bank.staff["rm_a"])
    panel = rm.get(f"/offers/customers/{wang.pk}/").content.decode()
    assert 'data-testid="offer-send"' in panel and f"/messages/customers/{wang.pk}/offer/" in panel
    url = f"/messages/customers/{wang.pk}/offer/"
    review = rm.post(url, {"product": "TD-1Y", "channel": "sms"}).content.decode()
    assert 'data-testid="offer-text"' in review and "年利率1.65%" in review and not Message.objects.exists()

    confirm = {"product": "TD-1Y", "channel": "sms", "confirm": "1"}
    sent = rm.post(url, confirm, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    message = Message.objects.get()
    assert (message.template, message.channel, message.queued_by) == ("product_offer", "sms", bank.staff["rm_a"])
    assert "Queued: the offer of" in sent
    again = rm.post(url, confirm, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert Message.objects.count() == 1 and "not sent twice" in again


def test_a_refused_offer_says_why_in_words_and_queues_nothing(bank, login, deposit, english):  # noqa: F811
    wang = bank.customers["wang"]  # no marketing consent
    rm = login(bank.staff["rm_a"])
    url = f"/messages/customers/{wang.pk}/offer/"
    review = rm.post(url, {"product": "TD-1Y", "channel": "sms"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="offer-refused"' in review and "marketing_refused" not in review
    done = rm.post(url, {"product": "TD-1Y", "channel": "sms", "confirm": "1"}, follow=True).content.decode()
    assert "was not sent" in done
    assert not Message.objects.exists()


def test_only_rms_and_branch_heads_send_and_only_to_their_customers(bank, login, deposit):
    wang, zhao = bank.customers["wang"], bank.customers["zhao"]
    panel = login(bank.staff["service"]).get(f"/offers/customers/{wang.pk}/").content.decode()
    assert 'data-testid="offer-send"' not in panel
    data = {"product": "TD-1Y", "channel": "sms", "confirm": "1"}
    assert login(bank.staff["service"]).post(f"/messages/customers/{wang.pk}/offer/", data).status_code == 403
    assert login(bank.staff["rm_a"]).post(f"/messages/customers/{zhao.pk}/offer/", data).status_code == 404
    assert not Message.objects.exists()
