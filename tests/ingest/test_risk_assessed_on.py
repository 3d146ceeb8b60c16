"""The customers extract's `risk_assessed_on`: optional, imported, refused when after the business
date (file, line, field and reason), and read by suitability as the assessment's date."""

import datetime as dt

import pytest

from tenure.customers.models import Customer
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


def test_the_assessment_date_is_imported_and_an_empty_one_stays_unknown(tmp_path):
    extract = make_extract()
    rows = extract.folders[DATES[0]]["customers"]
    rows[0]["risk_assessed_on"] = "2023-11-20"
    run_import(extract.write(tmp_path / "x", dates=(DATES[0],)))

    assert Customer.objects.get(customer_no=rows[0]["customer_no"]).risk_assessed_on == dt.date(2023, 11, 20)
    assert Customer.objects.get(customer_no=rows[1]["customer_no"]).risk_assessed_on is None


def test_an_extract_without_the_column_still_imports(tmp_path):
    extract = make_extract()
    root = extract.write(tmp_path / "x", dates=(DATES[0],))
    folder = root / DATES[0]
    header = [c for c in TABLE_BY_NAME["customers"].column_names if c != "risk_assessed_on"]
    rows = [{k: v for k, v in row.items() if k != "risk_assessed_on"} for row in extract.folders[DATES[0]]["customers"]]
    (folder / "customers.csv").write_bytes(csv_bytes("customers", rows, header))
    write_control(folder)

    run_import(root)

    assert Customer.objects.count() == len(rows)
    assert not Customer.objects.exclude(risk_assessed_on=None).exists()


def test_a_date_after_the_business_date_is_refused_with_file_line_and_field(tmp_path):
    extract = make_extract()
    rows = extract.folders[DATES[0]]["customers"]
    rows[2]["risk_assessed_on"] = "2024-02-01"  # folder 2024-01-31
    rows[3]["risk_assessed_on"] = "2024-13-01"

    code, summary, report = run_failing_import(extract.write(tmp_path / "x", dates=(DATES[0],)))

    assert code == 1 and not Customer.objects.exists()
    errors = {(e["file"], int(e["line"]), e["column"]): e["reason"] for e in read_report(summary)}
    assert errors[("customers.csv", 4, "risk_assessed_on")] == "after the business date 2024-01-31"
    assert ("customers.csv", 5, "risk_assessed_on") in errors  # not a date
    assert "customers.csv:4" in report
