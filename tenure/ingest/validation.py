"""Validation of extract files: every row, every rule; all errors collected, nothing written.

Column rules are vectorised in `checks`; this module adds what needs a whole file or the whole
folder: the header, dates against the business date, duplicate keys and references. Set operations run in
DuckDB on the Arrow data (zero-copy, on every core). Nothing here writes anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tenure.ingest.checks import ColumnResult, arrow_type, check_column
from tenure.ingest.errors import ErrorLog
from tenure.ingest.reading import RawRows, TableFile, file_encoding, read_header, read_rows
from tenure.ingest.schema import FORBIDDEN_COLUMN_WORDS, NEVER_MATURE, Column, Table
from tenure.lake import duckdb_connect

CHECK_THREADS = 2
NUL_REASON = "contains a NUL byte (\\x00): not allowed in an extract"


class Store(Protocol):
    """What validation needs to know about data imported before (the operational DB)."""

    def keys(self, table: str) -> pa.Array:
        """Keys of a dimension table already imported."""

    def integer_digits(self, table: str, column: str) -> int | None:
        """Digits the DB allows before a decimal's point, when it limits them."""

    def product_types(self) -> dict[str, str]:
        """Product code -> product type of the products already imported."""


@dataclass
class ValidatedTable:
    """A file whose values were checked, typed for the lake (schema order; null where empty)."""

    file: TableFile
    typed: pa.Table
    lines: np.ndarray

    @property
    def table(self) -> Table:
        return self.file.table


def validate_file(
    tf: TableFile, business_date: dt.date, *, encoding: str, store: Store, errors: ErrorLog
) -> ValidatedTable | None:
    """Header, values, dates and duplicate keys of one file (references need the folder)."""
    encoding = file_encoding(tf, encoding)
    header = read_header(tf, encoding, errors)
    if header is None:
        return None
    columns = _check_header(tf, header, errors)
    raw = read_rows(tf, header, columns, encoding, errors)
    if raw is None:
        return None
    if tf.nul_bytes or tf.path.suffix.lower() == ".parquet":
        _check_nul(tf, raw, errors)
    present = [c for c in tf.table.columns if c.name in raw.data.column_names]
    digits = [store.integer_digits(tf.table.name, c.name) if c.type == "decimal" else None for c in present]
    # Arrow kernels release the GIL: check two columns at a time, one per core.
    with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
        results = dict(
            zip(present, pool.map(_check, [raw.data[c.name] for c in present], present, digits), strict=True)
        )
    typed = {}
    for column in tf.table.columns:
        if column not in results:
            typed[column.name] = pa.nulls(raw.data.num_rows, arrow_type(column))
            continue
        for reason, rows in results[column].failures:
            values = raw.data[column.name].take(rows)
            errors.add_rows(tf.name, reason, lines=raw.lines[rows], column=column, values=values)
        typed[column.name] = _after_business_date(results[column].typed, column, business_date, tf, raw.lines, errors)
    validated = ValidatedTable(tf, pa.table(typed), raw.lines)
    _check_duplicates(validated, errors)
    return validated


@cache
def _connection() -> duckdb.DuckDBPyConnection:
    """One in-process DuckDB for the set operations: opening one costs ~20 ms, small folders add up."""
    return duckdb_connect()


@contextmanager
def _duckdb(**tables: pa.Table) -> Iterator[duckdb.DuckDBPyConnection]:
    """The DuckDB connection with `tables` registered (zero-copy) under their keyword names."""
    con = _connection()
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield con
    finally:
        for name in tables:
            con.unregister(name)


def _check(values: pa.ChunkedArray, column: Column, digits: int | None) -> ColumnResult:
    return check_column(values, column, integer_digits=digits)


def _check_nul(tf: TableFile, raw: RawRows, errors: ErrorLog) -> None:
    """NUL bytes are refused wherever they are (PostgreSQL cannot store them in text); the value is
    not shown. Only run when the file's bytes hold a NUL (found while hashing it) or it is Parquet."""
    for name in raw.data.column_names:
        hits = np.flatnonzero(np.asarray(pc.match_substring(raw.data[name], "\x00"), dtype=bool))
        errors.add_rows(tf.name, NUL_REASON, lines=raw.lines[hits], column=tf.table.column(name))


