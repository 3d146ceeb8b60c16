"""Where a month's scorecard lines (one per customer, docs/performance.md) are kept: one Parquet
file per month beside the nightly's outputs (`lake.output_path("scorecard_lines", first day of the
month)`), not a million rows of the operational DB. The file is written aside while the month is
computed and put in place right after the DB commit of the month's sums (`services`), so the
drill-downs and the scorecards show the same computation; the drill-down reads it with DuckDB,
filtered to the viewer's scope and one page at a time (`Drill`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, overload

import duckdb
import pyarrow as pa

from tenure import lake
from tenure.customers.models import Customer
from tenure.org.models import Staff
from tenure.performance.figures import MONEY
from tenure.performance.models import ADDITIVE

STEP = "scorecard_lines"
POOL = "pool"  # `Drill(rm=POOL)`: the lines of the unassigned pools


def path(month: dt.date) -> Path:
    """The month's file (`month`: its first day)."""
    return lake.output_path(STEP, month)


def _quoted(file: Path) -> str:
    return "'" + str(file).replace("'", "''") + "'"


def stage(month: dt.date, lines: pa.Table) -> Path:
    """Write `lines` (`compute.MonthLines.lines`, money in fen) beside the month's file, money in
    yuan (decimal, exact), ordered by customer number; returns the staged file for `publish`."""
    final = path(month)
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = final.with_name(f".staging-{os.getpid()}.parquet")
    columns = ", ".join(f"({name} * 0.01)::DECIMAL(20, 2) AS {name}" if name in MONEY else name for name in ADDITIVE)
    con = lake.duckdb_connect()
    try:
        con.register("lines", lines)
        con.execute(
            f"COPY (SELECT customer_no, branch_code, rm, {columns} FROM lines ORDER BY customer_no) "
            f"TO {_quoted(staged)} (FORMAT parquet, COMPRESSION zstd)"
        )
    finally:
        con.close()
    return staged


def publish(staged: Path, month: dt.date) -> None:
    """Put the staged file in place of the month's (an atomic rename)."""
    os.replace(staged, path(month))


def read(month: dt.date) -> pa.Table | None:
    """Every line of the month (unscoped: for services and checks), or None if never computed."""
    file = path(month)
    if not file.exists():
        return None
    con = lake.duckdb_connect()
    try:
        return con.sql(f"SELECT * FROM read_parquet({_quoted(file)}) ORDER BY customer_no").to_arrow_table()
    finally:
        con.close()


@dataclass
class Line:
    """One customer's line as the drill-down shows it: the customer and RM (None: the pool) named."""

    customer_id: str
    branch_code: str
    rm_id: str | None
    values: dict[str, Any]
    customer: Customer | None = None
    rm: Staff | None = None

    def __getattr__(self, name: str) -> Any:
        if name in ADDITIVE:
            return self.values[name]
        raise AttributeError(name)


@dataclass
class Drill:
    """The lines of `month` where `figure` (a line field) is above 0, within `branches` (None: every
    branch) and of `rm` (an employee number, `POOL`, or "" for every owner), largest first, then by
    AUM and customer number. A Paginator's object list: counted and sliced by DuckDB, so a page reads
    only its own rows' customers and RMs from the DB."""

    month: dt.date
    figure: str
    branches: Collection[str] | None = None
    rm: str = ""
    _count: int | None = field(default=None, init=False, repr=False)
    # One DuckDB connection for the count and the page a Paginator asks for: opening one costs more
    # than either query on the 20,000-customer demo. Closed with the Drill (garbage collection).
    _con: duckdb.DuckDBPyConnection | None = field(default=None, init=False, repr=False, compare=False)

    def _where(self) -> tuple[str, list[Any]]:
        if self.figure not in ADDITIVE:
            raise ValueError(f"not a scorecard figure: {self.figure!r}")
        clauses, params = [f"{self.figure} > 0"], []
        if self.branches is not None:
            codes = sorted(self.branches)
            clauses.append(f"branch_code IN ({', '.join('?' * len(codes))})" if codes else "false")
            params += codes
        if self.rm == POOL:
            clauses.append("rm IS NULL")
        elif self.rm:
            clauses.append("rm = ?")
            params.append(self.rm)
        return " AND ".join(clauses), params

    def _query(self, select: str, tail: str = "", extra: list[Any] | None = None) -> list[tuple]:
        file = path(self.month)
        if not file.exists():
            return []
        where, params = self._where()
        if self._con is None:
            self._con = lake.duckdb_connect(threads=1)
        sql = f"SELECT {select} FROM read_parquet({_quoted(file)}) WHERE {where} {tail}"
        return self._con.execute(sql, params + (extra or [])).fetchall()

    def count(self) -> int:
        if self._count is None:
            rows = self._query("count(*)")
            self._count = int(rows[0][0]) if rows else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Line]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Line: ...
    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...
    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if index.step is not None or (index.start or 0) < 0 or (index.stop or 0) < 0:
            raise TypeError("a drill-down is read by forward slices")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        names = ["customer_no", "branch_code", "rm", *ADDITIVE]
        order = f"ORDER BY {self.figure} DESC, aum DESC, customer_no LIMIT ? OFFSET ?"
        rows = self._query(", ".join(names), order, [stop - start, start])
        customers = Customer.objects.in_bulk([r[0] for r in rows], field_name="customer_no")
        staff = Staff.objects.in_bulk([r[2] for r in rows if r[2]], field_name="employee_no")
        out = []
        for number, branch, rm, *figures in rows:
            values = {n: Decimal(v) if n in MONEY else v for n, v in zip(ADDITIVE, figures, strict=True)}
            out.append(Line(number, branch, rm, values, customers.get(number), staff.get(rm) if rm else None))
        return out
