"""Queue tickets in an extract: a call before the ticket, a finish before the call (or without one)
and a ticket after the business date are refused with file, line and field; a valid file imports."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from tenure import lake
from tenure.ingest.models import ImportedFile
from tests.ingest.extract_factory import DATES, make_extract, read_report, run_failing_import, run_import

GOOD = {
    "branch_code": "S0101",
    "ticket_no": "A001",
    "service_type": "cash",
    "customer_no": "",
    "issued_at": "2024-01-31 09:05:00",
    "called_at": "2024-01-31 09:12:00",
    "finished_at": "2024-01-31 09:20:00",
}


def _extract(rows):
    extract = make_extract()
    extract.folders[DATES[0]]["queue_tickets"] = rows
    return extract


@pytest.fixture
def home(settings, tmp_path, key_file):
    settings.LAKE_DIR, settings.REPORT_DIR = tmp_path / "lake", tmp_path / "reports"
    return tmp_path


@pytest.mark.django_db
def test_valid_tickets_import_into_the_lake(home):
    customer = make_extract().folders[DATES[0]]["customers"][0]["customer_no"]
    walked = GOOD | {"ticket_no": "A002", "customer_no": customer, "called_at": "", "finished_at": ""}
    root = _extract([GOOD, walked]).write(home / "x", dates=(DATES[0],))

    summary, _ = run_import(root)

    assert summary["written"]["queue_tickets"] == 2
    day = ImportedFile.objects.get(table="queue_tickets").business_date
    stored = pq.read_table(lake.partition_file("queue_tickets", day)).to_pydict()
    assert sorted(stored["ticket_no"]) == ["A001", "A002"] and None in stored["called_at"]


@pytest.mark.django_db
def test_out_of_order_and_future_tickets_are_refused_with_file_line_and_field(home):
    rows = [
        GOOD,  # line 2: fine
        GOOD | {"ticket_no": "A002", "called_at": "2024-01-31 09:00:00", "finished_at": "2024-01-31 09:10:00"},
        GOOD | {"ticket_no": "A003", "finished_at": "2024-01-31 09:11:00"},  # line 4: finished before called
        GOOD | {"ticket_no": "A004", "called_at": ""},  # line 5: finished, never called
        GOOD | {"ticket_no": "A005", "issued_at": "2024-02-01 09:00:00", "called_at": "", "finished_at": ""},
    ]
    root = _extract(rows).write(home / "x", dates=(DATES[0],))

    code, summary, report = run_failing_import(root)

    assert code == 1 and "queue_tickets.csv" in report
    found = sorted((r["file"], r["line"], r["column"]) for r in read_report(summary))
    assert found == [
        ("queue_tickets.csv", "3", "called_at"),
        ("queue_tickets.csv", "4", "finished_at"),
        ("queue_tickets.csv", "5", "finished_at"),
        ("queue_tickets.csv", "6", "issued_at"),
    ]
    assert not ImportedFile.objects.exists()
