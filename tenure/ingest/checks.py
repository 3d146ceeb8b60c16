"""Vectorised checks of one column: every value at once with Arrow kernels and NumPy, no row loop.

`check_column` turns a column of text into its typed Arrow array (null where empty or invalid)
plus the failing rows of each check, so a valid file is typed by the same pass that validated
it. Each row fails at most one check per column: the first that applies, in the order
required → length → type → code list → check digits → value rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.ingest.schema import Column

DECIMAL_PRECISION = 18  # decimal128(18, scale) in the lake
_ID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_LUHN_WIDTH = 19

PATTERNS = {
    "int": r"^-?\d{1,18}$",
    "decimal": r"^-?\d+(\.\d+)?$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "datetime": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "mobile": r"^1[3-9]\d{9}$",
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "digits": r"^\d+$",
    "resident_id": r"^\d{17}[\dXx]$",
    "luhn": r"^\d{12,19}$",
}
ARROW_TYPES = {"int": pa.int64(), "date": pa.date32(), "datetime": pa.timestamp("s"), "bool": pa.bool_()}


def arrow_type(column: Column) -> pa.DataType:
    """The lake type of a column."""
    if column.type == "decimal":
        return pa.decimal128(DECIMAL_PRECISION, column.scale)
    return ARROW_TYPES.get(column.type, pa.string())


@dataclass
class ColumnResult:
    """Typed values (null: empty or invalid) and, per reason, the indices of failing rows."""

    typed: pa.Array
    failures: list[tuple[str, np.ndarray]] = field(default_factory=list)


class _Rows:
    """Tracks which rows are still unjudged, so a row fails one check at most."""

    def __init__(self, present: np.ndarray) -> None:
        self.ok = present.copy()
        self.failures: list[tuple[str, np.ndarray]] = []

    def fail(self, bad: np.ndarray, reason: str) -> None:
        bad = bad & self.ok
        if bad.any():
            self.failures.append((reason, np.flatnonzero(bad)))
            self.ok &= ~bad


def _np(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean mask as NumPy, nulls counted as False."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def _matches(values: pa.ChunkedArray, pattern: str) -> np.ndarray:
    return _np(pc.match_substring_regex(values, pattern))


def null_where(values: pa.ChunkedArray, valid: np.ndarray) -> pa.ChunkedArray:
    """`values` with nulls where `valid` is False, sharing the value buffers (no copy of the text).

    `if_else` would copy every string of a column; a new validity bitmap costs one bit per row.
    """
    if valid.all() and values.null_count == 0:
        return values
    chunks, start = [], 0
    for chunk in values.chunks:
        keep = valid[start : start + len(chunk)]
        start += len(chunk)
        if chunk.null_count:
            keep = keep & _np(chunk.is_valid())
        bits = np.zeros(chunk.offset + len(chunk), dtype=bool)
        bits[chunk.offset :] = keep
        bitmap = pa.py_buffer(np.packbits(bits, bitorder="little"))
        chunks.append(
            pa.Array.from_buffers(chunk.type, len(chunk), [bitmap, *chunk.buffers()[1:]], offset=chunk.offset)
        )
    return pa.chunked_array(chunks, values.type)


def check_column(values: pa.ChunkedArray, column: Column, *, integer_digits: int | None = None) -> ColumnResult:
    """Validate and type one column of text; `integer_digits` caps a decimal's digits before the point."""
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    lengths = pc.binary_length(values)  # bytes, read off the offsets: no pass over the text
    present = _np(pc.greater(lengths, 0))
    rows = _Rows(present)
    if column.required and not present.all():
        rows.failures.append(("required value missing", np.flatnonzero(~present)))
    if column.type == "str":
        # Characters never outnumber bytes: count characters only where the bytes exceed the limit.
        long = _np(pc.greater(lengths, column.max_length))
        if long.any():
            rows.fail(
                long & _np(pc.greater(pc.utf8_length(values), column.max_length)), f"longer than {column.max_length}"
            )
        # An unbalanced quote makes Arrow swallow the following lines into one value.
        rows.fail(_np(pc.match_substring(values, "\n")), "line break inside a value (unbalanced quote?)")
    typed = _typed(values, column, rows, integer_digits)
    _value_checks(values, typed, column, rows)
    if column.check == "resident_id":
        typed = pc.utf8_upper(typed)  # GB 11643 writes the check character X in upper case
    return ColumnResult(null_where(typed, rows.ok), rows.failures)


def _typed(values: pa.ChunkedArray, column: Column, rows: _Rows, integer_digits: int | None) -> pa.ChunkedArray:
    kind = column.type
    if kind == "code":
        rows.fail(
            ~_np(pc.is_in(values, value_set=pa.array(column.codes))),
            "unknown code (allowed: " + ", ".join(column.codes) + ")",
        )
        return values
    if kind == "bool":
        rows.fail(~_np(pc.is_in(values, value_set=pa.array(["0", "1"]))), "not 0 or 1")
        return pc.equal(values, "1")
    if kind == "int":
        rows.fail(~_matches(values, PATTERNS["int"]), "not a whole number")
        return _cast_valid(values, rows, pa.int64())
    if kind == "decimal":
        return _typed_decimal(values, column, rows, integer_digits)
    if kind == "date":
        rows.fail(~_matches(values, PATTERNS["date"]), "not a date (YYYY-MM-DD)")
        return _cast_time(values, rows, pa.date32(), "%Y-%m-%d", "no such date")
    if kind == "datetime":
        rows.fail(~_matches(values, PATTERNS["datetime"]), "not a date and time (YYYY-MM-DD HH:MM:SS)")
        return _cast_time(values, rows, pa.timestamp("s"), "%Y-%m-%d %H:%M:%S", "no such date or time")
    return values


