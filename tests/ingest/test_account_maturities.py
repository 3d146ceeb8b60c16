"""Accounts' maturity date and agreed rate: validated against the opening day and the product type,
optional (older extracts without the columns still import), and written by the generator so that
`maturities_between` finds the bank's maturities after an import."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from tenure import lake
from tenure.customers.models import Account, Customer
from tenure.customers.selectors import maturities_between
from tenure.ingest.generator import generate_bank
from tenure.ingest.schema import TABLE_BY_NAME
from tests.ingest.extract_factory import (
    DATES,
    csv_bytes,
    make_extract,
    read_report,
    run_failing_import,
    run_import,
    write_control,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_store")]


def _accounts(extract, day=DATES[0]) -> list[dict[str, str]]:
    return extract.folders[day]["accounts"]


def _row_of(extract, product_code: str) -> tuple[int, dict[str, str]]:
    """The first account row of a product in the first folder, with its file line (header = line 1)."""
    return next((i + 2, row) for i, row in enumerate(_accounts(extract)) if row["product_code"] == product_code)


def test_maturity_and_rate_are_imported(tmp_path):
    extract = make_extract()
    _, deposit = _row_of(extract, "P-TD12")
    deposit["maturity_date"], deposit["rate"] = "2024-06-01", "1.9500"
    run_import(extract.write(tmp_path / "x", dates=(DATES[0],)))

    account = Account.objects.select_related("product").get(account_id=deposit["account_id"])
    assert account.maturity_date == dt.date(2024, 6, 1)
    assert account.rate == Decimal("1.9500") and account.effective_rate == Decimal("1.9500")
    current = Account.objects.select_related("product").get(account_id=_row_of(extract, "P-CUR")[1]["account_id"])
    assert current.maturity_date is None and current.rate is None and current.effective_rate is None


def test_an_account_without_its_own_rate_shows_the_products(tmp_path):
    extract = make_extract()
    _, deposit = _row_of(extract, "P-TD12")
    deposit["maturity_date"] = "2024-06-01"
    run_import(extract.write(tmp_path / "x", dates=(DATES[0],)))

    account = Account.objects.select_related("product").get(account_id=deposit["account_id"])
    assert account.rate is None and account.effective_rate == Decimal("1.7500")


def test_an_extract_without_the_new_columns_still_imports(tmp_path):
    extract = make_extract()
    root = extract.write(tmp_path / "x", dates=(DATES[0],))
    old = [c for c in TABLE_BY_NAME["accounts"].column_names if c not in ("maturity_date", "rate")]
    (root / DATES[0] / "accounts.csv").write_bytes(csv_bytes("accounts", _accounts(extract), old))
    write_control(root / DATES[0])

    summary, _ = run_import(root)

    assert summary["errors"] == 0 and summary["written"]["accounts"] == len(_accounts(extract))
    assert not Account.objects.exclude(maturity_date=None).exists()


def test_a_maturity_before_the_opening_day_or_on_a_current_account_is_refused(tmp_path):
    extract = make_extract()
    deposit_line, deposit = _row_of(extract, "P-TD12")
    deposit["maturity_date"] = "2023-05-31"  # opened 2023-06-01
    current_line, current = _row_of(extract, "P-CUR")
    current["maturity_date"] = "2025-01-01"

    code, summary, report = run_failing_import(extract.write(tmp_path / "x", dates=(DATES[0],)))

    assert code == 1 and not Account.objects.exists()  # nothing half imported
    errors = {(e["file"], int(e["line"]), e["column"]): e["reason"] for e in read_report(summary)}
    assert errors == {
        ("accounts.csv", deposit_line, "maturity_date"): "before the account was opened (2023-06-01)",
        ("accounts.csv", current_line, "maturity_date"): "a current account never matures: leave maturity_date empty",
    }
    assert f"accounts.csv:{deposit_line}" in report


def test_the_product_type_of_an_earlier_import_counts(tmp_path):
    """A later folder's accounts refer to products imported before: their types come from the DB."""
    extract = make_extract()
    run_import(extract.write(tmp_path / "x", dates=(DATES[0],)))
    second = extract.folders[DATES[1]]
    assert "products" not in second and second["accounts"][0]["product_code"] == "P-SAV"
    second["accounts"][0]["maturity_date"] = "2030-01-01"  # savings may mature (零存整取): accepted
    second["accounts"].append(dict(_row_of(extract, "P-CUR")[1], maturity_date="2030-01-01"))  # line 3

    code, summary, _ = run_failing_import(extract.write(tmp_path / "y", dates=(DATES[1],)))

    assert code == 1
    assert [(e["file"], e["line"], e["column"], e["reason"]) for e in read_report(summary)] == [
        ("accounts.csv", "3", "maturity_date", "a current account never matures: leave maturity_date empty")
    ]


@pytest.mark.slow
def test_generated_maturities_import_and_are_found(tmp_path):
    end = dt.date(2026, 3, 31)
    out = tmp_path / "bank"
    generated = generate_bank(customers=400, months=2, seed=5, out=out, end_date=end)
    summary, _ = run_import(out)
    assert summary["errors"] == 0

    files = pd.concat(
        [pd.read_csv(out / d / "accounts.csv", dtype=str, keep_default_na=False) for d in generated["business_dates"]]
    ).drop_duplicates("account_id", keep="last")
    products = pd.concat(
        [pd.read_csv(out / d / "products.csv", dtype=str, keep_default_na=False) for d in generated["business_dates"]]
    ).set_index("product_code")
    kind = products.loc[files.product_code, "product_type"].to_numpy()
    dated = files[files.maturity_date != ""]
    assert set(kind[files.maturity_date != ""]) == {"time_deposit", "wealth"}
    assert (dated.maturity_date >= dated.opened_on).all() and (dated.rate != "").all()
    terms = products.loc[files.product_code[(kind == "time_deposit")], "term_months"].astype(int)
    assert {3, 6, 12, 24, 36} <= set(terms)

    week = maturities_between(Customer.objects.all(), end + dt.timedelta(days=1), end + dt.timedelta(days=7))
    month = maturities_between(Customer.objects.all(), end + dt.timedelta(days=1), end + dt.timedelta(days=30))
    assert 0 < len(week) < len(month)
    expected = dated[
        (dated.status != "closed") & (dated.maturity_date > "2026-03-31") & (dated.maturity_date <= "2026-04-30")
    ]
    assert sorted(m.account.account_id for m in month) == sorted(expected.account_id)
    assert [m.date for m in month] == sorted(m.date for m in month)
    latest = lake.balances_by_date([m.account.account_id for m in month], months=1)[end]
    assert all(m.amount == latest[m.account.account_id] for m in month)
    assert {m.product.product_type for m in month} <= {"time_deposit", "wealth"}
