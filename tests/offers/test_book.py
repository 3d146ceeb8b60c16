"""The book's best open offers (`/offers/book/`): the nightly scores of the customers the caller may
see, by expected value; the product shown passes `suitable` today (else "not offered" and why);
answered offers drop out; empty state before any scoring; XLSX export audited. And the nightly's
top-3 by hand, and "will think about it" making a follow-up task."""

import datetime as dt
import io
import uuid

import numpy as np
import pandas as pd
from django.utils import timezone
from openpyxl import load_workbook

from tenure import lake
from tenure.core.models import AuditEntry
from tenure.engagement.models import Source, Task
from tenure.ingest.schema import PRODUCT_TYPES
from tenure.offers import services
from tenure.offers.models import OfferResponse
from tenure.offers.scoring import STEP, offers_table, top_types
from tests.offers.helpers import assessed, product

DAY = dt.date(2026, 1, 31)
T = {kind: i for i, kind in enumerate(PRODUCT_TYPES)}


def test_top_three_allowed_types_by_hand_with_expected_value():
    scores = np.zeros((2, len(PRODUCT_TYPES)))
    scores[0, [T["wealth"], T["fund"], T["loan"], T["credit_card"]]] = [0.5, 0.4, 0.3, 0.2]
    scores[1, T["loan"]] = 0.1
    allowed = np.ones_like(scores, dtype=bool)
    allowed[0, T["fund"]] = False  # not suitable by type: never among the three
    allowed[1] = False
    allowed[1, T["loan"]] = True  # one type allowed: one offer
    assert [[PRODUCT_TYPES[k] for k in row if k >= 0] for row in top_types(scores, allowed)] == [
        ["wealth", "loan", "credit_card"],
        ["loan"],
    ]
    table = offers_table(pd.Index(["C2", "C1"]), scores, allowed).to_pandas()
    assert table.customer_no.tolist() == ["C1", "C2", "C2", "C2"]  # sorted by customer number, then rank
    assert table["rank"].tolist() == [1, 1, 2, 3]
    first = table.iloc[1]
    assert first.product_type == "wealth" and first.expected_value == 0.5 * 1_200  # chance × yearly margin


def _scores(bank, rows: dict[str, list[tuple[str, float]]]) -> None:
    """Write a night's scores for the tiny bank's customers: {customer key: [(type, chance), ...]}."""
    numbers = [bank.customers[k].customer_no for k in rows]
    scores = np.zeros((len(rows), len(PRODUCT_TYPES)))
    allowed = np.zeros_like(scores, dtype=bool)
    for i, offers in enumerate(rows.values()):
        for kind, chance in offers:
            scores[i, T[kind]], allowed[i, T[kind]] = chance, True
    lake.write_output(STEP, DAY, offers_table(pd.Index(numbers), scores, allowed), run_key="t", config_version=1)


def test_empty_until_the_first_night_scores(bank, login, english):
    text = login(bank.staff["rm_a"]).get("/offers/book/").content.decode()
    assert 'data-testid="book-empty"' in text and "No offers scored yet" in text


def test_rm_sees_the_open_offers_of_their_book_by_expected_value(bank, login, english):
    today = timezone.localdate()
    for key in ("wang", "wanglei", "li", "zhao"):
        assessed(bank.customers[key], "C3", on=today)
    product("W-R2", risk="R2")
    product("W-R5", risk="R5")
    product("F-R5", kind="fund", risk="R5")  # the only fund: above C3, not offered
    _scores(
        bank,
        {
            "wang": [("wealth", 0.10), ("loan", 0.05)],  # 120 and 200 yuan
            "wanglei": [("fund", 0.50)],
            "li": [("wealth", 0.90)],  # another RM's book (same branch head)
            "zhao": [("wealth", 0.99)],  # another branch
        },
    )
    client = login(bank.staff["rm_a"])
    text = client.get("/offers/book/").content.decode()
    assert text.count('data-testid="book-offer"') == 3 and "李娜" not in text and "赵敏" not in text
    rows = text.split('data-testid="book-offer"')[1:]
    assert "450" in rows[0] and "王磊" in rows[0] and 'data-testid="book-not-offered"' in rows[0]  # fund: R5 > C3
    assert "Product risk level above" in rows[0]
    assert "贷款" in rows[1] or "Loan" in rows[1]  # 200 yuan before wealth's 120
    assert "稳健理财" in rows[2] and "W-R5" not in rows[2]  # the first suitable wealth product (P-WM, R2)
    by_chance = client.get("/offers/book/?sort=-chance").content.decode().split('data-testid="book-offer"')[1:]
    assert "王磊" in by_chance[0]
    head = login(bank.staff["head_a"]).get("/offers/book/").content.decode()
    assert "李娜" in head and "赵敏" not in head  # the branch head's subtree

    OfferResponse.objects.create(
        form_key="k1",
        customer=bank.customers["wang"],
        product=product("W-R1", risk="R1"),
        outcome="declined",
        reason="not_interested",
        responded_on=today,
        recorded_by=bank.staff["rm_a"],
    )
    text = login(bank.staff["rm_a"]).get("/offers/book/").content.decode()
    assert text.count('data-testid="book-offer"') == 2  # wang declined a wealth product: not open any more


def test_export_is_the_same_list_in_xlsx_and_audited(bank, login, english):
    assessed(bank.customers["wang"], "C3", on=timezone.localdate())
    product("W-R2", risk="R2")
    _scores(bank, {"wang": [("wealth", 0.25)]})
    response = login(bank.staff["rm_a"]).get("/offers/book/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["C0000001", "王芳", "Wealth management", "稳健理财", 25.0, 300.0] in values
    assert AuditEntry.objects.filter(action="offers.book.export", actor=bank.staff["rm_a"]).exists()


def test_lobby_staff_do_not_get_the_list(bank, login):
    assert login(bank.staff["lobby_a"]).get("/offers/book/").status_code == 403


def test_will_think_about_it_makes_a_follow_up_task_for_the_rm(bank):
    wang = bank.customers["wang"]
    assessed(wang, "C3", on=timezone.localdate())
    p = product("W-R2", risk="R2")
    key = str(uuid.uuid4())
    response = services.offer_response_record(
        customer=wang, product=p, outcome="thinking", by=bank.staff["rm_a"], form_key=key
    )
    task = Task.objects.get(source=Source.OFFER_FOLLOW_UP)
    assert task.customer_id == wang.customer_no and task.owner == bank.staff["rm_a"]
    assert task.key == f"offer_follow_up:{response.pk}" and task.due_on > timezone.localdate()
    services.offer_response_record(customer=wang, product=p, outcome="thinking", by=bank.staff["rm_a"], form_key=key)
    assert Task.objects.filter(source=Source.OFFER_FOLLOW_UP).count() == 1  # a double submit: one task
