"""A new user's first commands: on an empty TENURE_HOME every subcommand succeeds (applying the
migrations itself) or says in one line what to run first, with a non-zero exit — never a traceback.

Each subcommand's first use runs as the `tenure` command on a fresh home of its own (a few at a
time: migrating a fresh database is most of each run). The other actions of a subcommand then meet
an empty, migrated database: those run in-process on the test database, where anything but a
CommandError would have been a traceback.
"""

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.served import tenure_serve

TENURE = str(Path(sys.executable).with_name("tenure"))
NOTHING_IMPORTED = "run `tenure import <folder>` first"

# Each subcommand's first documented use: (arguments, exit status, what it says: on stderr, in one
# line, when it fails; on stdout when it succeeds).
FIRST_USES: dict[str, tuple[list[str], int, str]] = {
    "nightly": (["nightly", "--json"], 1, NOTHING_IMPORTED),
    "daily": (["daily", "--json"], 1, NOTHING_IMPORTED),
    "churn": (["churn", "train", "--json"], 1, NOTHING_IMPORTED),
    "points": (["points", "statement", "--merchant", "M", "--month", "2026-10"], 1, "no merchant 'M'"),
    "complaints": (["complaints", "escalate", "--json"], 0, ""),
    "retention": (["retention", "lottery", "--json"], 1, NOTHING_IMPORTED),
    "surveys": (["surveys", "templates", "--json"], 0, '"created"'),
    "greetings": (["greetings", "plan", "--from", "2027-01-01", "--to", "2027-02-28", "--json"], 0, "spring_festival"),
    "tasks": (["tasks", "generate", "--json"], 1, NOTHING_IMPORTED),
    "scorecards": (["scorecards", "--month", "2026-11", "--json"], 1, NOTHING_IMPORTED),
    "offers": (["offers", "train", "--json"], 1, NOTHING_IMPORTED),
    "messages": (["messages", "send", "--json"], 0, '"sent": 0'),
    "tokens": (["tokens", "list", "--json"], 0, "["),
    "rotate-keys": (["rotate-keys"], 1, "nothing to rotate: no field key yet"),
    "keys": (["keys", "status"], 1, "run `tenure keys init` (or `tenure demo`) first"),
    "createsuperuser": (["createsuperuser", "--noinput", "--username", "admin", "--email", "a@example.com"], 0, ""),
    "clv": (["clv", "fit", "--summary", "missing.csv", "--model", "bgnbd", "--json"], 1, "missing.csv"),
}


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "TENURE_HOME": str(home), "DJANGO_SUPERUSER_PASSWORD": "pw-fresh-home"}
    for name in ("DATABASE_URL", "TENURE_FIELD_KEY", "TENURE_FIELD_KEY_PREVIOUS"):
        env.pop(name, None)
    return env


