"""Import errors: collected column-wise, masked on the way in, printed capped and written in full as CSV.

A corrupt extract can carry millions of bad values, so errors are kept as arrays per
(file, column, reason) rather than one Python object each. Values are masked when they are
recorded, so no clear identifier can leak into a message, a report file or a log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from tenure.core import masking
from tenure.ingest.schema import Column

REPORT_COLUMNS = ("business_date", "file", "line", "column", "value", "reason")
MAX_VALUE_CHARS = 60


def masker_for(column: Column | None) -> Callable[[str], str]:
    """The mask for values of `column`: per-field masks for identifiers, initials for personal text.

    `mask_text` runs on top of every mask, so an identifier typed into the wrong column is
    still masked.
    """
    base: Callable[[str], str]
    if column is None:
        base = str
    elif column.sensitive == "id_number":
        base = masking.mask_resident_id
    elif column.sensitive == "mobile":
        base = masking.mask_mobile
    elif column.sensitive:
        base = masking.mask_card
    elif column.check == "email":
        base = masking.mask_email
    elif not column.lake:
        base = masking.mask_name
    else:
        base = str

    def mask(value: str) -> str:
        return masking.mask_text(base(value))[:MAX_VALUE_CHARS]

    return mask


@dataclass
class _Chunk:
    file: str
    column: str
    reason: str | list[str]
    lines: np.ndarray
    values: list[str]


@dataclass
class ErrorLog:
    """Every error of one business date, in the order found; `count` is the total."""

    business_date: dt.date | None = None
    _chunks: list[_Chunk] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(c.lines) for c in self._chunks)

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, file: str, reason: str, *, line: int | None = None, column: str = "", value: str = "") -> None:
        """One error about a whole file or folder (line None) or one header/line."""
        lines = np.array([-1 if line is None else line], dtype=np.int64)
        self._chunks.append(_Chunk(file, column, reason, lines, [masking.mask_text(value)[:MAX_VALUE_CHARS]]))

    def add_rows(
        self,
        file: str,
        reason: str | list[str],
        *,
        lines: np.ndarray,
        column: Column | None = None,
        values: pa.Array | Sequence[str] | None = None,
    ) -> None:
        """Many rows failing a check of one column (`reason`: one for all, or one per row); values are masked here."""
        if len(lines) == 0:
            return
        if values is None:
            masked = [""] * len(lines)
        else:
            masked = _mask_values(values, masker_for(column))
        name = column.name if column is not None else ""
        self._chunks.append(_Chunk(file, name, reason, np.asarray(lines, dtype=np.int64), masked))

    def table(self) -> pa.Table:
        """All errors sorted by file and line (file-level errors first); line is null for those."""
        if not self._chunks:
            return pa.table({c: pa.array([], pa.int64() if c == "line" else pa.string()) for c in REPORT_COLUMNS})
        lines = np.concatenate([c.lines for c in self._chunks])
        table = pa.table(
            {
                "business_date": pa.array([str(self.business_date or "")] * len(lines)),
                "file": pa.array(np.concatenate([np.full(len(c.lines), c.file, dtype=object) for c in self._chunks])),
                "line": pa.array(lines, mask=lines < 0),
                "column": pa.array(
                    np.concatenate([np.full(len(c.lines), c.column, dtype=object) for c in self._chunks])
                ),
                "value": pa.array([v for c in self._chunks for v in c.values], pa.string()),
                "reason": pa.array([r for c in self._chunks for r in _repeat(c.reason, len(c.lines))], pa.string()),
            }
        )
        order = pc.sort_indices(table, [("file", "ascending", "at_start"), ("line", "ascending", "at_start")])
        return table.take(order)

    def lines_for_display(self, limit: int) -> list[str]:
        """The first `limit` errors as one readable line each, then '… and N more' when capped."""
        table = self.table()
        shown = table.slice(0, limit).to_pylist()
        out = [format_error(row) for row in shown]
        if table.num_rows > limit:
            out.append(f"… and {table.num_rows - limit} more")
        return out

    def write_csv(self, report_dir: Path, stamp: str) -> Path:
        """Write every error to `<report_dir>/import-errors-<date>-<stamp>.csv`; returns the path."""
        report_dir.mkdir(parents=True, exist_ok=True)
        path = report_dir / f"import-errors-{self.business_date or 'unknown'}-{stamp}.csv"
        pa_csv.write_csv(self.table(), path)
        return path


def _repeat(reason: str | list[str], n: int) -> list[str]:
    return reason if isinstance(reason, list) else [reason] * n


def format_error(row: dict) -> str:
    where = row["file"] + (f":{row['line']}" if row["line"] is not None else "")
    what = f" {row['column']}" if row["column"] else ""
    value = f" '{row['value']}'" if row["value"] else ""
    return f"{where}{what}{value}: {row['reason']}"


def _mask_values(values: pa.Array | Iterable[str], mask: Callable[[str], str]) -> list[str]:
    """Mask each distinct value once: bad files repeat the same bad value on many lines."""
    plain = values.to_pylist() if isinstance(values, pa.Array | pa.ChunkedArray) else list(values)
    cache: dict[str, str] = {}
    out = []
    for value in plain:
        if value is None or value == "":
            out.append("")
            continue
        masked = cache.get(value)
        if masked is None:
            masked = cache[value] = mask(value)
        out.append(masked)
    return out
