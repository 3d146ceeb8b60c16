"""A lost field-key file is never silently replaced (issue 22, item 1), through the `tenure` command.
The first import into an empty bank makes the key; every later one needs that same key.

A home with one imported date loses `keys/field.key`: importing the next date, the nightly run and
`tenure keys init` each refuse in one line naming the key the data uses, and write nothing (no row,
no lake file, no key file). Restoring the backed-up file brings everything back.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

TENURE = str(Path(sys.executable).with_name("tenure"))
pytestmark = pytest.mark.own_home
TABLES = ("customers_customer", "customers_account", "ingest_importedfile", "core_auditentry")


def _run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TENURE_HOME": str(home)}
    for name in ("DATABASE_URL", "TENURE_FIELD_KEY", "TENURE_FIELD_KEY_PREVIOUS"):
        env.pop(name, None)
    return subprocess.run([TENURE, *args], env=env, cwd=home, capture_output=True, text=True, timeout=600)


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.stdout


def _refused(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode != 0, result.stdout[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _counts(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "tenure.sqlite3") as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Two month-ends generated, the first date imported (the first import makes the key)."""
    home = tmp_path_factory.mktemp("lost-key")
    extracts = home / "extracts"
    _ok(_run(home, "generate", "--customers", "200", "--months", "2", "--out", str(extracts), "--json"))
    dates = sorted(p.name for p in extracts.iterdir() if p.is_dir() and p.name[:1].isdigit())
    _ok(_run(home, "import", str(extracts / dates[0]), "--json"))
    status = json.loads(_ok(_run(home, "keys", "status", "--json")))
    return home, extracts, dates, status["active"]


def test_keys_init_never_replaces_a_key(home):
    home, _, _, key_id = home
    before = (home / "keys" / "field.key").read_bytes()
    line = _refused(_run(home, "keys", "init"))
    assert "a field key exists already" in line and key_id in line
    assert (home / "keys" / "field.key").read_bytes() == before
    shown = _ok(_run(home, "keys", "status", "--json"))
    status = json.loads(shown)
    assert status["in_use"] == [key_id] and status["data_keys"] == [key_id] and len(status["index_key"]) == 8
    content = json.loads(before)
    assert not any(material in shown for material in [content["index_key"], *content["data_keys"]])  # ids only


def test_a_lost_key_file_stops_every_command_until_it_is_restored(home):
    home, extracts, dates, key_id = home
    key = home / "keys" / "field.key"
    backup = home / "field.key.backup"
    shutil.copy2(key, backup)
    key.unlink()
    counts, lake = _counts(home), _files(home / "lake")
    try:
        for args in (
            ["import", str(extracts / dates[1])],
            ["daily"],
            ["keys", "init"],
            ["keys", "status"],
            ["rotate-keys"],
        ):
            line = _refused(_run(home, *args))
            assert key_id in line and "back-up" in line, (args, line)
            assert not key.exists(), args  # no key made on the side
            assert _counts(home) == counts and _files(home / "lake") == lake, args  # nothing written
    finally:
        shutil.copy2(backup, key)  # the documented recovery: put the backed-up file back
    summary = json.loads(_ok(_run(home, "import", str(extracts / dates[1]), "--json")).strip().splitlines()[-1])
    assert summary["dates"] == {dates[1]: "imported"}
    assert json.loads(_ok(_run(home, "keys", "status", "--json")))["in_use"] == [key_id]
