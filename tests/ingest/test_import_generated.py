"""The synthetic bank goes through the same import as real extracts: every generated row is accepted."""

import datetime as dt

import pytest

from tenure.customers.models import Account, Customer
from tenure.ingest.generator import generate_bank
from tenure.ingest.models import ImportedFile
from tenure.ingest.schema import TABLES
from tenure.lake import current_partitions
from tests.ingest.extract_factory import run_import

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.usefixtures("isolated_store")]


def test_a_generated_bank_imports_completely(tmp_path):
    out = tmp_path / "bank"
    generated = generate_bank(customers=1500, months=3, seed=11, out=out, end_date=dt.date(2026, 3, 31))

    summary, _ = run_import(out)

    assert summary["errors"] == 0
    assert summary["dates"] == dict.fromkeys(generated["business_dates"], "imported")
    assert summary["written"] == generated["rows"]
    assert 1400 < Customer.objects.count() <= generated["rows"]["customers"]  # changed customers come again
    assert Account.objects.exclude(card_number_bidx="").exists()
    assert ImportedFile.objects.count() == len(TABLES) * 3
    assert len(current_partitions("transactions")) == 3
    assert run_import(out)[0]["dates"] == dict.fromkeys(generated["business_dates"], "unchanged")


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_the_smallest_bank_generates_and_imports(tmp_path, seed):
    """100 customers × 1 month: too small for any planted adoption, so that simulation has a month
    without one transaction (numpy's bincount of nothing is int64: generating used to stop there)."""
    out = tmp_path / "bank"
    generated = generate_bank(customers=100, months=1, seed=seed, out=out, end_date=dt.date(2026, 1, 31))
    summary, _ = run_import(out)
    assert summary["errors"] == 0 and summary["dates"] == {"2026-01-31": "imported"}
    assert summary["written"] == generated["rows"] and Customer.objects.count() == generated["rows"]["customers"]
