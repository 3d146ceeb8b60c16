"""`tenure import` takes the run lock of daily and nightly (issue 22, item 8; tenure/core/runlock.py):
an import and a daily never run at once, whichever starts first."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tenure.core.runlock import EXIT_BUSY
from tenure.ingest import importer
from tenure.ingest.models import ImportedFile
from tests.ingest.extract_factory import make_extract, store_snapshot
from tests.ops.test_runlock import _busy_line, first_run, lock  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_store")]

# Tries the lock from another process without waiting: "busy" or "free".
PROBE = """
import sys
from pathlib import Path
from tenure.core.runlock import RunBusy, run_lock
try:
    with run_lock("daily", path=Path(sys.argv[1])):
        print("free")
except RunBusy:
    print("busy")
"""


@pytest.fixture
def isolated_store(settings, tmp_path, key_file):
    settings.LAKE_DIR = tmp_path / "lake"
    settings.REPORT_DIR = tmp_path / "reports"


def test_an_import_while_a_daily_runs_stops_at_once_and_writes_nothing(lock, tmp_path):  # noqa: F811
    root = make_extract().write(tmp_path / "extracts")
    before = store_snapshot()
    with first_run(lock, "daily") as daily:
        with pytest.raises(CommandError) as refused:
            call_command("import_extracts", str(root), json=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert refused.value.returncode == EXIT_BUSY
    assert _busy_line(daily.pid, "daily").match(str(refused.value)), str(refused.value)
    assert store_snapshot() == before and not ImportedFile.objects.exists()


def test_a_daily_while_an_import_runs_finds_the_lock_taken(lock, tmp_path, monkeypatch):  # noqa: F811
    root = make_extract().write(tmp_path / "extracts")
    seen: list[str] = []
    real = importer.import_extracts

    def probing_import(*args, **kwargs):
        probe = [sys.executable, "-c", PROBE, str(lock)]
        seen.append(subprocess.run(probe, capture_output=True, text=True, timeout=60, check=True).stdout.strip())
        return real(*args, **kwargs)

    monkeypatch.setattr("tenure.ingest.management.commands.import_extracts.import_extracts", probing_import)
    call_command("import_extracts", str(root), json=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert seen == ["busy"]
    after = subprocess.run([sys.executable, "-c", PROBE, str(lock)], capture_output=True, text=True, timeout=60)
    assert after.stdout.strip() == "free"
    assert ImportedFile.objects.exists()


def test_wait_is_offered(capsys):
    with pytest.raises(SystemExit):
        call_command("import_extracts", "--help")
    assert "--wait" in capsys.readouterr().out
