import pytest

from tenure.core import crypto


@pytest.fixture
def key_file(tmp_path, settings, monkeypatch):
    """A fresh file-based keyring for this test (and no TENURE_FIELD_KEY)."""
    monkeypatch.delenv("TENURE_FIELD_KEY", raising=False)
    settings.FIELD_KEY_FILE = tmp_path / "keys" / "field.key"
    crypto.reset_cipher()
    yield settings.FIELD_KEY_FILE
    crypto.reset_cipher()
