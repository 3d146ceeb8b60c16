"""The vectorised checks agree with the row-by-row reference, and lines are counted like an editor does."""

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenure.core.checkdigits import is_valid_luhn, is_valid_resident_id, luhn_check_digit, resident_id_check_char
from tenure.ingest.checks import check_column, luhn_ok, resident_id_ok
from tenure.ingest.schema import TABLE_BY_NAME
from tests.ingest.extract_factory import DATES, make_extract, read_report, run_failing_import, write_control

digits = st.text(alphabet="0123456789", min_size=1, max_size=20)


@st.composite
def resident_ids(draw):
    first17 = draw(st.text(alphabet="0123456789", min_size=17, max_size=17))
    right = resident_id_check_char(first17)
    return first17 + draw(st.sampled_from([right, right, *"0123456789X"]))


@st.composite
def card_numbers(draw):
    partial = draw(st.text(alphabet="0123456789", min_size=11, max_size=18))
    return partial + draw(st.sampled_from([luhn_check_digit(partial), *"0123456789"]))


@given(st.lists(resident_ids() | digits, min_size=1, max_size=40))
def test_resident_id_check_matches_the_reference(values):
    column = TABLE_BY_NAME["customers"].column("id_number")
    result = check_column(
        pa.chunked_array([values[: len(values) // 2], values[len(values) // 2 :]], pa.string()), column
    )
    valid = np.ones(len(values), dtype=bool)
    for _, rows in result.failures:
        valid[rows] = False
    assert valid.tolist() == [is_valid_resident_id(v) for v in values]
    well_formed = np.array([len(v) == 18 and v[:17].isdigit() for v in values])
    assert resident_id_ok(pa.array(values), well_formed).tolist() == [
        is_valid_resident_id(v) or not w for v, w in zip(values, well_formed, strict=True)
    ]


@given(st.lists(card_numbers() | digits, min_size=1, max_size=40))
def test_luhn_check_matches_the_reference(values):
    candidates = np.array([v.isdigit() and 12 <= len(v) <= 19 for v in values])
    ok = luhn_ok(pa.array(values), candidates)
    assert [bool(o) for o, c in zip(ok, candidates, strict=True) if c] == [
        is_valid_luhn(v) for v, c in zip(values, candidates, strict=True) if c
    ]


@pytest.mark.django_db
def test_lines_are_file_lines_after_blank_and_rejected_lines(settings, tmp_path, key_file):
    settings.LAKE_DIR, settings.REPORT_DIR = tmp_path / "lake", tmp_path / "reports"
    root = make_extract().write(tmp_path / "x", dates=(DATES[0],))
    path = root / DATES[0] / "transactions.csv"
    lines = path.read_text().splitlines()
    lines[3] = "T1,A0001"  # line 4: two values only
    lines.insert(5, "")  # line 6: blank, ignored
    lines[8] = lines[8].replace(",pos,", ",bicycle,").replace(",counter,", ",bicycle,").replace(",atm,", ",bicycle,")
    lines[8] = lines[8].replace(",mobile,", ",bicycle,").replace(",online,", ",bicycle,")
    path.write_text("\n".join(lines) + "\n\n")
    write_control(root / DATES[0])

    _, summary, _ = run_failing_import(root)

    assert [(r["line"], r["column"]) for r in read_report(summary)] == [("4", ""), ("9", "channel")]
