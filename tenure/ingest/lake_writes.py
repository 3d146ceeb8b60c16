"""The lake side of an import: typed partitions, an undo until the DB commits, crash recovery, one lock.

The operational DB's `ImportedFile` rows are the source of truth. For each business date the
importer writes its partitions first and commits the DB second; until the commit, partitions
being replaced are kept aside as ``.previous-business_date=D`` so that a failure, or a kill
followed by the next run's `recover()`, puts the lake back exactly as the DB describes it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tenure import lake
from tenure.core.crypto import blind_index
from tenure.ingest import summaries
from tenure.ingest.models import ImportedFile
from tenure.ingest.schema import TABLES, Table

ASIDE = ".previous-"
_PARTITION = "business_date="
_STALE_PREFIXES = (".staging-", ".retired-")


class ImportBusy(Exception):
    """Another import holds the lake."""


def with_blind_indexes(table: Table, typed: pa.Table) -> pa.Table:
    """Append `<column>_bidx` (HMAC blind index) for each sensitive column; empty stays null."""
    for column in table.columns:
        if column.sensitive:
            values = typed[column.name].to_pylist()
            index = [blind_index(column.sensitive, v) if v else None for v in values]
            typed = typed.append_column(f"{column.name}_bidx", pa.array(index, pa.string()))
    return typed


def lake_rows(table: Table, typed: pa.Table) -> pa.Table:
    """The lake's view of a typed table: clear identifiers replaced by blind indexes, personal text dropped."""
    names = []
    for column in table.columns:
        if column.sensitive:
            names.append(f"{column.name}_bidx")
        elif column.lake:
            names.append(column.name)
    return typed.select(names)


def keys_changed_after(table: Table, business_date: dt.date) -> pa.Array | None:
    """Keys of a dimension table that a later imported date changed again (None when there is none).

    Re-importing an older date must not overwrite those rows with stale values.
    """
    later = ImportedFile.objects.filter(table=table.name, business_date__gt=business_date)
    chunks = []
    for later_date, digest in later.values_list("business_date", "sha256"):
        if lake.partition_digest(table.name, later_date) == digest:
            chunks.append(pq.read_table(lake.partition_file(table.name, later_date), columns=list(table.key)))
    if not chunks:
        return None
    return pc.unique(pa.concat_tables(chunks)[table.key[0]])


class LakeWrite:
    """The partitions of one business date being written, undoable until `finish()`."""

    def __init__(self, business_date: dt.date) -> None:
        self.business_date = business_date
        self._aside: list[str] = []
        self._written: list[str] = []

    def set_aside(self, table: str) -> None:
        """Move the current partition out of the way, keeping it until the DB commits."""
        final = lake.partition_dir(table, self.business_date)
        if final.exists():
            aside = _aside_dir(table, self.business_date)
            shutil.rmtree(aside, ignore_errors=True)
            final.rename(aside)
            self._aside.append(table)

    def write(self, table: str, rows: pa.Table, source_sha256: str) -> None:
        self._written.append(table)
        lake.write_partition(table, self.business_date, rows, source_sha256)

    def write_summaries(self, transactions: pa.Table, source_sha256: str) -> None:
        """The transactions' summaries (`ingest/summaries.py`), in the same undoable unit."""
        for name, table in summaries.summary_tables(transactions).items():
            self.write(name, table, source_sha256)

    def undo(self) -> None:
        """Remove what was written and put back what was set aside."""
        for table in self._written:
            lake.remove_partition(table, self.business_date)
        for table in self._aside:
            _aside_dir(table, self.business_date).rename(lake.partition_dir(table, self.business_date))
        self._aside, self._written = [], []

    def finish(self) -> None:
        """The DB committed: drop the set-aside partitions."""
        for table in self._aside:
            shutil.rmtree(_aside_dir(table, self.business_date), ignore_errors=True)
        self._aside, self._written = [], []


def _aside_dir(table: str, business_date: dt.date) -> Path:
    final = lake.partition_dir(table, business_date)
    return final.parent / f"{ASIDE}{final.name}"


def recover() -> list[str]:
    """Make the lake agree with `ImportedFile` after an import was killed; returns what was done.

    A set-aside partition whose digest the DB still names goes back into place (the replacing
    import never committed); otherwise it is dropped. Partitions the DB does not know are
    orphans of a killed first import of their date and are removed, as are staging leftovers.
    """
    imported = {(t, d): sha for t, d, sha in ImportedFile.objects.values_list("table", "business_date", "sha256")}
    actions = []
    # A summary folder is vouched for by its transactions' ledger rows.
    folders = [(t.name, t.name) for t in TABLES] + [(name, summaries.SOURCE) for name in summaries.SUMMARIES]
    for name, ledger in folders:
        folder = lake.lake_dir() / name
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(_STALE_PREFIXES):
                shutil.rmtree(entry, ignore_errors=True)
                actions.append(f"removed {name}/{entry.name}")
            elif entry.name.startswith(ASIDE):
                actions.append(_recover_aside(name, ledger, entry, imported))
        for entry in sorted(folder.glob(f"{_PARTITION}*")):
            business_date = dt.date.fromisoformat(entry.name[len(_PARTITION) :])
            if (ledger, business_date) not in imported:
                shutil.rmtree(entry, ignore_errors=True)
                actions.append(f"removed orphan {name}/{entry.name}")
    return actions


def _recover_aside(table: str, ledger: str, aside: Path, imported: dict) -> str:
    final = aside.parent / aside.name[len(ASIDE) :]
    business_date = dt.date.fromisoformat(final.name[len(_PARTITION) :])
    data = aside / "data.parquet"
    metadata = (pq.read_schema(data).metadata or {}) if data.exists() else {}
    if imported.get((ledger, business_date)) == (metadata.get(lake.DIGEST_KEY) or b"").decode():
        shutil.rmtree(final, ignore_errors=True)
        aside.rename(final)
        return f"restored {table}/{final.name}"
    shutil.rmtree(aside, ignore_errors=True)
    return f"dropped replaced {table}/{final.name}"


@contextmanager
def import_lock() -> Iterator[None]:
    """One import at a time per lake; a second one fails at once rather than racing the first."""
    path = lake.lake_dir() / ".import.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ImportBusy(f"another import is running (lock {path})") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
