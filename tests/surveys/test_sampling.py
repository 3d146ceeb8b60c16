"""Who a wave invites: consent for the channel, frequency cap, rule filters, reproducible draws, scope."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tenure.customers.models import Customer
from tenure.org.scoping import customers_for
from tenure.surveys.sampling import SampleRule, draw, eligible
from tests.factories import make_customer
from tests.surveys.conftest import customer_value, issue


def _numbers(candidates) -> list[str]:
    return [c.customer_no for c in candidates]


def test_consent_for_the_channel_is_required(bank, templates):
    Customer.objects.filter(customer_no="C0000002").update(consent_sms=False)
    Customer.objects.filter(customer_no="C0000003").update(consent_email=True)
    everyone = Customer.objects.all()
    sms = eligible(SampleRule(), customers=everyone, channel="sms", cap_days=90)
    assert _numbers(sms) == ["C0000001", "C0000003", "C0000009"]
    email = eligible(SampleRule(), customers=everyone, channel="email", cap_days=90)
    assert _numbers(email) == ["C0000003"]


def test_sms_needs_a_mobile_number(bank, templates):
    make_customer(bank, "C0000100", "钱七", "S0101")  # consent defaults to False, no mobile
    Customer.objects.filter(customer_no="C0000100").update(consent_sms=True)
    sms = eligible(SampleRule(), customers=Customer.objects.all(), channel="sms", cap_days=90)
    assert "C0000100" not in _numbers(sms)


def test_frequency_cap_skips_customers_surveyed_recently(bank, templates):
    service = bank.staff["service"]
    now = timezone.now()
    issue("nps-loyalty", service, branches=["S0101"], now=now - dt.timedelta(days=30))
    issue("relationship", service, branches=["S0102"], now=now - dt.timedelta(days=100))
    within_90 = eligible(SampleRule(), customers=Customer.objects.all(), channel="sms", cap_days=90, as_of=now)
    assert _numbers(within_90) == ["C0000003", "C0000009"]  # S0101's two were invited 30 days ago
    within_20 = eligible(SampleRule(), customers=Customer.objects.all(), channel="sms", cap_days=20, as_of=now)
    assert len(within_20) == 4
    second = issue("relationship", service, now=now)
    assert sorted(i.customer.customer_no for i, _ in second.links) == ["C0000003", "C0000009"]


def test_branch_subtree_and_tier_filters(bank, templates):
    customer_value(bank.customers["wang"], tier="platinum")
    customer_value(bank.customers["li"], tier="gold")
    everyone = Customer.objects.all()
    assert _numbers(eligible(SampleRule(branches=["B01"]), customers=everyone, channel="sms", cap_days=0)) == [
        "C0000001",
        "C0000002",
        "C0000003",
    ]
    tiers = eligible(SampleRule(tiers=["platinum", "gold"]), customers=everyone, channel="sms", cap_days=0)
    assert [(c.customer_no, c.asset_tier) for c in tiers] == [("C0000001", "platinum"), ("C0000003", "gold")]


def test_random_sample_is_reproducible_with_its_seed(bank, templates):
    for n in range(30):
        make_customer(bank, f"C10{n:05d}", "孙八", "S0101", mobile=f"1390000{n:04d}")
    Customer.objects.update(consent_sms=True)
    pool = eligible(SampleRule(), customers=Customer.objects.all(), channel="sms", cap_days=0)
    first = _numbers(draw(SampleRule(size=10, seed=3), pool))
    assert first == _numbers(draw(SampleRule(size=10, seed=3), pool))
    assert first != _numbers(draw(SampleRule(size=10, seed=4), pool))
    assert len(first) == 10 and first == sorted(first)
    assert len(draw(SampleRule(size=0), pool)) == len(pool)


def test_sampling_stays_inside_the_staff_members_scope(bank, templates):
    scoped_pool = eligible(SampleRule(), customers=customers_for(bank.staff["head_a"]), channel="sms", cap_days=0)
    assert "C0000009" not in _numbers(scoped_pool)
    assert eligible(SampleRule(), customers=customers_for(bank.staff["norole"]), channel="sms", cap_days=0) == []
