"""The hand-over's control file: what the sending system says it put in a business-date folder.

Core-banking hand-overs carry a control file beside the data files, so that the receiver can tell
a complete delivery from a truncated, half-copied or altered one. Tenure's is `_control.csv` in
each date folder, one line per table file::

    file,records,sha256
    transactions.csv,1985,9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

`records` counts data rows (the header and blank lines excluded; for Parquet, its rows) and
`sha256` is the digest of the file's bytes. The importer already reads every file once for its
digest, so checking the control file costs no extra read: a file whose digest differs is refused
with the records it holds counted on that error path only; a matching digest's count is checked
against the rows validation read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tenure.ingest.errors import ErrorLog
from tenure.ingest.reading import CONTROL_FILE, SUFFIXES, TableFile, file_digest
from tenure.ingest.schema import TABLE_BY_NAME

HEADER = ("file", "records", "sha256")
NO_CONTROL_FLAG = "--no-control-file"
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_BLANK = b' \t\r\n,"'  # a line of nothing but these is a blank row, which the import ignores


@dataclass(frozen=True)
class Listed:
    """One table file as the control file lists it."""

    records: int
    sha256: str
    line: int


@dataclass
class Control:
    """A folder's control file: its own digest and the table files it lists, by file name."""

    sha256: str
    files: dict[str, Listed]

    def check_files(self, files: dict[str, TableFile], errors: ErrorLog) -> None:
        """Every listed file present with the listed digest, and no table file left unlisted."""
        by_name = {tf.name: tf for tf in files.values()}
        for name, listed in self.files.items():
            tf = by_name.get(name)
            if tf is None:
                errors.add(name, f"listed in {CONTROL_FILE} ({listed.records} records) but not in the folder")
            elif tf.sha256 != listed.sha256:
                errors.add(name, _mismatch(listed, tf))
        for name in sorted(by_name.keys() - self.files.keys()):
            errors.add(name, f"not listed in {CONTROL_FILE}")

    def check_records(self, rows: dict[str, int], errors: ErrorLog) -> None:
        """Rows read per file name (digests already matched) against the records listed."""
        for name, count in rows.items():
            listed = self.files[name]
            if count != listed.records:
                errors.add(
                    name, f"{CONTROL_FILE} lists {listed.records} records, the file has {count} (its SHA-256 matches)"
                )


def read_control(folder: Path, errors: ErrorLog, *, required: bool) -> Control | None:
    """The folder's control file, or None when it is missing (an error unless not `required`) or unusable.

    The folder's files were listed already, so a control file that is a link was refused there.
    """
    path = folder / CONTROL_FILE
    if not path.is_file():
        if required:
            errors.add(
                CONTROL_FILE,
                f"missing: a business-date folder must carry the hand-over's control file ({','.join(HEADER)}); "
                f"to import a folder without one, re-run with {NO_CONTROL_FLAG} (the import record notes it)",
            )
        return None
    raw = path.read_bytes()
    before = errors.count
    files = _parse(raw, errors)
    if errors.count > before:
        return None
    return Control(hashlib.sha256(raw).hexdigest(), files)


def _parse(raw: bytes, errors: ErrorLog) -> dict[str, Listed]:
    try:
        text = raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        errors.add(CONTROL_FILE, "not valid UTF-8")
        return {}
    if "\x00" in text:
        errors.add(CONTROL_FILE, "contains a NUL byte (\\x00): not allowed in an extract")
        return {}
    rows = [(n, row) for n, row in enumerate(csv.reader(text.splitlines()), start=1) if any(v.strip() for v in row)]
    if not rows or tuple(v.strip() for v in rows[0][1]) != HEADER:
        errors.add(CONTROL_FILE, f"the header must be {','.join(HEADER)}", line=rows[0][0] if rows else 1)
        return {}
    files: dict[str, Listed] = {}
    for line, row in rows[1:]:
        if len(row) != len(HEADER):
            errors.add(CONTROL_FILE, f"expected {len(HEADER)} values, found {len(row)}", line=line)
            continue
        name, records, sha256 = (v.strip() for v in row)
        problems = errors.count
        suffix = Path(name).suffix.lower()
        if Path(name).stem not in TABLE_BY_NAME or suffix not in SUFFIXES or "/" in name or "\\" in name:
            reason = "not a table file (<table>.csv or <table>.parquet)"
            errors.add(CONTROL_FILE, reason, line=line, column="file", value=name)
        elif name in files:
            errors.add(
                CONTROL_FILE, f"listed twice (first on line {files[name].line})", line=line, column="file", value=name
            )
        if not records.isascii() or not records.isdigit():
            errors.add(CONTROL_FILE, "not a whole number", line=line, column="records", value=records)
        if not _SHA256.match(sha256):
            errors.add(CONTROL_FILE, "not 64 hexadecimal digits", line=line, column="sha256", value=sha256)
        if errors.count == problems:
            files[name] = Listed(int(records), sha256.lower(), line)
    return files


def _mismatch(listed: Listed, tf: TableFile) -> str:
    found = count_records(tf)
    if found is None:
        found_text = "an unreadable Parquet file"
    else:
        found_text = str(found)
    digests = f"expected SHA-256 {listed.sha256}, found {tf.sha256}"
    if found == listed.records:
        return f"does not match {CONTROL_FILE}: {digests} ({found} records, as listed)"
    return f"does not match {CONTROL_FILE}: expected {listed.records} records, found {found_text}; {digests}"


def count_records(tf: TableFile) -> int | None:
    """Data rows of a file as the control file counts them: CSV lines after the header that are not
    blank; a Parquet file's rows (None when it cannot be read). Only run when the digest differs."""
    if tf.path.suffix.lower() == ".parquet":
        try:
            return pq.ParquetFile(tf.path).metadata.num_rows
        except (pa.ArrowException, OSError):
            return None
    with tf.path.open("rb") as fh:
        fh.readline()
        return sum(1 for line in fh if line.strip(_BLANK))


def write_control(folder: Path, records: dict[str, int]) -> Path:
    """Write `folder`'s control file for the files named in `records` (file name -> data rows),
    with each file's SHA-256 as it is now on disk: the last step of writing a folder."""
    lines = [",".join(HEADER)]
    lines += [f"{name},{records[name]},{file_digest(folder / name)[0]}" for name in sorted(records)]
    path = folder / CONTROL_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
