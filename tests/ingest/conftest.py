"""Fixtures of the import tests."""

import pytest


@pytest.fixture
def isolated_store(settings, tmp_path, key_file):
    """The lake and the import reports in the test's own folder (modules use it through `pytestmark`)."""
    settings.LAKE_DIR = tmp_path / "lake"
    settings.REPORT_DIR = tmp_path / "reports"
