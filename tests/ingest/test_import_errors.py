"""Corrupt a valid extract (Hypothesis picks how and where): nothing is accepted, every error is reported.

Each corruption returns the (file, line, column) the report must name; the folder's other
content stays valid, so any extra reported error is a consequence of the injected ones.
"""

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.ingest.schema import TABLE_BY_NAME
from tests.ingest.extract_factory import (
    DATES,
    csv_bytes,
    make_extract,
    read_report,
    run_failing_import,
    run_import,
    store_snapshot,
    write_control,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_store")]
EXTRACT = make_extract()


@dataclass
class Folder:
    """One business-date folder being corrupted: headers, rows, and byte-level damage."""

    day: str
    rows: dict[str, list[dict[str, str]]]
    headers: dict[str, list[str]] = field(default_factory=dict)
    gbk_row: dict[str, int] = field(default_factory=dict)
    truncated: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)

    def write(self, root: Path) -> Path:
        folder = root / self.day
        folder.mkdir(parents=True)
        for table, rows in self.rows.items():
            data = csv_bytes(table, rows, self.headers.get(table))
            lines = data.split(b"\n")
            if table in self.gbk_row:
                number = self.gbk_row[table] + 1  # the header is lines[0]
                lines[number] = lines[number].decode().encode("gbk")
            if table in self.truncated:
                last = lines[-2]  # lines[-1] is the empty string after the final newline
                lines = lines[:-2] + [last[: last.rfind(b",")]]
            (folder / f"{table}.csv").write_bytes(b"\n".join(lines))
        write_control(folder)  # the sender's control file agrees: the damage is in what was sent
        return folder


def _line(row: int) -> int:
    return row + 2


def _pick_column(draw, folder: Folder, wanted) -> tuple[str, str] | None:
    """A (table, column) not yet corrupted whose column satisfies `wanted` and which has rows."""
    options = [
        (table, column.name)
        for table, rows in folder.rows.items()
        if rows and table not in folder.used
        for column in TABLE_BY_NAME[table].columns
        if wanted(column)
    ]
    if not options:
        return None
    table, column = draw(st.sampled_from(options))
    folder.used.add(table)
    return table, column


def _set_value(draw, folder: Folder, wanted, value, rows_wanted=lambda row, column: True):
    picked = _pick_column(draw, folder, wanted)
    if picked is None:
        return None
    table, column = picked
    candidates = [i for i, row in enumerate(folder.rows[table]) if rows_wanted(row, column)]
    if not candidates:
        return None
    row = draw(st.sampled_from(candidates))
    folder.rows[table][row][column] = value(folder.rows[table][row].get(column, "")) if callable(value) else value
    return (f"{table}.csv", _line(row), column)


def wrong_type(draw, folder):
    return _set_value(draw, folder, lambda c: c.type in ("int", "decimal", "date", "datetime", "bool"), "x1")


def unknown_code(draw, folder):
    return _set_value(draw, folder, lambda c: c.type == "code", "ZZ")


def broken_reference(draw, folder):
    return _set_value(draw, folder, lambda c: bool(c.references), "NOPE999")


def bad_resident_id(draw, folder):
    flip = {str(d): str((d + 1) % 10) for d in range(10)} | {"X": "0"}
    return _set_value(draw, folder, lambda c: c.check == "resident_id", lambda v: v[:17] + flip[v[17]])


def bad_luhn(draw, folder):
    return _set_value(
        draw,
        folder,
        lambda c: c.check == "luhn",
        lambda v: v[:-1] + str((int(v[-1]) + 1) % 10),
        rows_wanted=lambda row, column: bool(row.get(column)),
    )


def three_decimals(draw, folder):
    return _set_value(draw, folder, lambda c: c.type == "decimal" and c.scale == 2, "12.345")


def future_date(draw, folder):
    day = dt.date.fromisoformat(folder.day) + dt.timedelta(days=draw(st.integers(1, 400)))
    return _set_value(
        draw,
        folder,
        lambda c: (c.type == "date" and not c.future) or c.type == "datetime",
        lambda old: f"{day} 09:30:00" if " " in old else day.isoformat(),
    )


def duplicate_key(draw, folder):
    tables = [t for t, rows in folder.rows.items() if len(rows) >= 2 and t not in folder.used]
    if not tables:
        return None
    table = draw(st.sampled_from(tables))
    folder.used.add(table)
    first, second = sorted(
        draw(st.lists(st.integers(0, len(folder.rows[table]) - 1), min_size=2, max_size=2, unique=True))
    )
    key = TABLE_BY_NAME[table].key[0]
    folder.rows[table][second][key] = folder.rows[table][first][key]
    return (f"{table}.csv", _line(second), key)


def _header_change(draw, folder, change):
    tables = [t for t in folder.rows if t not in folder.used]
    if not tables:
        return None
    table = draw(st.sampled_from(tables))
    folder.used.add(table)
    header = list(TABLE_BY_NAME[table].column_names)
    column = change(header, table)
    folder.headers[table] = header
    return (f"{table}.csv", 1, column)


def missing_column(draw, folder):
    def drop(header, table):
        column = draw(st.sampled_from([c.name for c in TABLE_BY_NAME[table].columns if c.required]))
        header.remove(column)
        return column

    return _header_change(draw, folder, drop)


def extra_column(draw, folder):
    def add(header, table):
        header.insert(draw(st.integers(0, len(header))), "remark")
        for row in folder.rows[table]:
            row["remark"] = "备注"
        return "remark"

    return _header_change(draw, folder, add)


