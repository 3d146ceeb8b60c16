"""Importing extract folders: each business date validated whole, then written all or nothing.

For each date, in date order: the folder's files are checked against its control file (the
hand-over's list of files, record counts and SHA-256 digests; `tenure.ingest.control`), then every
file is validated before anything is written; on any error the date is refused with a full report
and the run stops. A valid date is written to the lake (every table, typed) and then, in one DB
transaction, dimension tables are upserted and one `ImportedFile` row per table plus one audit
entry are recorded. A date whose files are already imported with the same digests writes nothing;
a changed one needs `replace=True`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tenure import lake
from tenure.core.audit import audit
from tenure.core.progress import progress
from tenure.ingest import dimensions, summaries
from tenure.ingest.control import Control, read_control
from tenure.ingest.errors import ErrorLog
from tenure.ingest.lake_writes import (
    LakeWrite,
    import_lock,
    keys_changed_after,
    lake_rows,
    recover,
    with_blind_indexes,
)
from tenure.ingest.models import ImportedFile
from tenure.ingest.reading import TableFile, folder_files
from tenure.ingest.schema import IMPORT_ORDER, TABLE_BY_NAME
from tenure.ingest.validation import (
    ValidatedTable,
    check_account_terms,
    check_references,
    check_repayment_dates,
    check_ticket_times,
    validate_file,
)

logger = logging.getLogger(__name__)
_DATE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ImportRefused(Exception):
    """The path or options cannot be imported at all (nothing was looked at or written)."""


@dataclass
class DateOutcome:
    """What happened to one business date: imported, replaced, unchanged, repaired, invalid or refused."""

    business_date: dt.date
    status: str
    written: dict[str, int] = field(default_factory=dict)
    errors: ErrorLog | None = None
    report: Path | None = None
    message: str = ""
    without_control_file: bool = False

    @property
    def failed(self) -> bool:
        return self.status in ("invalid", "refused")


@dataclass
class ImportRun:
    """The outcome of one `tenure import`.

    Per table, wall and CPU seconds spent on it (digest, checks, lake, DB): CPU seconds, summed
    over the process's threads, are what a benchmark on a shared machine can compare.
    """

    outcomes: list[DateOutcome] = field(default_factory=list)
    seconds: float = 0.0
    table_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    table_cpu_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @contextmanager
    def timing(self, table: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.table_seconds[table] += time.perf_counter() - wall
            self.table_cpu_seconds[table] += time.process_time() - cpu

    @property
    def failed(self) -> bool:
        return any(o.failed for o in self.outcomes)

    @property
    def written(self) -> dict[str, int]:
        return {name: sum(o.written.get(name, 0) for o in self.outcomes) for name in IMPORT_ORDER}

    @property
    def error_count(self) -> int:
        return sum(o.errors.count for o in self.outcomes if o.errors is not None)

    @property
    def rows_per_second(self) -> float:
        """Transactions rows written per second spent reading, validating and writing them."""
        seconds = self.table_seconds.get("transactions", 0.0)
        return round(self.written["transactions"] / seconds) if seconds else 0.0

    def summary(self) -> dict:
        reports = [str(o.report) for o in self.outcomes if o.report]
        return {
            "written": self.written,
            "dates": {o.business_date.isoformat(): o.status for o in self.outcomes},
            "errors": self.error_count,
            "seconds": round(self.seconds, 3),
            "rows_per_second": self.rows_per_second,
            "summary_seconds": round(self.table_seconds.get("summaries", 0.0), 3),
            "seconds_per_table": {name: round(self.table_seconds.get(name, 0.0), 3) for name in IMPORT_ORDER},
            "cpu_seconds_per_table": {name: round(self.table_cpu_seconds.get(name, 0.0), 3) for name in IMPORT_ORDER},
            "report": reports[0] if reports else None,
            "without_control_file": [o.business_date.isoformat() for o in self.outcomes if o.without_control_file],
        }


class _DbStore:
    """Keys already imported, loaded from the DB once per run and extended as dates commit."""

    def __init__(self) -> None:
        self._keys: dict[str, pa.ChunkedArray] = {}
        self._product_types: dict[str, str] | None = None

    def keys(self, table: str) -> pa.ChunkedArray:
        if table not in self._keys:
            self._keys[table] = pa.chunked_array([dimensions.db_keys(table)])
        return self._keys[table]

    def integer_digits(self, table: str, column: str) -> int | None:
        return dimensions.integer_digits(table, column)

    def product_types(self) -> dict[str, str]:
        if self._product_types is None:
            self._product_types = dimensions.product_types()
        return self._product_types

    def committed(self, tables: dict[str, ValidatedTable]) -> None:
        if "products" in tables:
            self._product_types = None  # read again when next needed
        for name, validated in tables.items():
            if name in self._keys:
                key = validated.typed[validated.table.key[0]]
                self._keys[name] = pa.chunked_array(self._keys[name].chunks + key.chunks, pa.string())


def date_folders(path: Path, business_date: dt.date | None = None) -> list[tuple[dt.date, Path]]:
    """The business-date folders under `path` in date order (or `path` itself when it is one)."""
    if not path.is_dir():
        raise ImportRefused(f"{path} is not a folder")
    path = path.resolve()  # the operator named it (e.g. a `latest` link): what lies inside may not be a link
    if _DATE_NAME.match(path.name) or any(p.stem in TABLE_BY_NAME for p in path.iterdir() if p.is_file()):
        named = _folder_date(path)
        if named and business_date and named != business_date:
            raise ImportRefused(f"folder {path.name} does not match --business-date {business_date}")
        day = named or business_date
        if day is None:
            raise ImportRefused(f"{path.name} is not named YYYY-MM-DD: give its date with --business-date")
        return [(day, path)]
    links = sorted(p.name for p in path.iterdir() if p.is_symlink() and _folder_date(p))
    if links:
        raise ImportRefused(
            f"{links[0]}: a symbolic link: refused (date folders must be real folders inside {path.name}); "
            "nothing imported"
        )
    folders = sorted((d, p) for p in path.iterdir() if p.is_dir() and (d := _folder_date(p)))
    if business_date:
        folders = [(d, p) for d, p in folders if d == business_date]
    if not folders:
        raise ImportRefused(f"no YYYY-MM-DD folders{f' for {business_date}' if business_date else ''} in {path}")
    return folders


def _folder_date(path: Path) -> dt.date | None:
    if not _DATE_NAME.match(path.name):
        return None
    try:
        return dt.date.fromisoformat(path.name)
    except ValueError:
        return None


def import_extracts(
    path: Path,
    *,
    business_date: dt.date | None = None,
    replace: bool = False,
    encoding: str = "utf-8",
    show_progress: bool = True,
    require_control: bool = True,
) -> ImportRun:
    """Import every business-date folder of `path` in date order, stopping at the first that fails.

    A folder without a control file is refused unless `require_control` is false
    (`--no-control-file`); what is imported so is recorded as such.
    """
    started = time.perf_counter()
    folders = date_folders(Path(path), business_date)
    run = ImportRun()
    store = _DbStore()
    with import_lock():
        for action in recover():
            logger.warning("lake recovery: %s", action)
        for day, folder in folders:
            outcome = _import_date(
                folder,
                day,
                replace=replace,
                encoding=encoding,
                store=store,
                run=run,
                show=show_progress,
                require_control=require_control,
            )
            run.outcomes.append(outcome)
            logger.info("import %s: %s %s", day, outcome.status, outcome.message or outcome.written)
            if outcome.failed:
                break
    run.seconds = time.perf_counter() - started
    return run


def _import_date(
    folder: Path,
    day: dt.date,
    *,
    replace: bool,
    encoding: str,
    store: _DbStore,
    run: ImportRun,
    show: bool,
    require_control: bool,
) -> DateOutcome:
    errors = ErrorLog(day)
    files = folder_files(folder, errors)
    if errors:
        return _invalid(day, errors)
    digests = {}
    for name, tf in files.items():
        with run.timing(name):
            digests[name] = tf.sha256
    control = read_control(folder, errors, required=require_control)
    if control is not None:
        control.check_files(files, errors)
    if errors:
        return _invalid(day, errors)
    previous = dict(ImportedFile.objects.filter(business_date=day).values_list("table", "sha256"))
    stale: list[str] = []
    if previous == digests:
        stale = [name for name, sha in digests.items() if lake.partition_digest(name, day) != sha]
        if not stale:
            return DateOutcome(day, "unchanged", message="already imported with the same files; nothing written")
    elif previous and not replace:
        changed = sorted(name for name in previous.keys() | digests.keys() if previous.get(name) != digests.get(name))
        return DateOutcome(
            day,
            "refused",
            message=f"{day} was already imported from different files (changed: {', '.join(changed)}); "
            "nothing written. Re-run with --replace to replace this business date.",
        )
    tables = _validate(folder, day, files, encoding, store, errors, run, show)
    if control is not None and not errors:
        control.check_records({v.file.name: v.typed.num_rows for v in tables.values()}, errors)
    if errors:
        return _invalid(day, errors)
    if stale:
        # Same files as imported, but the lake lost or never kept their partitions: rewrite only those.
        for name in stale:
            lake.write_partition(name, day, _lake_table(tables[name]), digests[name])
        if summaries.SOURCE in stale:
            summaries.write_summaries(day, tables[summaries.SOURCE].typed, digests[summaries.SOURCE])
        return DateOutcome(day, "repaired", message=f"lake partitions rewritten: {', '.join(stale)}")
    written = _write(day, tables, previous, run, show, control)
    store.committed({n: v for n, v in tables.items() if v.table.kind == "dimension"})
    status = "replaced" if previous else "imported"
    return DateOutcome(day, status, written=written, without_control_file=control is None)


def _validate(
    folder: Path,
    day: dt.date,
    files: dict[str, TableFile],
    encoding: str,
    store: _DbStore,
    errors: ErrorLog,
    run: ImportRun,
    show: bool,
) -> dict[str, ValidatedTable]:
    if day > timezone.localdate():
        errors.add(folder.name, f"business date {day} is in the future")
    tables: dict[str, ValidatedTable] = {}
    with progress(f"{day} validating", total=len(files), enabled=show) as bar:
        for name in (n for n in IMPORT_ORDER if n in files):
            bar.describe(f"{day} validating {files[name].name}")
            with run.timing(name):
                validated = validate_file(files[name], day, encoding=encoding, store=store, errors=errors)
            if validated is not None:
                tables[name] = validated
            bar.advance()
    for name, validated in tables.items():
        with run.timing(name):
            check_references(validated, tables, store, errors)
            check_account_terms(validated, tables, store, errors)
            check_ticket_times(validated, errors)
            check_repayment_dates(validated, day, errors)
    return tables


def _lake_table(validated: ValidatedTable) -> pa.Table:
    return lake_rows(validated.table, with_blind_indexes(validated.table, validated.typed))


def _write(
    day: dt.date,
    tables: dict[str, ValidatedTable],
    previous: dict[str, str],
    run: ImportRun,
    show: bool,
    control: Control | None,
) -> dict[str, int]:
    """Lake first, then one DB transaction; any failure puts the lake back as it was."""
    written = {name: v.typed.num_rows for name, v in tables.items()}
    rows = {}
    lake_write = LakeWrite(day)
    try:
        for name in summaries.with_summaries(previous.keys() | tables.keys()):
            lake_write.set_aside(name)
        for name, validated in tables.items():
            with progress(f"{day} {name} → lake", total=written[name], enabled=show) as bar, run.timing(name):
                rows[name] = with_blind_indexes(validated.table, validated.typed)
                lake_write.write(name, lake_rows(validated.table, rows[name]), validated.file.sha256)
                if name == summaries.SOURCE:
                    with run.timing("summaries"):  # also counted in the transactions' time
                        lake_write.write_summaries(rows[name], validated.file.sha256)
                bar.advance(written[name])
        with dimensions.sqlite_page_cache(), transaction.atomic():
            for name in (n for n in IMPORT_ORDER if n in tables and tables[n].table.kind == "dimension"):
                upsert_rows = _not_changed_later(tables[name], rows[name], day)
                with progress(f"{day} {name} → database", total=upsert_rows.num_rows, enabled=show) as bar:
                    with run.timing(name):
                        dimensions.upsert(name, upsert_rows, day, bar)
            _record_files(day, tables, previous, control)
            audit(
                action="import_replace" if previous else "import",
                object_type="business_date",
                object_id=day.isoformat(),
                detail={
                    "written": written,
                    "files": {n: v.file.sha256 for n, v in tables.items()},
                    "control_file": control.sha256 if control else None,
                },
            )
    except BaseException:
        lake_write.undo()
        raise
    lake_write.finish()
    return written


def _not_changed_later(validated: ValidatedTable, rows: pa.Table, day: dt.date) -> pa.Table:
    """Drop rows a later imported date changed again, so an older date never overwrites newer data."""
    later = keys_changed_after(validated.table, day)
    if later is None:
        return rows
    return rows.filter(pc.invert(pc.is_in(rows[validated.table.key[0]], value_set=later)))


def _record_files(
    day: dt.date, tables: dict[str, ValidatedTable], previous: dict[str, str], control: Control | None
) -> None:
    ImportedFile.objects.filter(business_date=day).exclude(table__in=list(tables)).delete()
    for name, validated in tables.items():
        ImportedFile.objects.update_or_create(
            business_date=day,
            table=name,
            defaults={
                "file_name": validated.file.name,
                "sha256": validated.file.sha256,
                "rows": validated.typed.num_rows,
                "control_sha256": control.sha256 if control else "",
            },
        )
    changed = [n for n, v in tables.items() if n in previous and previous[n] != v.file.sha256]
    ImportedFile.objects.filter(business_date=day, table__in=changed).update(replaced=F("replaced") + 1)


def _invalid(day: dt.date, errors: ErrorLog) -> DateOutcome:
    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S%f")
    report = errors.write_csv(Path(settings.REPORT_DIR), stamp)
    logger.warning("import %s refused: %d errors, report %s", day, errors.count, report)
    return DateOutcome(day, "invalid", errors=errors, report=report, message=f"{errors.count} errors; nothing written")
