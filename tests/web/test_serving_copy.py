"""The sorted serving copy gives the same answers as the partitions, and is never used when stale."""

from __future__ import annotations

import json

from django.core.management import call_command

from tenure.analytics.portfolio import customer_portfolio
from tenure.ingest.models import ImportedFile
from tenure.lake import channel_usage, serving, transactions_page
from tests.factories import MONTH_ENDS

IDS = ["A-wang-cur", "A-wang-wm", "A-li-sav"]


def answers(customer):
    return (
        customer_portfolio(customer),
        transactions_page(IDS, 1, 7),
        transactions_page(IDS, 3, 7),
        channel_usage(IDS),
        channel_usage(IDS, months=1),
    )


def test_same_answers_with_and_without_the_copy(lake):
    wang = lake.customers["wang"]
    direct = answers(wang)
    assert serving.serving_file("balances") is None
    serving.serving_build("balances")
    serving.serving_build("transactions")
    assert serving.serving_file("balances") is not None and serving.serving_file("transactions") is not None
    assert answers(wang) == direct


def test_a_new_import_makes_the_copy_stale_until_rebuilt(served_lake):
    wang = served_lake.customers["wang"]
    stale = serving.serving_file("balances")
    ImportedFile.objects.filter(table="balances", business_date=MONTH_ENDS[-1]).update(sha256="replaced")
    assert serving.serving_file("balances") is None  # falls back to the vouched partitions
    assert customer_portfolio(wang).aum_series[-1][0] == MONTH_ENDS[-2]
    assert stale.exists()


def test_build_command_is_idempotent(lake, capsys):
    call_command("build_serving", "--json")
    first = json.loads(capsys.readouterr().out)
    assert first["balances"]["built"] and first["transactions"]["built"]
    call_command("build_serving", "--json")
    second = json.loads(capsys.readouterr().out)
    assert not second["balances"]["built"] and second["balances"]["path"] == first["balances"]["path"]


def test_pages_work_from_the_copy(served_lake, login):
    wang = served_lake.customers["wang"]
    client = login(served_lake.staff["rm_a"])
    assert "tier-platinum" in client.get(f"/customers/{wang.pk}/").content.decode()
    assert "2026-01-28 09:00" in client.get(f"/customers/{wang.pk}/transactions/").content.decode()