def _typed_decimal(values: pa.ChunkedArray, column: Column, rows: _Rows, integer_digits: int | None) -> pa.Array:
    limit = DECIMAL_PRECISION - column.scale if integer_digits is None else integer_digits
    if not (rows.ok & ~_matches(values, rf"^-?\d{{1,{limit}}}(\.\d{{1,{column.scale}}})?$")).any():
        return _cast_valid(values, rows, pa.decimal128(DECIMAL_PRECISION, column.scale))
    # Some value is wrong: find out how, one rule at a time.
    rows.fail(~_matches(values, PATTERNS["decimal"]), "not a decimal number (digits, optional '.' and decimals)")
    rows.fail(_matches(values, rf"\.\d{{{column.scale + 1},}}$"), f"more than {column.scale} decimals")
    rows.fail(_matches(values, rf"^-?\d{{{limit + 1},}}"), f"too large (at most {limit} digits before the point)")
    return _cast_valid(values, rows, pa.decimal128(DECIMAL_PRECISION, column.scale))


def _cast_valid(values: pa.ChunkedArray, rows: _Rows, to: pa.DataType) -> pa.ChunkedArray:
    """Cast the rows still valid; the others become null (the checks above guarantee the cast)."""
    return pc.cast(null_where(values, rows.ok), to)


def _cast_time(values: pa.ChunkedArray, rows: _Rows, to: pa.DataType, fmt: str, reason: str) -> pa.ChunkedArray:
    """Well-formed dates can still not exist (2023-02-29): Arrow's cast refuses them all at once,
    so on failure find them by parsing leniently and comparing the round trip."""
    candidates = null_where(values, rows.ok)
    try:
        return pc.cast(candidates, to)
    except pa.ArrowInvalid:
        parsed = pc.strptime(candidates, format=fmt, unit="s", error_is_null=True)
        rows.fail(~_np(pc.equal(pc.strftime(parsed, format=fmt), candidates)), reason)
        return pc.cast(null_where(values, rows.ok), to)


def _value_checks(values: pa.Array, typed: pa.Array, column: Column, rows: _Rows) -> None:
    check = column.check
    if check == "positive":
        rows.fail(_np(pc.less_equal(typed, pa.scalar(0, typed.type))), "must be greater than 0")
    elif check in ("mobile", "email", "digits"):
        reasons = {"mobile": "not a mainland mobile number (11 digits, 13x–19x)", "email": "not an e-mail address"}
        rows.fail(~_matches(values, PATTERNS[check]), reasons.get(check, "not digits only"))
    elif check == "resident_id":
        well_formed = _matches(values, PATTERNS["resident_id"])
        rows.fail(~well_formed, "not an 18-character resident ID")
        rows.fail(~resident_id_ok(values, well_formed & rows.ok), "wrong resident ID check character (GB 11643)")
    elif check == "luhn":
        well_formed = _matches(values, PATTERNS["luhn"])
        rows.fail(~well_formed, "not a card number (12–19 digits)")
        rows.fail(~luhn_ok(values, well_formed & rows.ok), "wrong card check digit (Luhn)")


def _digit_matrix(values: pa.Array, width: int) -> np.ndarray:
    """Fixed-width ASCII strings as an (n, width) uint8 matrix, straight from the Arrow buffer."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset : values.offset + len(values) + 1]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[0] + width * len(values)].reshape(-1, width)


def resident_id_ok(values: pa.Array, candidates: np.ndarray) -> np.ndarray:
    """True where the row is not a candidate or its GB 11643 check character is right."""
    ok = np.ones(len(values), dtype=bool)
    index = np.flatnonzero(candidates)
    if len(index):
        matrix = _digit_matrix(pc.utf8_upper(values.take(pa.array(index))), 18)
        total = (matrix[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS
        ok[index] = _ID_CHECK[total % 11] == matrix[:, 17]
    return ok


def luhn_ok(values: pa.Array, candidates: np.ndarray) -> np.ndarray:
    """True where the row is not a candidate or its Luhn check digit is right.

    Left-padding with zeros keeps each digit's position from the right, so one width fits all.
    """
    ok = np.ones(len(values), dtype=bool)
    index = np.flatnonzero(candidates)
    if len(index):
        padded = pc.utf8_lpad(values.take(pa.array(index)), width=_LUHN_WIDTH, padding="0")
        digits = _digit_matrix(padded, _LUHN_WIDTH).astype(np.int64) - 48
        doubled = digits[:, _LUHN_WIDTH - 2 :: -2] * 2  # every second digit from the right, check digit excluded
        total = digits[:, _LUHN_WIDTH - 1 :: -2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
        ok[index] = total % 10 == 0
    return ok
