from tests.factories import bank, login  # noqa: F401
