from tests.factories import bank, english, login  # noqa: F401
