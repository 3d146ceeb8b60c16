"""Fixtures shared with the other web-facing test packages."""

from tests.factories import bank, lake, login, served_lake  # noqa: F401
