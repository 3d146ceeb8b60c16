"""The README's promise end to end, through the real command line: demo, re-run, serve."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.served import tenure_serve

TENURE = str(Path(sys.executable).with_name("tenure"))
pytestmark = pytest.mark.own_home


def _run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TENURE_HOME": str(home), "TENURE_DEMO_PASSWORD": "pw-flow-test"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([TENURE, *args], env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo-home")
    result = _run(home, "demo", "--customers", "1500", "--months", "3", "--no-serve", "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    return home, json.loads(result.stdout.strip().splitlines()[-1])


def test_demo_prepares_a_bank_with_every_demo_login(demo_home):
    home, summary = demo_home
    assert summary["logins"] == [
        "demo-admin",
        "demo-analyst",
        "demo-branch",
        "demo-rm",
        "demo-lobby",
        "demo-service",
        "demo-compliance",
    ]
    assert (home / "tenure.sqlite3").exists() and any((home / "lake" / "transactions").iterdir())


def test_second_demo_run_writes_nothing(demo_home):
    home, _ = demo_home
    result = _run(home, "import", str(home / "extracts"), "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    written = json.loads(result.stdout.strip().splitlines()[-1])["written"]
    assert written and set(written.values()) == {0}
    nightly = _run(home, "nightly", "--json")
    assert nightly.returncode == 0, nightly.stderr[-2000:]
    assert set(json.loads(nightly.stdout.strip().splitlines()[-1])["written"].values()) == {0}
    daily = _run(home, "daily", "--json")
    assert daily.returncode == 0, daily.stderr[-2000:]
    steps = json.loads(daily.stdout.strip().splitlines()[-1])["steps"]
    assert set(steps["nightly"]["written"].values()) == {0}
    assert steps["churn_alerts"]["created"] == 0 and steps["churn_alerts"]["already_open"] > 0  # deduplicated
    assert steps["churn_score"].startswith("skipped: no churn model")  # 3 months: no label window to train on
    assert not any(info["built"] for info in steps["serving"].values())
    assert set(steps["complaints_escalate"].values()) == {0}
    assert steps["points"]["business_dates"] == [] and steps["points"]["journals"] == 0  # every date earned once


def test_a_different_demo_size_in_the_same_home_is_refused(demo_home):
    home, _ = demo_home
    result = _run(home, "demo", "--customers", "1600", "--months", "3", "--no-serve")
    assert result.returncode != 0
    assert "already holds a demo bank" in result.stderr


def test_serve_answers_through_gunicorn(demo_home):
    home, _ = demo_home
    env = {**os.environ, "TENURE_HOME": str(home), "TENURE_DEMO": "1"}
    env.pop("DATABASE_URL", None)
    with tenure_serve(env, "--workers", "1") as base:
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
            assert json.load(response) == {"ok": True}
        with urllib.request.urlopen(f"{base}/accounts/login/", timeout=10) as response:
            assert response.status == 200
        assert "gunicorn" in (home / "logs" / "gunicorn.log").read_text().lower()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_page_or_export_of_any_role_shows_a_raw_code_or_an_internal_word(demo_home, language):
    """Issue 29: every role's pages (each URL shape once) and the XLSX exports they link to, read as
    a banker reads them: no code from the code lists, no internal word."""
    from tests.label_scan import code_words, crawl

    home, summary = demo_home
    env = {**os.environ, "TENURE_HOME": str(home), "TENURE_DEMO": "1"}
    env.pop("DATABASE_URL", None)
    codes = code_words(language=language)
    with tenure_serve(env, "--workers", "2") as base:
        found = {
            login: crawl(base, login, "pw-flow-test", language=language, codes=codes, limit=60)
            for login in summary["logins"]
        }
    assert all(len(pages) >= 10 for pages in found.values()), {login: len(pages) for login, pages in found.items()}
    shown = {f"{login} {url}": words for login, pages in found.items() for url, words in pages.items() if words}
    assert not shown, "\n".join(f"{where}: {words}" for where, words in shown.items())
