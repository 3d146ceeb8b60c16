"""Bring the database schema up to date before a command uses it.

The one place that migrates for the command line (`tenure/cli.py` calls it before every subcommand
that uses the database), so each works on a fresh TENURE_HOME and after an upgrade. Migrations
create tables and seed reference rows only: they never create an encryption key.

Two commands started at once on a fresh home would both find the migrations pending and both apply
them (the second fails on a table the first made), so migrating holds a lock and looks again once
it has it: an OS file lock beside the SQLite file, an advisory lock on PostgreSQL (several homes
may share one server database).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

PG_LOCK_KEY = 0x7E_4E_00_01  # pg_advisory_lock key of Tenure's migrations


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations the database still lacks (reads the migration files and one table)."""
    executor = MigrationExecutor(connections[using])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate_pending(using: str = DEFAULT_DB_ALIAS) -> int:
    """Apply pending migrations quietly; returns how many were applied.

    Checked first because `migrate` with nothing to do still runs every post-migrate handler
    (permissions, content types): a cost each command would pay.
    """
    if not pending_migrations(using):
        return 0
    with _migration_lock(using):
        pending = pending_migrations(using)  # another command may have applied them meanwhile
        if pending:
            call_command("migrate", database=using, interactive=False, verbosity=0)
    return pending


@contextmanager
def _migration_lock(using: str) -> Iterator[None]:
    """Held while one process migrates; others wait for it (then find nothing pending)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [PG_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])
        return
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or "mode=memory" in name:  # nothing on disk, nobody else to wait for
        yield
        return
    with Path(f"{name}.migrate.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or the process ends
        yield
