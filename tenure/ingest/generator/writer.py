"""CSV output in the extract format: header in schema order, no quoting, `\\n` line endings.

Arrow writes the rows (decimals with their exact scale, dates as YYYY-MM-DD, timestamps as
YYYY-MM-DD HH:MM:SS, nulls as empty fields); we write the header line ourselves because Arrow
quotes header names. Quoting style "none" makes Arrow refuse any value that would need quotes,
so a stray comma in generated text fails loudly instead of producing a subtly different file.
A folder is written on a background thread while the next month is simulated, and closed with its
control file (`_control.csv`: file, records, SHA-256), as a core-banking hand-over is.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from ..control import write_control
from ..schema import CHANNELS, DIRECTIONS, TABLE_BY_NAME, TABLES, TXN_TYPES
from .arrays import decimal

DATE_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OPTIONS = pcsv.WriteOptions(include_header=False, quoting_style="none")


def empty(name: str) -> pa.Table:
    return pa.table({col: pa.array([], pa.string()) for col in TABLE_BY_NAME[name].column_names})


def write_table(path: Path, name: str, table: pa.Table) -> int:
    """Write one table file; returns its row count."""
    columns = TABLE_BY_NAME[name].column_names
    if tuple(table.column_names) != columns:
        raise ValueError(f"{name}: columns {table.column_names} differ from the schema {columns}")
    with open(path, "wb") as fh:
        fh.write((",".join(columns) + "\n").encode())
        if table.num_rows:
            pcsv.write_csv(table, fh, _OPTIONS)
    return table.num_rows


def _codes(values: np.ndarray, words) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(values, np.int8)), pa.array(list(words), pa.string()))


def _optional(values: np.ndarray, words: pa.Array) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(values, np.int32), mask=values < 0), words)


def transactions_table(t: dict, day: dt.date, account_id: pa.Array, words: pa.Array, merchant_no: pa.Array) -> pa.Table:
    """The month's transactions (already in time order), numbered YYYYMMDD + 9-digit sequence.
    Repeated strings are dictionary-encoded: Arrow expands them while writing, on the writer's
    thread, instead of materialising millions of strings here."""
    n = len(t["acc"])
    prefix = (day.year * 10_000 + day.month * 100 + day.day) * 10**9
    time = np.ascontiguousarray(t["time"], dtype=np.int64)
    return pa.table(
        {
            "txn_id": pa.array(prefix + np.arange(1, n + 1, dtype=np.int64)),
            "account_id": pa.DictionaryArray.from_arrays(pa.array(t["acc"]), account_id),
            "txn_time": pa.Array.from_buffers(pa.timestamp("s"), n, [None, pa.py_buffer(time)]),
            "amount": decimal(t["cents"]),
            "direction": _codes(t["credit"], DIRECTIONS),
            "channel": _codes(t["channel"], CHANNELS),
            "txn_type": _codes(t["ttype"], TXN_TYPES),
            "counterparty": _optional(t["cp"], words),
            "merchant_no": _optional(t["merchant"], merchant_no),
        }
    )


def balances_table(rows: np.ndarray, balance: np.ndarray, adb: np.ndarray, account_id: pa.Array) -> pa.Table:
    return pa.table(
        {
            "account_id": pa.DictionaryArray.from_arrays(pa.array(rows.astype(np.int32)), account_id),
            "balance": decimal(balance),
            "avg_daily_balance": decimal(adb),
        }
    )


def clear(out: Path) -> None:
    """Remove earlier generator output (date folders and truth/) so no stale dates remain."""
    out.mkdir(parents=True, exist_ok=True)
    for child in out.iterdir():
        if child.is_dir() and (DATE_FOLDER.match(child.name) or child.name == "truth"):
            shutil.rmtree(child)


class FolderWriter:
    """Writes one business-date folder at a time on a background thread (Arrow's CSV writer
    releases the GIL), keeping at most one folder in memory besides the month being built."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.rows = {t.name: 0 for t in TABLES}
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: Future | None = None

    def submit(self, day: dt.date, tables: dict[str, pa.Table]) -> None:
        self.wait()
        self._pending = self._pool.submit(self._write, day, tables)

    def _write(self, day: dt.date, tables: dict[str, pa.Table]) -> None:
        folder = self.out / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        records = {}
        for table in TABLES:
            name = f"{table.name}.csv"
            records[name] = write_table(folder / name, table.name, tables.get(table.name, empty(table.name)))
            self.rows[table.name] += records[name]
        write_control(folder, records)

    def wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def close(self) -> None:
        self.wait()
        self._pool.shutdown()
