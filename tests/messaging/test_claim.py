"""Claiming rows: a row is claimed by one sender only; on PostgreSQL a second claimer skips locked rows."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tenure.messaging.dispatch import claim, recover_claimed
from tenure.messaging.models import Message, Status
from tests.factories import make_bank
from tests.messaging.conftest import NOW, queue


@pytest.mark.django_db
def test_a_claimed_row_is_not_claimed_again_until_recovered(bank, messaging_settings):
    ids = [queue(bank.customers["wang"], template=f"t{n}").pk for n in range(5)]
    queue(bank.customers["li"], at=NOW.replace(hour=11))  # not due yet
    first = claim(NOW, limit=3)
    assert first == ids[:3]
    assert claim(NOW, limit=10) == ids[3:]
    assert claim(NOW) == []
    assert set(Message.objects.filter(status=Status.SENDING).values_list("pk", flat=True)) == set(ids)
    assert recover_claimed() == 5  # a stopped sender's rows: due again
    assert claim(NOW) == ids


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent claimers: PostgreSQL (SQLite: the run lock)")
@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_a_second_claimer_skips_the_rows_a_first_one_is_claiming(key_file, messaging_settings, tmp_path):
    bank = make_bank()
    ids = [queue(bank.customers["wang"], template=f"t{n}").pk for n in range(6)]
    locked, claimed = threading.Event(), {}

    def other_sender():
        locked.wait(timeout=10)
        try:
            claimed["ids"] = claim(NOW, limit=10)  # must not wait for the rows held below
        finally:
            connection.close()

    thread = threading.Thread(target=other_sender)
    thread.start()
    with transaction.atomic():  # a first sender in the middle of its claim: the first 3 rows locked
        held = list(Message.objects.select_for_update().filter(pk__in=ids[:3]).values_list("pk", flat=True))
        locked.set()
        thread.join(timeout=20)
        assert not thread.is_alive(), "the second claimer waited for locked rows"
    assert sorted(held) == ids[:3]
    assert claimed["ids"] == ids[3:]
