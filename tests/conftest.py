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
    """Each test starts with an empty cache: cached page aggregates (tenure.analytics.cache) are keyed by
    the data version, and two tests' databases can have the same version."""
    from django.core.cache import cache

    cache.clear()


# Data migrations that write rows: (migration module, a model of theirs).
SEEDING_MIGRATIONS = (
    ("tenure.churn.migrations.0006_built_in_churn_policy", "churn.ChurnPolicy"),
    ("tenure.complaints.migrations.0002_seed_root_causes", "complaints.RootCause"),
    ("tenure.messaging.migrations.0003_default_templates", "messaging.MessageTemplate"),
    ("tenure.messaging.migrations.0005_statement_repayment_campaign_templates", "messaging.MessageTemplate"),
    ("tenure.messaging.migrations.0007_product_lottery_statement_education_templates", "messaging.MessageTemplate"),
    ("tenure.surveys.migrations.0003_staff_questionnaire", "surveys.Survey"),
)


@pytest.fixture(autouse=True)
def migrated_rows(request):
    """The rows the data migrations write, in place for every database test. A transactional test (a
    live server, `transaction=True`) empties every table when it ends, and under xdist's file
    scheduling a later test in the same worker would see them gone, depending on the order."""
    names = set(request.fixturenames)
    if {"transactional_db", "live_server"} & names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    elif request.node.get_closest_marker("django_db") is None:
        return
    import importlib

    from django.apps import apps

    # Every migration seeding an emptied model runs again, in order (three seed message templates).
    emptied = {model for _, model in SEEDING_MIGRATIONS if not apps.get_model(model).objects.exists()}
    for module, model in SEEDING_MIGRATIONS:
        if model in emptied:
            importlib.import_module(module).seed(apps, None)
