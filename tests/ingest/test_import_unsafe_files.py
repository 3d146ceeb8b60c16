"""Input no extract may carry: NUL bytes in a value (PostgreSQL cannot store them, SQLite silently
would), and links or paths leading out of the extract folder (whose content is never read or echoed)."""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure.ingest.schema import TABLE_BY_NAME
from tests.ingest.extract_factory import (
    CONTROL,
    DATES,
    make_extract,
    read_report,
    run_failing_import,
    run_import,
    store_snapshot,
    write_control,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_store")]
EXTRACT = make_extract()
PASSWD_LIKE = b"root:x:0:0:secret-first-line:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"


def _refused(root: Path, code: int = 1, **options) -> tuple[dict | None, str]:
    before = store_snapshot()
    exit_code, summary, report = run_failing_import(root, **options)
    assert exit_code == code
    assert store_snapshot() == before
    return summary, report


def test_a_nul_byte_in_a_value_is_refused_with_file_line_and_field(tmp_path):
    extract = EXTRACT.copy()
    extract.folders[DATES[0]]["customers"][1]["occupation"] = "教\x00师"
    extract.folders[DATES[0]]["transactions"][4]["counterparty"] = "\x00"
    root = extract.write(tmp_path / "x", dates=(DATES[0],))

    summary, report = _refused(root)

    rows = read_report(summary)
    found = [(r["file"], r["line"], r["column"], r["value"]) for r in rows]
    assert found == [("customers.csv", "3", "occupation", ""), ("transactions.csv", "6", "counterparty", "")]
    assert {r["reason"] for r in rows} == {"contains a NUL byte (\\x00): not allowed in an extract"}
    assert "customers.csv:3 occupation: contains a NUL byte" in report
    assert "\x00" not in report and "\x00" not in Path(summary["report"]).read_text(encoding="utf-8")


def test_a_nul_byte_in_a_key_is_refused_with_the_other_errors_of_the_date(tmp_path):
    extract = EXTRACT.copy()
    extract.folders[DATES[0]]["branches"][2]["branch_code"] = "S01\x0001"
    root = extract.write(tmp_path / "x", dates=(DATES[0],))

    summary, report = _refused(root)

    assert ("branches.csv", "4", "branch_code") in {(r["file"], r["line"], r["column"]) for r in read_report(summary)}


def test_a_nul_byte_in_a_parquet_value_is_refused(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    folder = root / DATES[0]
    rows = EXTRACT.folders[DATES[0]]["staff"]
    columns = TABLE_BY_NAME["staff"].column_names
    data = {name: [row.get(name, "") for row in rows] for name in columns}
    data["name"][2] = "赵\x00敏"
    pq.write_table(pa.table(data), folder / "staff.parquet")
    (folder / "staff.csv").unlink()
    write_control(folder)

    summary, report = _refused(root)

    assert "staff.parquet:4 name: contains a NUL byte" in report


@pytest.mark.parametrize("target", ["outside", "inside"])
def test_a_linked_file_is_refused_and_its_content_never_read(tmp_path, target):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    folder = root / DATES[0]
    outside = tmp_path / "passwd"
    outside.write_bytes(PASSWD_LIKE)
    (folder / "customers.csv").unlink()
    os.symlink(outside if target == "outside" else folder / "branches.csv", folder / "customers.csv")

    summary, report = _refused(root)

    assert "customers.csv: a symbolic link: refused (a business-date folder holds only its own files)" in report
    assert [r["file"] for r in read_report(summary)] == ["customers.csv"]
    text = report + Path(summary["report"]).read_text(encoding="utf-8")
    assert "root:x" not in text and "secret-first-line" not in text and str(outside) not in text


def test_a_link_to_etc_passwd_is_refused_without_a_control_file_too(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],), control=False)
    folder = root / DATES[0]
    (folder / "branches.csv").unlink()
    os.symlink("/etc/passwd", folder / "branches.csv")

    summary, report = _refused(root, no_control_file=True)

    assert "branches.csv: a symbolic link: refused" in report
    assert "root:x" not in report + Path(summary["report"]).read_text(encoding="utf-8")


def test_a_linked_control_file_is_refused(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    folder = root / DATES[0]
    (folder / CONTROL).rename(tmp_path / "control-elsewhere.csv")
    os.symlink(tmp_path / "control-elsewhere.csv", folder / CONTROL)

    _, report = _refused(root)

    assert f"{CONTROL}: a symbolic link: refused" in report


def test_a_linked_date_folder_is_refused(tmp_path):
    elsewhere = EXTRACT.write(tmp_path / "elsewhere", dates=(DATES[0],))
    root = tmp_path / "x"
    root.mkdir()
    os.symlink(elsewhere / DATES[0], root / DATES[0])

    _, report = _refused(root, code=4)

    assert f"{DATES[0]}: a symbolic link: refused" in report
    assert str(elsewhere) not in report


def test_the_path_the_operator_names_may_itself_be_a_link(tmp_path):
    """`tenure import /data/latest` with latest → 2024-01-31: the operator chose that folder."""
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    os.symlink(root / DATES[0], tmp_path / "latest")

    summary, _ = run_import(tmp_path / "latest")

    assert summary["dates"] == {DATES[0]: "imported"}
