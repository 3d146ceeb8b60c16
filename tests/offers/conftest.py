from tests.factories import bank, lake, login  # noqa: F401