def _check_header(tf: TableFile, header: list[str], errors: ErrorLog) -> list[str]:
    """The columns to read: known ones, once each. Authentication data is refused outright."""
    table = tf.table
    seen: set[str] = set()
    for name in header:
        lowered = name.lower()
        if "\x00" in name:
            errors.add(tf.name, NUL_REASON, line=1)
        elif any(word in lowered for word in FORBIDDEN_COLUMN_WORDS):
            reason = "authentication data (CVV, PIN, track data) must never be sent: remove this column"
            errors.add(tf.name, reason, line=1, column=name)
        elif name not in table.column_names:
            errors.add(
                tf.name,
                f"unknown column (the {table.name} table has: {', '.join(table.column_names)})",
                line=1,
                column=name,
            )
        elif name in seen:
            errors.add(tf.name, "column appears twice in the header", line=1, column=name)
        seen.add(name)
    for column in table.columns:
        if column.required and column.name not in seen:
            errors.add(tf.name, "required column missing from the header", line=1, column=column.name)
    return [c.name for c in table.columns if c.name in seen]


def _after_business_date(
    typed: pa.Array, column, business_date: dt.date, tf: TableFile, lines: np.ndarray, errors: ErrorLog
) -> pa.Array:
    """Dates after the business date are refused: an extract cannot know the future.

    Maturity dates (`Column.future`) are the exception.
    """
    if column.type == "date" and not column.future:
        limit = pa.scalar(business_date, pa.date32())
    elif column.type == "datetime":
        limit = pa.scalar(dt.datetime.combine(business_date, dt.time(23, 59, 59)), pa.timestamp("s"))
    else:
        return typed
    late = np.flatnonzero(np.asarray(pc.fill_null(pc.greater(typed, limit), False).to_numpy(zero_copy_only=False)))
    if len(late):
        errors.add_rows(
            tf.name,
            f"after the business date {business_date}",
            lines=lines[late],
            column=column,
            values=pc.cast(typed.take(late), pa.string()),
        )
    return typed


def _check_duplicates(validated: ValidatedTable, errors: ErrorLog) -> None:
    """Every repeat of a key is an error naming the line where the key first appeared."""
    key = validated.table.key
    data = validated.typed.select(list(key)).append_column("i", pa.array(np.arange(validated.typed.num_rows)))
    key_sql = ", ".join(f'"{k}"' for k in key)
    not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in key)
    with _duckdb(t=data) as con:
        total, distinct = con.sql(f"SELECT count(*), count(DISTINCT ({key_sql})) FROM t WHERE {not_null}").fetchall()[0]
        if total == distinct:
            return
        repeats = con.sql(
            f"SELECT i, first FROM (SELECT i, min(i) OVER (PARTITION BY {key_sql}) AS first FROM t WHERE {not_null}) "
            "WHERE i <> first ORDER BY i"
        ).to_arrow_table()
    rows = repeats["i"].to_numpy()
    firsts = validated.lines[repeats["first"].to_numpy()]
    column = validated.table.column(key[0])
    errors.add_rows(
        validated.file.name,
        [f"duplicate key (first on line {n})" for n in firsts.tolist()],
        lines=validated.lines[rows],
        column=column,
        values=validated.typed[key[0]].take(rows),
    )


def check_references(
    validated: ValidatedTable, tables: dict[str, ValidatedTable], store: Store, errors: ErrorLog
) -> None:
    """A referencing value must be a key in this folder's file of that table or already imported."""
    for column in validated.table.columns:
        if not column.references:
            continue
        target_table, target_column = column.references.split(".")
        values = validated.typed[column.name]
        if values.null_count == len(values):
            continue
        referencing = pa.table({"v": values, "i": pa.array(np.arange(len(values)))})
        in_folder = tables[target_table].typed[target_column] if target_table in tables else pa.array([], pa.string())
        with _duckdb(v=referencing, k=pa.table({"k": in_folder})) as con:
            missing = con.sql("SELECT v, i FROM v ANTI JOIN k ON v.v = k.k WHERE v.v IS NOT NULL").to_arrow_table()
        if missing.num_rows:
            with _duckdb(m=missing, k=pa.table({"k": store.keys(target_table)})) as con:
                missing = con.sql("SELECT v, i FROM m ANTI JOIN k ON m.v = k.k ORDER BY i").to_arrow_table()
        if missing.num_rows:
            rows = missing["i"].to_numpy()
            errors.add_rows(
                validated.file.name,
                f"not found in {target_table}.{target_column} (neither in this folder nor imported before)",
                lines=validated.lines[rows],
                column=column,
                values=missing["v"],
            )


