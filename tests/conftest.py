import os

import pytest

from tenure.core import crypto


@pytest.fixture(scope="session", autouse=True)
def session_field_key_and_run_lock(tmp_path_factory):
    """A field key for the session, made as `tenure keys init` makes one (no command makes one on the
    side), and a run lock, both in a folder of each xdist worker's own: the workers share
    TENURE_HOME (which may be a real home), not their keys or runs."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("session-home")
    settings.FIELD_KEY_FILE = folder / "keys" / "field.key"
    settings.RUN_LOCK_FILE = folder / "run.lock"
    if not os.environ.get("TENURE_FIELD_KEY"):
        crypto.create_key_file()
    crypto.reset_cipher()


@pytest.fixture
def key_file(tmp_path, settings, monkeypatch):
    """A fresh file-based keyring for this test, made as `tenure keys init` makes it (and no TENURE_FIELD_KEY)."""
    monkeypatch.delenv("TENURE_FIELD_KEY", raising=False)
    settings.FIELD_KEY_FILE = tmp_path / "keys" / "field.key"
    crypto.create_key_file()
    yield settings.FIELD_KEY_FILE
    crypto.reset_cipher()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached page aggregates (tenure.web.cache) are keyed by
    the data version, and two tests' databases can have the same version."""
    from django.core.cache import cache

    cache.clear()
