"""Finding and reading the table files of a business-date folder, every value as a string.

Values are read as text so that validation sees exactly what the bank sent (a leading zero, a
third decimal, a malformed date) and can report it with its line. Line numbers are physical
file lines with the header as line 1; for Parquet, row N is reported as line N + 1 so that a
CSV and a Parquet file with the same rows give the same numbers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tenure.core.masking import mask_text
from tenure.ingest.errors import ErrorLog
from tenure.ingest.schema import TABLE_BY_NAME, Table

SUFFIXES = (".csv", ".parquet")
CONTROL_FILE = "_control.csv"  # the hand-over's control file (tenure.ingest.control)
ENCODINGS = {"utf-8": "utf-8", "gbk": "gb18030"}  # GB 18030 is a superset of GBK: decodes every GBK file
_BLOCK_SIZE = 64 << 20  # few, large chunks: Arrow kernels pay per chunk


@dataclass
class TableFile:
    """One table file of a business-date folder."""

    table: Table
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def _digest(self) -> tuple[str, bool]:
        return file_digest(self.path)

    @property
    def sha256(self) -> str:
        return self._digest[0]

    @property
    def nul_bytes(self) -> bool:
        """Whether the file's bytes hold a NUL (for a CSV: some line does; Parquet's binary always may)."""
        return self._digest[1]


def file_digest(path: Path) -> tuple[str, bool]:
    """SHA-256 of a file and whether it holds a NUL byte, in one read (`in` on a block is a memchr)."""
    digest = hashlib.sha256()
    nul = False
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
            nul = nul or b"\x00" in block
    return digest.hexdigest(), nul


@dataclass
class RawRows:
    """The rows of a file as strings ("" for empty), with the file line of each row."""

    data: pa.Table
    lines: np.ndarray


def folder_files(folder: Path, errors: ErrorLog) -> dict[str, TableFile]:
    """The table files of `folder` by table name; unknown files and duplicates are errors.

    Hidden files (editor and OS droppings such as .DS_Store) are ignored. A link, or anything that
    resolves outside the folder, is refused before it is opened: its content is never read or shown.
    The control file is read by `tenure.ingest.control`.
    """
    found: dict[str, TableFile] = {}
    home = folder.resolve()
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_symlink():
            errors.add(path.name, "a symbolic link: refused (a business-date folder holds only its own files)")
            continue
        if path.resolve().parent != home:
            errors.add(path.name, "resolves outside the business-date folder: refused")
            continue
        if path.name == CONTROL_FILE:
            continue
        table = TABLE_BY_NAME.get(path.stem) if path.suffix.lower() in SUFFIXES and path.is_file() else None
        if table is None:
            errors.add(path.name, "unknown file: a business-date folder holds only <table>.csv or <table>.parquet")
        elif table.name in found:
            errors.add(path.name, f"two files for table {table.name}: send one of .csv or .parquet")
        else:
            found[table.name] = TableFile(table, path)
    if not found and not errors:
        errors.add(folder.name, "no table files in this folder")
    return found


def file_encoding(tf: TableFile, requested: str) -> str:
    """The encoding to read a file with. With `gbk` requested, a file that is valid UTF-8 stays UTF-8:
    a folder may mix files from different systems, and Chinese GBK text is practically never valid UTF-8.
    """
    if requested == "utf-8" or tf.path.suffix.lower() == ".parquet":
        return "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with tf.path.open("rb") as fh:
        try:
            while block := fh.read(1 << 22):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return requested
    return "utf-8"


def read_header(tf: TableFile, encoding: str, errors: ErrorLog) -> list[str] | None:
    """Column names as sent (CSV header line, or Parquet schema)."""
    if tf.path.suffix.lower() == ".parquet":
        try:
            return pq.read_schema(tf.path).names
        except (pa.ArrowException, OSError) as exc:
            errors.add(tf.name, f"cannot read Parquet file: {mask_text(str(exc))[:200]}")
            return None
    with tf.path.open("rb") as fh:
        first = fh.readline()
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    if not first.strip():
        errors.add(tf.name, "empty file: the first line must be the header", line=1)
        return None
    text = first.decode(ENCODINGS[encoding], errors="replace")
    return [name.strip() for name in next(csv.reader([text]))]


def read_rows(tf: TableFile, header: list[str], columns: list[str], encoding: str, errors: ErrorLog) -> RawRows | None:
    """Read `columns` of the file as strings; ragged lines and bad bytes become errors."""
    if tf.path.suffix.lower() == ".parquet":
        return _read_parquet(tf, columns, errors)
    if not columns:
        return None
    ragged: list[tuple[int | None, int, int, bool]] = []
    try:
        data = _read_csv(tf.path, header, columns, encoding, ragged, threads=True)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if not isinstance(exc, UnicodeDecodeError) and "UTF8" not in str(exc):
            errors.add(tf.name, f"cannot parse CSV: {mask_text(str(exc))[:200]}")
            return None
        _report_bad_bytes(tf, encoding, errors)
        # Carry on with the bad bytes replaced, to report every other error of the file too.
        replaced = tf.path.read_bytes().decode(ENCODINGS[encoding], errors="replace").encode()
        ragged.clear()
        data = _read_csv(io.BytesIO(replaced), header, columns, "utf-8", ragged, threads=True)
    if any(number is None for number, *_ in ragged):
        # Arrow numbers rejected lines only when reading on one thread: worth it on this error path.
        ragged.clear()
        data = _read_csv(tf.path, header, columns, encoding, ragged, threads=False)
    for number, expected, actual, blank in ragged:
        if not blank:
            errors.add(tf.name, f"expected {expected} values, found {actual} (truncated or ragged line)", line=number)
    # Every number is known here: the one-thread read above filled in any the threaded read left out.
    lines = _row_lines(data.num_rows, sorted(number for number, *_ in ragged if number is not None))
    return _drop_blank_rows(RawRows(data, lines))


def _read_csv(source, header: list[str], columns: list[str], encoding: str, ragged: list, *, threads: bool) -> pa.Table:
    def on_invalid(row) -> str:
        ragged.append((row.number, row.expected_columns, row.actual_columns, not row.text.strip()))
        return "skip"

    # Duplicate header names would confuse Arrow: name every column by position, keep the wanted ones.
    positional = [f"c{i}" for i in range(len(header))]
    wanted = {f"c{header.index(name)}": name for name in columns}
    table = pa_csv.read_csv(
        source,
        read_options=pa_csv.ReadOptions(
            column_names=positional,
            skip_rows=1,
            use_threads=threads,
            block_size=_BLOCK_SIZE,
            encoding=ENCODINGS[encoding],
        ),
        parse_options=pa_csv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={c: pa.string() for c in wanted},
            include_columns=list(wanted),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.rename_columns([wanted[c] for c in table.column_names])


def _row_lines(rows: int, skipped: list[int]) -> np.ndarray:
    """File line of each row read: data starts at line 2, minus lines Arrow skipped as ragged."""
    lines = np.arange(rows, dtype=np.int64) + 2
    if skipped:
        # Rows read before the k-th skipped line s_k: s_k - 2 - k. Each such line pushes later rows down one.
        before = np.asarray(skipped, dtype=np.int64) - 2 - np.arange(len(skipped))
        lines += np.searchsorted(before, np.arange(rows), side="right")
    return lines


def _drop_blank_rows(raw: RawRows) -> RawRows:
    """Blank lines (every value empty) are ignored, not errors: export tools often add one at the end."""
    if raw.data.num_columns == 0 or raw.data.num_rows == 0:
        return raw
    # A blank row is empty in every column, so the first column's empties are the only candidates.
    blank = np.asarray(pc.equal(pc.binary_length(raw.data.column(0)), 0).to_numpy(zero_copy_only=False), dtype=bool)
    for column in raw.data.columns[1:]:
        if not blank.any():
            return raw
        candidates = np.flatnonzero(blank)
        blank[candidates] = np.asarray(pc.equal(pc.binary_length(column.take(candidates)), 0), dtype=bool)
    if not blank.any():
        return raw
    return RawRows(raw.data.filter(pa.array(~blank)), raw.lines[~blank])


def _report_bad_bytes(tf: TableFile, encoding: str, errors: ErrorLog) -> None:
    """Name every line that does not decode, and say when it looks like GBK."""
    codec = ENCODINGS[encoding]
    gbk: list[int] = []
    other: list[int] = []
    with tf.path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not _decodes(line, codec):
                (gbk if encoding == "utf-8" and _decodes(line, "gb18030") else other).append(number)
    errors.add_rows(tf.name, "not valid UTF-8: looks GBK-encoded; re-run with --encoding gbk", lines=np.array(gbk))
    errors.add_rows(tf.name, f"bytes that are not valid {encoding.upper()}", lines=np.array(other))


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _read_parquet(tf: TableFile, columns: list[str], errors: ErrorLog) -> RawRows | None:
    try:
        table = pq.read_table(tf.path, columns=columns)
        data = pa.table({name: _as_text(table[name]) for name in columns})
    except (pa.ArrowException, OSError) as exc:
        errors.add(tf.name, f"cannot read Parquet file: {mask_text(str(exc))[:200]}")
        return None
    return _drop_blank_rows(RawRows(data, np.arange(table.num_rows, dtype=np.int64) + 2))


def _as_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """A typed Parquet column as the text a CSV would carry (booleans 0/1, times to the second)."""
    kind = values.type
    if pa.types.is_boolean(kind):
        text = pc.if_else(values, "1", "0")
    elif pa.types.is_timestamp(kind):
        try:  # whole seconds print without a fraction; a real fraction stays and fails validation
            values = pc.cast(values, pa.timestamp("s", kind.tz))
        except pa.ArrowInvalid:
            pass
        text = pc.strftime(values, format="%Y-%m-%d %H:%M:%S")
    elif pa.types.is_dictionary(kind):
        text = pc.cast(values, kind.value_type).cast(pa.string())
    else:
        text = pc.cast(values, pa.string())
    return pc.fill_null(text, "")
