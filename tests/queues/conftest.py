from tests.factories import bank, lake, login, served_lake  # noqa: F401
