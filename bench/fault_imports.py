"""The corrupted-import cases of the fault scorecard (bench/faults.py): each kind damages a valid
extract (tests/ingest/extract_factory.py) one way, and counts as handled when `tenure import`
refuses it with its exit status, writes nothing, names the damage in its report and echoes no
secret. The damage itself is the import tests' own (`tests/ingest/test_import_errors.CORRUPTIONS`,
the control-file and unsafe-file cases), drawn here with fixed seeds.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.ingest import test_import_errors as errors
from tests.ingest.extract_factory import CONTROL, DATES, make_extract, read_report, run_failing_import, store_snapshot
from tests.ingest.test_import_control import _control_rows, _cut_after_line, _set_control_rows

EXTRACT = make_extract()
NOT_HANDLED = (Exception, pytest.fail.Exception)  # pytest.raises outside a test fails with the latter
PASSWD_LINE = "root:x:0:0:"
# A case: write the damaged extract under a folder; returns (root, import options, exit status,
# text the report must hold).
Case = Callable[[Path], tuple[Path, dict, int, str]]


def _one(tmp: Path) -> tuple[Path, Path]:
    root = EXTRACT.write(tmp / "x", dates=(DATES[0],))
    return root, root / DATES[0]


def _truncated(tmp: Path):
    root, folder = _one(tmp)
    _cut_after_line(folder / "transactions.csv", 16)
    return root, {}, 1, "transactions.csv: does not match _control.csv: expected 30 records, found 15"


def _changed_value(tmp: Path):
    root, folder = _one(tmp)
    path = folder / "customers.csv"
    path.write_bytes(path.read_bytes().replace("教师".encode(), "医生".encode(), 1))
    return root, {}, 1, "customers.csv: does not match _control.csv: expected SHA-256"


def _listed_missing(tmp: Path):
    root, folder = _one(tmp)
    (folder / "balances.csv").unlink()
    return root, {}, 1, "balances.csv: listed in _control.csv"


def _unlisted(tmp: Path):
    root, folder = _one(tmp)
    _set_control_rows(folder, [row for row in _control_rows(folder) if row[0] != "merchants.csv"])
    return root, {}, 1, "merchants.csv: not listed in _control.csv"


def _no_control(tmp: Path):
    return EXTRACT.write(tmp / "x", dates=(DATES[0],), control=False), {}, 1, "_control.csv: missing"


def _flag_with_disagreeing_control(tmp: Path):
    root, folder = _one(tmp)
    _cut_after_line(folder / "accounts.csv", 4)
    return root, {"no_control_file": True}, 1, "accounts.csv: does not match _control.csv"


def _wrong_count(tmp: Path):
    root, folder = _one(tmp)
    rows = [[r[0], "31", r[2]] if r[0] == "transactions.csv" else r for r in _control_rows(folder)]
    _set_control_rows(folder, rows)
    return root, {}, 1, "transactions.csv: _control.csv lists 31 records"


def _malformed_control(tmp: Path):
    root, folder = _one(tmp)
    rows = _control_rows(folder)
    rows[3][1] = "3O"
    _set_control_rows(folder, rows)
    return root, {}, 1, "_control.csv:4 records '3O': not a whole number"


def _nul_in_value(tmp: Path):
    extract = EXTRACT.copy()
    extract.folders[DATES[0]]["customers"][1]["occupation"] = "教\x00师"
    return extract.write(tmp / "x", dates=(DATES[0],)), {}, 1, "customers.csv:3 occupation: contains a NUL byte"


def _nul_in_key(tmp: Path):
    extract = EXTRACT.copy()
    extract.folders[DATES[0]]["branches"][2]["branch_code"] = "S01\x0001"
    return extract.write(tmp / "x", dates=(DATES[0],)), {}, 1, "contains a NUL byte"


def _link_to_passwd(tmp: Path):
    root, folder = _one(tmp)
    (folder / "branches.csv").unlink()
    os.symlink("/etc/passwd", folder / "branches.csv")
    return root, {}, 1, "branches.csv: a symbolic link: refused"


def _link_inside(tmp: Path):
    root, folder = _one(tmp)
    (folder / "customers.csv").unlink()
    os.symlink(folder / "branches.csv", folder / "customers.csv")
    return root, {}, 1, "customers.csv: a symbolic link: refused"


def _linked_control(tmp: Path):
    root, folder = _one(tmp)
    (folder / CONTROL).rename(tmp / "control-elsewhere.csv")
    os.symlink(tmp / "control-elsewhere.csv", folder / CONTROL)
    return root, {}, 1, f"{CONTROL}: a symbolic link: refused"


def _linked_date_folder(tmp: Path):
    elsewhere = EXTRACT.write(tmp / "elsewhere", dates=(DATES[0],))
    root = tmp / "x"
    root.mkdir()
    os.symlink(elsewhere / DATES[0], root / DATES[0])
    return root, {}, 4, f"{DATES[0]}: a symbolic link: refused"


FIXED: dict[str, Case] = {
    "control: truncated at a line boundary": _truncated,
    "control: value changed, same count": _changed_value,
    "control: listed file missing": _listed_missing,
    "control: file not listed": _unlisted,
    "control: no control file": _no_control,
    "control: --no-control-file with a control file that disagrees": _flag_with_disagreeing_control,
    "control: wrong count beside a matching digest": _wrong_count,
    "control: malformed control file": _malformed_control,
    "unsafe: NUL byte in a value": _nul_in_value,
    "unsafe: NUL byte in a key": _nul_in_key,
    "unsafe: link to /etc/passwd": _link_to_passwd,
    "unsafe: link to another file of the folder": _link_inside,
    "unsafe: linked control file": _linked_control,
    "unsafe: linked date folder": _linked_date_folder,
}
DRAWN = {f"data: {c.__name__.replace('_', ' ')}": c for c in errors.CORRUPTIONS}
KINDS = (*DRAWN, *FIXED)


def _drawn(corruption, seed_value: int) -> tuple[errors.Folder, list]:
    """One damaged first-date folder, as the import tests draw it, from a fixed seed."""
    made: list = []

    @seed(seed_value)
    @settings(
        max_examples=1, database=None, phases=[Phase.generate], deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.data())
    def draw(data):
        folder = errors.Folder(DATES[0], EXTRACT.copy().folders[DATES[0]])
        made[:] = [folder, corruption(data.draw, folder)]

    draw()
    folder, expected = made
    return folder, [expected] if expected else []


def _check_fixed(case: Case, tmp: Path) -> None:
    root, options, code, says = case(tmp)
    before = store_snapshot()
    exit_code, summary, report = run_failing_import(root, **options)
    text = report + (Path(summary["report"]).read_text(encoding="utf-8") if summary and summary.get("report") else "")
    assert exit_code == code, (exit_code, report[-500:])
    assert says in text, (says, report[-500:])
    assert store_snapshot() == before
    assert "\x00" not in text and PASSWD_LINE not in text and not any(s in text for s in EXTRACT.secrets)
    if summary:
        assert set(summary["written"].values()) <= {0}
        read_report(summary)


def probe_imports(work: Path, tries: int = 1) -> dict:
    """Every kind once per try (drawn kinds with seeds 0..tries-1): tried, handled, and what was not."""
    tried, handled, unhandled = 0, 0, []
    with override_settings(LAKE_DIR=work / "import-lake", REPORT_DIR=work / "import-reports"):
        for name, corruption in DRAWN.items():
            for n in range(tries):
                folder, expected = _drawn(corruption, n)
                if not expected:  # nothing to damage in this draw: not a case
                    continue
                tried += 1
                try:
                    errors._assert_refused_and_reported(folder, expected)
                    handled += 1
                except NOT_HANDLED as exc:  # a case that fails in any way is not handled
                    unhandled.append(f"{name} (seed {n}): {_short(exc)}")
        for name, case in FIXED.items():
            tried += 1
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    _check_fixed(case, Path(tmp))
                    handled += 1
                except NOT_HANDLED as exc:
                    unhandled.append(f"{name}: {_short(exc)}")
    return {"kinds": len(KINDS), "tried": tried, "handled": handled, "unhandled": unhandled}


def _short(exc: BaseException) -> str:
    return " ".join(("".join(traceback.format_exception_only(exc))).split())[:300]
