"""The hand-over's control file (`_control.csv`: file, records, SHA-256 per table file) guards each
business-date folder: a file that disagrees with it, a listed file that is missing, an unlisted one
or a folder without a control file is refused with nothing written; `--no-control-file` lets the
operator import a folder that has none, and the import record says so."""

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.core.models import AuditEntry
from tenure.ingest.generator import generate_bank
from tenure.ingest.models import ImportedFile
from tests.ingest.extract_factory import (
    CONTROL,
    DATES,
    make_extract,
    read_report,
    run_failing_import,
    run_import,
    store_snapshot,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_store")]
EXTRACT = make_extract()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cut_after_line(path: Path, keep: int) -> None:
    """Truncate `path` at a line boundary, keeping its first `keep` lines (the header is line 1)."""
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"".join(line + b"\n" for line in lines[:keep]))


def _control_rows(folder: Path) -> list[list[str]]:
    return [line.split(",") for line in (folder / CONTROL).read_text().splitlines()]


def _set_control_rows(folder: Path, rows: list[list[str]]) -> None:
    (folder / CONTROL).write_text("".join(",".join(row) + "\n" for row in rows))


def _refused(root: Path, **options) -> tuple[dict, str, list[dict]]:
    before = store_snapshot()
    code, summary, report = run_failing_import(root, **options)
    assert code == 1
    assert set(summary["written"].values()) == {0}
    assert store_snapshot() == before
    return summary, report, read_report(summary)


