from tests.factories import bank, english, lake, login  # noqa: F401