def cvv_column(draw, folder):
    def add(header, table):
        name = draw(st.sampled_from(["cvv2", "CVV", "card_pin", "track2_data", "cvn"]))
        header.append(name)
        for row in folder.rows[table]:
            row[name] = "737"
        return name

    return _header_change(draw, folder, add)


def truncated_last_line(draw, folder):
    tables = [t for t, rows in folder.rows.items() if rows and t not in folder.used]
    if not tables:
        return None
    table = draw(st.sampled_from(tables))
    folder.used.add(table)
    folder.truncated.add(table)
    return (f"{table}.csv", _line(len(folder.rows[table]) - 1), "")


def gbk_bytes(draw, folder):
    candidates = [
        (table, i)
        for table, rows in folder.rows.items()
        if table not in folder.used
        for i, row in enumerate(rows)
        if any(not v.isascii() for v in row.values())
    ]
    if not candidates:
        return None
    table, row = draw(st.sampled_from(candidates))
    folder.used.add(table)
    folder.gbk_row[table] = row
    return (f"{table}.csv", _line(row), "")


CORRUPTIONS = (
    wrong_type,
    unknown_code,
    broken_reference,
    bad_resident_id,
    bad_luhn,
    three_decimals,
    future_date,
    duplicate_key,
    missing_column,
    extra_column,
    cvv_column,
    truncated_last_line,
    gbk_bytes,
)


def _corrupt(data, day: str) -> tuple[Folder, list[tuple[str, int, str]]]:
    folder = Folder(day, EXTRACT.copy().folders[day])
    expected = []
    for corruption in data.draw(st.lists(st.sampled_from(CORRUPTIONS), min_size=1, max_size=3), label="corruptions"):
        found = corruption(data.draw, folder)
        if found:
            expected.append(found)
    if not expected:
        expected.append(wrong_type(data.draw, folder))
    return folder, expected


def _assert_refused_and_reported(folder: Folder, expected) -> None:
    before = store_snapshot()
    with tempfile.TemporaryDirectory() as root:
        path = folder.write(Path(root))
        code, summary, report_text = run_failing_import(path)
    assert code == 1
    assert set(summary["written"].values()) == {0}
    assert store_snapshot() == before
    reported = {(r["file"], int(r["line"]) if r["line"] else None, r["column"]) for r in read_report(summary)}
    for file, line, column in expected:
        if column:
            assert (file, line, column) in reported, (file, line, column, reported)
        else:
            assert any(f == file and n == line for f, n, _ in reported), (file, line, reported)
    report_csv = Path(summary["report"]).read_text(encoding="utf-8")
    for secret in EXTRACT.secrets:
        assert secret not in report_csv and secret not in report_text


QUICK = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@QUICK
@given(data=st.data())
def test_corrupted_first_folder_is_refused_with_every_error(data):
    folder, expected = _corrupt(data, DATES[0])
    _assert_refused_and_reported(folder, expected)


@pytest.fixture
def first_date_imported(tmp_path_factory):
    run_import(EXTRACT.write(tmp_path_factory.mktemp("extract"), dates=(DATES[0],)))


@QUICK
@given(data=st.data())
def test_corrupted_later_folder_is_refused_with_every_error(first_date_imported, data):
    folder, expected = _corrupt(data, DATES[1])
    _assert_refused_and_reported(folder, expected)


def test_every_error_is_in_the_csv_but_the_printed_list_is_capped(tmp_path):
    extract = EXTRACT.copy()
    for row in extract.folders[DATES[0]]["transactions"]:
        row["amount"] = "12.345"
        row["channel"] = "teleport"

    code, summary, report = run_failing_import(extract.write(tmp_path / "x", dates=(DATES[0],)))

    assert summary["errors"] == 60 and len(read_report(summary)) == 60
    assert "… and 10 more" in report
    assert "transactions.csv:2 amount '12.345': more than 2 decimals" in report


def test_authentication_data_is_refused_and_never_echoed(tmp_path):
    root = EXTRACT.write(tmp_path / "x", dates=(DATES[0],))
    path = root / DATES[0] / "accounts.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",cvv2"] + [line + ",4931" for line in lines[1:]]) + "\n")
    write_control(root / DATES[0])

    code, summary, report = run_failing_import(root)

    assert code == 1
    assert "accounts.csv:1 cvv2: authentication data (CVV, PIN, track data) must never be sent" in report
    assert "4931" not in report and "4931" not in Path(summary["report"]).read_text()


def test_values_in_the_report_are_masked(tmp_path):
    extract = EXTRACT.copy()
    customer = extract.folders[DATES[0]]["customers"][0]
    clear_id = customer["id_number"]
    customer["id_number"] = clear_id[:17] + ("0" if clear_id[17] != "0" else "1")
    customer["mobile"] = "2" + customer["mobile"][1:]

    code, summary, report = run_failing_import(extract.write(tmp_path / "x", dates=(DATES[0],)))

    rows = {r["column"]: r for r in read_report(summary)}
    assert rows["id_number"]["value"] == customer["id_number"][:3] + "*" * 11 + customer["id_number"][-4:]
    assert rows["id_number"]["reason"] == "wrong resident ID check character (GB 11643)"
    assert rows["mobile"]["value"] == customer["mobile"][:3] + "****" + customer["mobile"][-4:]
    assert customer["id_number"] not in report and customer["mobile"] not in report


def test_a_future_business_date_is_refused(tmp_path):
    extract = EXTRACT.copy()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    extract.folders = {future: extract.folders[DATES[0]]}

    code, _, report = run_failing_import(extract.write(tmp_path / "x"))

    assert code == 1 and f"business date {future} is in the future" in report