def test_a_file_truncated_at_a_line_boundary_is_refused_naming_expected_and_found(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    path = root / DATES[0] / "transactions.csv"
    expected_sha = _sha256(path)
    _cut_after_line(path, 1 + 15)  # the header and 15 of the 30 rows: a well-formed, shorter file

    summary, report, rows = _refused(root)

    line = (
        f"transactions.csv: does not match {CONTROL}: expected 30 records, found 15; "
        f"expected SHA-256 {expected_sha}, found {_sha256(path)}"
    )
    assert line in report
    assert [(r["file"], r["reason"]) for r in rows] == [("transactions.csv", line.split(": ", 1)[1])]
    assert summary["dates"] == {DATES[0]: "invalid"}


def test_a_changed_value_with_the_same_count_is_refused_by_its_digest(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    path = root / DATES[0] / "customers.csv"
    expected_sha = _sha256(path)
    path.write_bytes(path.read_bytes().replace("教师".encode(), "医生".encode(), 1))

    _, report, rows = _refused(root)

    assert (
        f"customers.csv: does not match {CONTROL}: expected SHA-256 {expected_sha}, found {_sha256(path)} "
        "(5 records, as listed)"
    ) in report
    assert [r["file"] for r in rows] == ["customers.csv"]


def test_a_listed_file_missing_from_the_folder_is_refused(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    (root / DATES[0] / "balances.csv").unlink()

    _, report, _ = _refused(root)

    assert f"balances.csv: listed in {CONTROL} (10 records) but not in the folder" in report


def test_a_file_the_control_file_does_not_list_is_refused(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    folder = root / DATES[0]
    _set_control_rows(folder, [row for row in _control_rows(folder) if row[0] != "merchants.csv"])

    _, report, rows = _refused(root)

    assert f"merchants.csv: not listed in {CONTROL}" in report
    assert [r["file"] for r in rows] == ["merchants.csv"]


def test_a_folder_without_a_control_file_is_refused(tmp_path):
    root = EXTRACT.write(tmp_path / "x", control=False)

    summary, report, _ = _refused(root)

    assert f"{CONTROL}: missing" in report and "--no-control-file" in report
    assert summary["dates"] == {DATES[0]: "invalid"}  # later dates are not attempted


def test_without_a_control_file_the_flag_imports_and_the_record_says_so(tmp_path):
    root = EXTRACT.write(tmp_path / "x", control=False)

    summary, report = run_import(root, no_control_file=True)

    assert summary["dates"] == {DATES[0]: "imported", DATES[1]: "imported"}
    assert summary["without_control_file"] == list(DATES)
    assert f"{DATES[0]}: imported without a control file (--no-control-file)" in report
    assert set(ImportedFile.objects.values_list("control_sha256", flat=True)) == {""}
    assert all(ImportedFile.objects.filter(business_date=day).exists() for day in DATES)
    audits = AuditEntry.objects.filter(action="import").order_by("object_id")
    assert [a.detail["control_file"] for a in audits] == [None, None]


def test_a_control_file_is_recorded_with_its_digest(tmp_path):
    root = EXTRACT.write(tmp_path / "x")

    summary, report = run_import(root)

    assert summary["without_control_file"] == [] and "without a control file" not in report
    for day in DATES:
        digest = _sha256(root / day / CONTROL)
        assert set(ImportedFile.objects.filter(business_date=day).values_list("control_sha256", flat=True)) == {digest}
        assert AuditEntry.objects.get(action="import", object_id=day).detail["control_file"] == digest


def test_the_flag_does_not_excuse_a_control_file_that_disagrees(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    _cut_after_line(root / DATES[0] / "accounts.csv", 1 + 3)

    _, report, _ = _refused(root, no_control_file=True)

    assert f"accounts.csv: does not match {CONTROL}: expected 10 records, found 3" in report


def test_a_wrong_count_beside_a_matching_digest_is_refused(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    folder = root / DATES[0]
    rows = _control_rows(folder)
    for row in rows:
        if row[0] == "transactions.csv":
            row[1] = "31"
    _set_control_rows(folder, rows)

    _, report, _ = _refused(root)

    assert f"transactions.csv: {CONTROL} lists 31 records, the file has 30 (its SHA-256 matches)" in report


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda rows: rows[3].__setitem__(1, "3O"), f"{CONTROL}:4 records '3O': not a whole number"),
        (lambda rows: rows[2].__setitem__(2, "abc"), f"{CONTROL}:3 sha256 'abc': not 64 hexadecimal digits"),
        (lambda rows: rows.append(list(rows[1])), f"{CONTROL}:11 file 'accounts.csv': listed twice (first on line 2)"),
        (lambda rows: rows.append(["notes.txt", "1", "0" * 64]), f"{CONTROL}:11 file 'notes.txt': not a table file"),
        (lambda rows: rows[0].__setitem__(1, "rows"), f"{CONTROL}:1: the header must be file,records,sha256"),
    ],
)
def test_a_malformed_control_file_is_refused_with_its_line(tmp_path, change, expected):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    folder = root / DATES[0]
    rows = _control_rows(folder)
    change(rows)
    _set_control_rows(folder, rows)

    _, report, _ = _refused(root)

    assert expected in report


def test_the_generator_writes_a_control_file_that_imports(tmp_path):
    generated = generate_bank(customers=200, months=2, seed=3, out=tmp_path / "bank", end_date=dt.date(2026, 3, 31))
    for day in generated["business_dates"]:
        folder = tmp_path / "bank" / day
        rows = _control_rows(folder)
        assert rows[0] == ["file", "records", "sha256"]
        listed = {name: (int(records), sha) for name, records, sha in rows[1:]}
        files = sorted(p.name for p in folder.iterdir() if p.name != CONTROL)
        assert sorted(listed) == files
        for name, (records, sha) in listed.items():
            data = (folder / name).read_bytes()
            assert sha == hashlib.sha256(data).hexdigest()
            assert records == data.count(b"\n") - 1  # every line but the header is a record

    summary, _ = run_import(tmp_path / "bank")
    assert set(summary["dates"].values()) == {"imported"} and summary["without_control_file"] == []


QUICK = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@QUICK
@given(data=st.data())
def test_any_truncation_of_any_file_at_a_line_boundary_is_refused(data):
    day = data.draw(st.sampled_from(DATES), label="day")
    table = data.draw(st.sampled_from(sorted(EXTRACT.folders[day])), label="table")
    records = len(EXTRACT.folders[day][table])
    keep = data.draw(st.integers(0, records), label="lines kept")  # 0: empty file; 1: the header alone
    before = store_snapshot()
    with tempfile.TemporaryDirectory() as tmp:
        root = EXTRACT.write(Path(tmp), dates=(day,))
        path = root / day / f"{table}.csv"
        _cut_after_line(path, keep)
        code, summary, report = run_failing_import(root)
    assert code == 1 and set(summary["written"].values()) == {0}
    assert store_snapshot() == before
    assert f"{table}.csv: does not match {CONTROL}: expected {records} records, found {max(keep - 1, 0)}" in report
