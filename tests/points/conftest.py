"""Fixtures shared with the other web-facing test packages (the tiny bank, logged-in clients)."""

from tests.factories import bank, login  # noqa: F401
from tests.points.shops import shops  # noqa: F401
