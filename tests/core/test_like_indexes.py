"""PostgreSQL: the bulk-written tables carry no LIKE index twins (`bulk.drop_like_indexes`), while the
one prefix search there is (a branch subtree by its path) keeps its own."""

import importlib

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TABLES = [
    *importlib.import_module("tenure.customers.migrations.0006_drop_like_indexes").TABLES,
    *importlib.import_module("tenure.analytics.migrations.0002_drop_like_indexes").TABLES,
]


def _like_indexes(tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) AND indexname LIKE %s ORDER BY 1",
            [tables, "%\\_like"],
        )
        return [name for (name,) in cursor.fetchall()]


def test_no_like_twins_on_bulk_tables_but_the_branch_path_keeps_its_own():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite makes no LIKE index twins")
    assert _like_indexes(TABLES) == []
    assert any(name.startswith("org_branch_path") for name in _like_indexes(["org_branch"]))