def check_account_terms(
    validated: ValidatedTable, tables: dict[str, ValidatedTable], store: Store, errors: ErrorLog
) -> None:
    """An account's maturity date lies on or after its opening day, and only a product that can mature
    has one (not a current account or a credit card). The product's type comes from this folder's
    products file, else from the products imported before; a product found in neither is already a
    reference error, so it is not checked here."""
    if validated.table.name != "accounts":
        return
    typed = validated.typed
    maturity = typed["maturity_date"]
    if maturity.null_count == len(maturity):
        return
    table = validated.table
    early = np.flatnonzero(
        np.asarray(pc.fill_null(pc.less(maturity, typed["opened_on"]), False).to_numpy(zero_copy_only=False))
    )
    if len(early):
        opened = typed["opened_on"].take(pa.array(early)).to_pylist()
        errors.add_rows(
            validated.file.name,
            [f"before the account was opened ({day})" for day in opened],
            lines=validated.lines[early],
            column=table.column("maturity_date"),
            values=pc.cast(maturity.take(pa.array(early)), pa.string()),
        )
    kinds = dict(store.product_types())
    if "products" in tables:
        folder = tables["products"].typed
        kinds.update(zip(folder["product_code"].to_pylist(), folder["product_type"].to_pylist(), strict=True))
    codes = typed["product_code"].to_pylist()
    dated = np.asarray(pc.is_valid(maturity).to_numpy(zero_copy_only=False), dtype=bool)
    never = np.flatnonzero(dated & np.array([kinds.get(code) in NEVER_MATURE for code in codes], dtype=bool))
    if len(never):
        errors.add_rows(
            validated.file.name,
            [f"a {kinds[codes[i]]} account never matures: leave maturity_date empty" for i in never.tolist()],
            lines=validated.lines[never],
            column=table.column("maturity_date"),
            values=pc.cast(maturity.take(pa.array(never)), pa.string()),
        )


def check_ticket_times(validated: ValidatedTable, errors: ErrorLog) -> None:
    """A queue ticket is issued, then called, then finished: a time before the one it follows is
    refused (file, line, field), and so is a finish without a call (nobody serves a walk-away)."""
    if validated.table.name != "queue_tickets":
        return
    typed, table = validated.typed, validated.table
    steps = (("called_at", "issued_at"), ("finished_at", "called_at"))
    for column, before in steps:
        early = np.flatnonzero(_np_mask(pc.less(typed[column], typed[before])))
        if len(early):
            shown = pc.cast(typed[before].take(pa.array(early)), pa.string()).to_pylist()
            errors.add_rows(
                validated.file.name,
                [f"before {before} ({when})" for when in shown],
                lines=validated.lines[early],
                column=table.column(column),
                values=pc.cast(typed[column].take(pa.array(early)), pa.string()),
            )
    uncalled = np.flatnonzero(_np_mask(pc.and_(pc.is_valid(typed["finished_at"]), pc.is_null(typed["called_at"]))))
    if len(uncalled):
        errors.add_rows(
            validated.file.name,
            "finished but never called: give called_at, or leave finished_at empty for a walk-away",
            lines=validated.lines[uncalled],
            column=table.column("finished_at"),
            values=pc.cast(typed["finished_at"].take(pa.array(uncalled)), pa.string()),
        )


def check_repayment_dates(validated: ValidatedTable, business_date: dt.date, errors: ErrorLog) -> None:
    """The repayment schedule lists the repayments to come: a due date on or before the business date
    is refused (file, line, field) — what fell due is in the transactions and balances."""
    if validated.table.name != "repayments":
        return
    due = validated.typed["due_date"]
    past = np.flatnonzero(_np_mask(pc.less_equal(due, pa.scalar(business_date, pa.date32()))))
    if len(past):
        errors.add_rows(
            validated.file.name,
            f"not after the business date ({business_date}): the schedule lists the repayments to come",
            lines=validated.lines[past],
            column=validated.table.column("due_date"),
            values=pc.cast(due.take(pa.array(past)), pa.string()),
        )


def _np_mask(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow mask as NumPy, null counted as False."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
