"""Identifiers from an extract are encrypted in the DB, indexed blind in the lake, and nowhere in clear."""

import pyarrow.parquet as pq
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from tenure.core.crypto import blind_index
from tenure.customers.models import Account, Customer
from tests.ingest.extract_factory import DATES, make_extract, run_failing_import, run_import

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial, pytest.mark.usefixtures("isolated_store")]


@pytest.fixture
def extract(tmp_path):
    made = make_extract()
    run_import(made.write(tmp_path / "extracts"))
    return made


def _raw(sql: str, *params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_identifiers_are_ciphertext_in_the_db_and_plaintext_through_the_orm(extract):
    row = extract.folders[DATES[0]]["customers"][1]
    stored_id, stored_mobile = _raw(
        "SELECT id_number, mobile FROM customers_customer WHERE customer_no = %s", row["customer_no"]
    )[0]
    assert stored_id.startswith("v1.") and row["id_number"] not in stored_id
    assert stored_mobile.startswith("v1.") and row["mobile"] not in stored_mobile
    customer = Customer.objects.get(customer_no=row["customer_no"])
    assert (customer.id_number, customer.mobile) == (row["id_number"], row["mobile"])

    account = extract.folders[DATES[0]]["accounts"][0]
    stored_card, stored_number = _raw(
        "SELECT card_number, account_number FROM customers_account WHERE account_id = %s", account["account_id"]
    )[0]
    assert account["card_number"] not in stored_card and account["account_number"] not in stored_number
    assert Account.objects.get(account_id=account["account_id"]).card_number == account["card_number"]


def test_blind_index_finds_the_row(extract):
    row = extract.folders[DATES[0]]["customers"][2]
    assert (
        Customer.objects.get(id_number_bidx=blind_index("id_number", row["id_number"])).customer_no
        == row["customer_no"]
    )
    card = extract.folders[DATES[0]]["accounts"][4]["card_number"]
    spaced = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    assert Account.objects.get(card_number_bidx=blind_index("card_number", spaced)).card_number == card


def _database_text(tmp_path) -> str:
    """The database as stored: SQLite's file bytes, or every row of every table elsewhere."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        return copy.read_bytes().decode("latin-1")
    rows = []
    for model in apps.get_models():
        rows += _raw(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
    return repr(rows)


def test_no_clear_identifier_in_the_database_lake_logs_or_reports(extract, tmp_path):
    broken = make_extract()
    broken.folders[DATES[0]]["customers"][0]["id_number"] = "X" + broken.folders[DATES[0]]["customers"][0]["id_number"]
    broken.folders[DATES[0]]["accounts"][0]["card_number"] += "5"
    run_failing_import(broken.write(tmp_path / "broken", dates=(DATES[0],)), replace=True)

    places = {"database": _database_text(tmp_path)}
    for path in sorted(settings.LAKE_DIR.rglob("*.parquet")):
        places[str(path)] = pq.read_table(path).to_string(preview_cols=100) + str(pq.read_table(path).to_pylist())
    for folder in (settings.LOG_DIR, settings.REPORT_DIR):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            places[str(path)] = path.read_bytes().decode("utf-8", errors="replace")

    assert "C000001" in places["database"] and len(places) > 10  # the scan does see the data
    assert any("import 2024-01-31" in text for place, text in places.items() if place.startswith(str(settings.LOG_DIR)))
    for secret in extract.secrets:
        for place, text in places.items():
            assert secret not in text, f"a clear identifier is in {place}"
