"""Fixtures shared with the other web-facing test packages."""

from tests.factories import bank, lake, login  # noqa: F401
