import pytest

from tests.analytics.bank import write_bank


@pytest.fixture
def lake(settings, tmp_path):
    """An empty lake (and analytics output folder) under tmp_path."""
    settings.LAKE_DIR = tmp_path / "lake"
    settings.LAKE_DIR.mkdir()
    return settings.LAKE_DIR


@pytest.fixture
def bank(lake, db):
    """The tiny hand-written bank of tests/analytics/bank.py."""
    write_bank()
    return lake