def _run(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([TENURE, *args], env=_env(home), cwd=home, capture_output=True, text=True, timeout=300)


def _generate_then_import(home: Path) -> tuple[subprocess.CompletedProcess, ...]:
    """The README's first commands on a tiny bank: generate, then import (which makes the field key),
    then `keys init`, which must refuse to replace it."""
    extracts = home / "extracts"
    generated = _run(home, "generate", "--customers", "300", "--months", "2", "--out", str(extracts), "--json")
    imported = _run(home, "import", str(extracts), "--json")
    return generated, imported, _run(home, "keys", "init")


EMPTY = "tokens"  # the first use run on an empty home; the others start from the database it migrated


def _first_use_twice_at_once(home: Path) -> list[subprocess.CompletedProcess]:
    """`EMPTY`'s first use started twice at once on one empty home: both find the migrations pending,
    one applies them while the other waits for it (core/database.py)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda _: _run(home, *FIRST_USES[EMPTY][0]), range(2)))


def _first_use_after(migrated: Future, template: Path, home: Path, subcommand: str) -> subprocess.CompletedProcess:
    """A subcommand's first use on a home holding a copy of `template`'s database, migrated and empty:
    what `tenure` does on a fresh home before any subcommand (migrating) is the same for all."""
    migrated.result()
    shutil.copy(template / "tenure.sqlite3", home / "tenure.sqlite3")
    return _run(home, *FIRST_USES[subcommand][0])


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """Every first use, two at a time: (home, future) by subcommand. The README's commands and `EMPTY`
    run on empty homes, the others on a copy of the database `EMPTY` migrated (migrating a fresh
    database is most of a run)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        homes = {name: tmp_path_factory.mktemp(f"fresh-{name}") for name in ["readme", *FIRST_USES]}
        runs = {"readme": (homes["readme"], pool.submit(_generate_then_import, homes["readme"]))}
        migrated = pool.submit(_first_use_twice_at_once, homes[EMPTY])
        runs[EMPTY] = (homes[EMPTY], migrated)
        for name in FIRST_USES.keys() - {EMPTY}:
            runs[name] = (homes[name], pool.submit(_first_use_after, migrated, homes[EMPTY], homes[name], name))
        yield runs


@pytest.mark.own_home
@pytest.mark.parametrize("subcommand", FIRST_USES)
def test_first_use_on_a_fresh_home(fresh, subcommand):
    args, status, says = FIRST_USES[subcommand]
    home, future = fresh[subcommand]
    results = future.result()
    for result in results if isinstance(results, list) else [results]:
        _assert_first_use(result, status, says)
    assert not (home / "keys").exists()  # neither migrating nor a refusal makes an encryption key


def _assert_first_use(result: subprocess.CompletedProcess, status: int, says: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == status, result.stderr[-3000:]
    if status:
        assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr, result.stderr
    else:
        assert says in result.stdout, result.stdout


@pytest.mark.own_home
def test_help_creates_no_database(tmp_path):
    result = _run(tmp_path, "import", "--help")
    assert result.returncode == 0 and "path" in result.stdout
    assert not (tmp_path / "tenure.sqlite3").exists()


@pytest.mark.own_home
def test_readme_generate_then_import(fresh):
    generated, imported, init_again = fresh["readme"][1].result()
    key_file = fresh["readme"][0] / "keys" / "field.key"
    assert generated.returncode == 0, generated.stderr[-3000:]
    assert imported.returncode == 0, imported.stderr[-3000:]
    summary = json.loads(imported.stdout.strip().splitlines()[-1])
    assert list(summary["dates"].values()) == ["imported", "imported"] and summary["written"]["customers"] > 0
    # The first import into an empty bank is its first set-up: it makes the key and says to back it up.
    assert key_file.exists() and f"Created the field key {key_file}" in imported.stderr
    assert "Back it up" in imported.stderr
    assert init_again.returncode != 0 and "a field key exists already" in init_again.stderr


@pytest.mark.own_home
def test_serve_on_a_fresh_home_answers_a_login(tmp_path):
    with tenure_serve(_env(tmp_path), "--workers", "1", cwd=tmp_path) as base:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = f"{base}/accounts/login/"
        page = browser.open(login, timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong"})
        with browser.open(urllib.request.Request(login, data=form.encode(), headers={"Referer": login})) as response:
            assert response.status == 200  # the form again, with its error: the staff table exists


# The other actions on an empty, migrated database: (arguments, CommandError message or None).
THEN: list[tuple[list[str], str | None]] = [
    (["import_extracts", "/nonexistent"], "/nonexistent is not a folder"),
    (["build_serving"], None),
    (["churn", "score"], NOTHING_IMPORTED),
    (["churn", "alerts"], NOTHING_IMPORTED),
    (["churn", "evaluate", "--dataset", "missing.csv", "--target", "churned", "--positive", "1"], "missing.csv"),
    (["points", "earn"], NOTHING_IMPORTED),
    (["points", "rules"], None),
    (["complaints", "generate"], None),
    (["retention", "measure", "--campaign", "1"], "no campaign 1"),
    (["surveys", "issue", "--survey", "relationship", "--name", "2026Q1", "--out", "links.csv"], "surveys templates"),
    (["surveys", "callbacks", "--wave", "1"], "no wave 1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("args,error", THEN, ids=[" ".join(args[:2]) for args, _ in THEN])
def test_then_on_an_empty_database(args, error):
    out = StringIO()
    if error is None:
        call_command(*args, "--json", stdout=out)
        assert json.loads(out.getvalue().strip().splitlines()[-1])
    else:
        with pytest.raises(CommandError, match=re.escape(error)):
            call_command(*args, stdout=out)


@pytest.mark.django_db
def test_demo_surveys_wait_for_the_customers():
    """Demo waves made on an empty bank would count as made and never be made once customers arrive."""
    from tenure.surveys.models import Wave

    out = StringIO()
    call_command("surveys", "generate", "--json", stdout=out)
    assert json.loads(out.getvalue())["skipped"] == "no customers" and not Wave.objects.exists()
