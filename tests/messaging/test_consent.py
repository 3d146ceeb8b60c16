"""Consent at the moment of sending, its history, and a withdrawal that outlives the next import."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.core.models import AuditEntry
from tenure.customers.models import Customer
from tenure.messaging.dispatch import messages_send
from tenure.messaging.models import ConsentChange, Reason, Status
from tenure.messaging.services import MessageError, consent_change
from tests.messaging.conftest import NOW, consent, queue

pytestmark = pytest.mark.django_db


def test_a_change_is_recorded_with_source_prior_value_who_and_an_audit_row(bank):
    wang, officer = bank.customers["wang"], bank.staff["service"]
    change = consent_change(customer=wang, field="consent_sms", value=False, source="staff", by=officer, at=NOW)
    assert (change.prior, change.value, change.source, change.by, change.at) == (True, False, "staff", officer, NOW)
    assert Customer.objects.get(pk=wang.pk).consent_sms is False
    entry = AuditEntry.objects.get(action="consent.change")
    assert (entry.actor_name, entry.customer_no, entry.detail["field"]) == ("service", "C0000001", "consent_sms")
    # The same value again changes and records nothing.
    assert consent_change(customer=wang, field="consent_sms", value=False, source="staff", by=officer) is None
    assert ConsentChange.objects.count() == 1
    with pytest.raises(MessageError):
        consent_change(customer=wang, field="consent_profiling", value=False, source="staff")


def test_an_opt_out_between_queueing_and_sending_suppresses_the_message(bank, servers):
    _, gateway = servers
    wang = bank.customers["wang"]
    message = queue(wang)
    consent_change(customer=wang, field="consent_sms", value=False, source="sms_reply", at=NOW)
    summary = messages_send(now=NOW)
    assert summary["suppressed"]["opted_out"] == 1 and summary["sent"] == 0
    message.refresh_from_db()
    assert (message.status, message.reason) == (Status.SUPPRESSED, Reason.OPTED_OUT)
    assert gateway.requests == []


def test_marketing_withdrawn_suppresses_marketing_but_not_service(bank, servers):
    wang = bank.customers["wang"]
    consent(wang, marketing=True)
    offer = queue(wang, kind="offer", template="t-offer")
    reminder = queue(wang, kind="reminder")
    consent_change(customer=wang, field="consent_marketing", value=False, source="staff", at=NOW)
    summary = messages_send(now=NOW)
    assert (summary["sent"], summary["suppressed"]["opted_out"]) == (1, 1)
    assert Customer.objects.get(pk=wang.pk).consent_sms is True
    offer.refresh_from_db(), reminder.refresh_from_db()
    assert (offer.reason, reminder.status) == (Reason.OPTED_OUT, Status.SENT)


def test_an_opt_out_survives_a_later_import_that_still_says_yes(bank, servers):
    """The customers extract does not know the opt-out recorded here: its next import sets the flag
    back to 1 (as the importer's upsert does). The withdrawal still stands until consent is given
    again in Tenure."""
    _, gateway = servers
    wang = bank.customers["wang"]
    consent_change(customer=wang, field="consent_sms", value=False, source="unsubscribe_page", at=NOW)
    Customer.objects.filter(pk=wang.pk).update(consent_sms=True, updated_on=dt.date(2027, 1, 6))  # the import
    queue(wang, at=NOW + dt.timedelta(days=2))
    assert messages_send(now=NOW + dt.timedelta(days=2))["suppressed"]["opted_out"] == 1
    # Given back explicitly (at the counter, by staff): recorded, even though the flag already reads yes.
    back = consent_change(
        customer=wang,
        field="consent_sms",
        value=True,
        source="staff",
        by=bank.staff["rm_a"],
        at=NOW + dt.timedelta(days=3),
    )
    assert (back.prior, back.value) == (False, True)
    queue(wang, template="t-after", at=NOW + dt.timedelta(days=3))
    assert messages_send(now=NOW + dt.timedelta(days=3))["sent"] == 1
    assert len(gateway.requests) == 1


def test_a_repeated_opt_out_after_an_import_puts_the_flag_back_without_a_second_record(bank):
    wang = bank.customers["wang"]
    consent_change(customer=wang, field="consent_sms", value=False, source="sms_reply")
    Customer.objects.filter(pk=wang.pk).update(consent_sms=True)  # the import
    assert consent_change(customer=wang, field="consent_sms", value=False, source="sms_reply") is None
    assert Customer.objects.get(pk=wang.pk).consent_sms is False
    assert ConsentChange.objects.count() == 1


def test_never_given_is_no_consent_not_an_opt_out(bank, servers):
    li = bank.customers["li"]
    queue(li, channel="push")
    assert messages_send(now=NOW)["suppressed"]["no_consent"] == 1
