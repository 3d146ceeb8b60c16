"""Bring the database schema up to date before a command uses it.

The one place that migrates for the command line (`tenure/cli.py` calls it before every subcommand
that uses the database), so each works on a fresh TENURE_HOME and after an upgrade. Migrations
create tables and seed reference rows only: they never create an encryption key.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations the database still lacks (reads the migration files and one table)."""
    executor = MigrationExecutor(connections[using])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate_pending(using: str = DEFAULT_DB_ALIAS) -> int:
    """Apply pending migrations quietly; returns how many were applied.

    Checked first because `migrate` with nothing to do still runs every post-migrate handler
    (permissions, content types): a cost each command would pay.
    """
    pending = pending_migrations(using)
    if pending:
        call_command("migrate", database=using, interactive=False, verbosity=0)
    return pending
