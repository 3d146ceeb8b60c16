"""An import that fails or is killed part-way leaves the store as it was; the next run recovers."""

import datetime as dt

import pyarrow.parquet as pq
import pytest

from tenure import lake
from tenure.ingest import dimensions, importer, summaries
from tenure.ingest.lake_writes import LakeWrite, import_lock
from tenure.ingest.models import ImportedFile
from tests.ingest.extract_factory import DATES, make_extract, run_failing_import, run_import, store_snapshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial, pytest.mark.usefixtures("isolated_store")]


class Crash(Exception):
    """Stands in for whatever stops an import half-way: a full disk, a DB error, a bug."""


@pytest.fixture
def extract():
    return make_extract()


def _crash_on_table(monkeypatch, table: str) -> None:
    """Fail the DB write of `table`, after earlier tables of the same date were written."""
    real = dimensions.upsert

    def upsert(name, *args, **kwargs):
        if name == table:
            raise Crash(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(dimensions, "upsert", upsert)


def _crash_on_audit(monkeypatch) -> None:
    """Fail at the very end of the DB transaction, after every lake partition was written."""

    def audit(**kwargs):
        raise Crash("audit")

    monkeypatch.setattr(importer, "audit", audit)


def _as_if_killed(monkeypatch) -> None:
    """A kill -9 runs no clean-up: the lake is left as the crash found it."""
    monkeypatch.setattr(LakeWrite, "undo", lambda self: None)


def test_failure_mid_db_write_leaves_the_store_unchanged(extract, tmp_path, monkeypatch):
    root = extract.write(tmp_path / "extracts")
    run_import(root, business_date=DATES[0])
    before = store_snapshot()
    _crash_on_table(monkeypatch, "accounts")  # customers of that date are already upserted

    with pytest.raises(Crash):
        run_import(root)

    assert store_snapshot() == before
    monkeypatch.undo()
    assert run_import(root)[0]["dates"] == {DATES[0]: "unchanged", DATES[1]: "imported"}


def test_failure_after_the_lake_write_of_a_replace_restores_the_old_partitions(extract, tmp_path, monkeypatch):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    before = store_snapshot()
    extract.folders[DATES[1]]["transactions"][0]["amount"] = "1.00"
    extract.write(root)
    _crash_on_audit(monkeypatch)

    with pytest.raises(Crash):
        run_import(root, replace=True)

    assert store_snapshot() == before
    monkeypatch.undo()
    assert run_import(root, replace=True)[0]["dates"][DATES[1]] == "replaced"


def test_a_killed_replace_is_undone_by_the_next_run(extract, tmp_path, monkeypatch):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    before = store_snapshot()
    extract.folders[DATES[1]]["transactions"][0]["amount"] = "1.00"
    extract.write(root)
    _crash_on_audit(monkeypatch)
    _as_if_killed(monkeypatch)

    with pytest.raises(Crash):
        run_import(root, replace=True)

    day = dt.date.fromisoformat(DATES[1])
    vouched = ImportedFile.objects.get(business_date=day, table="transactions").sha256
    assert lake.partition_digest("transactions", day) != vouched  # the DB still names the old file
    assert lake.partition_file("transactions", day) not in lake.current_partitions("transactions")
    monkeypatch.undo()
    make_extract().write(root)  # the operator puts the original files back and runs the import again
    assert run_import(root)[0]["dates"] == {DATES[0]: "unchanged", DATES[1]: "unchanged"}
    assert store_snapshot() == before


def test_a_killed_first_import_leaves_orphans_the_next_run_removes(extract, tmp_path, monkeypatch):
    root = extract.write(tmp_path / "extracts")
    run_import(root, business_date=DATES[0])
    before = store_snapshot()
    _crash_on_table(monkeypatch, "customers")
    _as_if_killed(monkeypatch)

    with pytest.raises(Crash):
        run_import(root)

    day = dt.date.fromisoformat(DATES[1])
    assert lake.partition_file("transactions", day).exists()  # written, but vouched for by nobody
    assert lake.current_partitions("transactions") == [lake.partition_file("transactions", dt.date(2024, 1, 31))]
    assert store_snapshot()["imported"] == before["imported"]
    monkeypatch.undo()
    (root / DATES[1]).rename(tmp_path / "later")  # recovery happens on any next run, even of other dates
    assert run_import(root)[0]["dates"] == {DATES[0]: "unchanged"}
    assert store_snapshot() == before


def test_a_second_import_at_the_same_time_is_refused(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    with import_lock():
        code, _, message = run_failing_import(root)
    assert code == 5 and "another import is running" in message


def test_a_crash_between_the_transactions_and_their_summaries_leaves_neither(extract, tmp_path, monkeypatch):
    root = extract.write(tmp_path / "extracts")
    run_import(root, business_date=DATES[0])
    before = store_snapshot()

    def crash(transactions):
        raise Crash("summaries")

    monkeypatch.setattr(summaries, "summary_tables", crash)
    with pytest.raises(Crash):
        run_import(root)

    assert store_snapshot() == before
    monkeypatch.undo()
    assert run_import(root)[0]["dates"] == {DATES[0]: "unchanged", DATES[1]: "imported"}
    day = dt.date.fromisoformat(DATES[1])
    assert all(summaries.is_current(name, day, _vouched(day)) for name in summaries.SUMMARIES)


def test_a_replaced_date_replaces_its_summaries_exactly(extract, tmp_path):
    root = extract.write(tmp_path / "extracts")
    run_import(root)
    day = dt.date.fromisoformat(DATES[1])
    old = pq.read_table(lake.partition_file("txn_account_months", day))
    extract.folders[DATES[1]]["transactions"][0]["amount"] = "1.00"
    extract.write(root)

    assert run_import(root, replace=True)[0]["dates"][DATES[1]] == "replaced"

    rebuilt = summaries.summary_tables(pq.read_table(lake.partition_file("transactions", day)))
    for name in summaries.SUMMARIES:
        assert summaries.is_current(name, day, _vouched(day))
        assert pq.read_table(lake.partition_file(name, day)).equals(rebuilt[name])
    assert not pq.read_table(lake.partition_file("txn_account_months", day)).equals(old)


def _vouched(day: dt.date) -> str:
    return ImportedFile.objects.get(business_date=day, table="transactions").sha256
