"""What only shows with the real server (`tenure serve`: gunicorn, three worker processes): per-IP
limits hold across the workers, and the access log never holds an identifier in clear."""

from __future__ import annotations

import os
import secrets
import urllib.error
import urllib.request

import pytest

from tests.served import tenure_serve

pytestmark = pytest.mark.own_home


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fresh home served by three workers; yields (base URL, home) and stops the server after."""
    home = tmp_path_factory.mktemp("served-home")
    env = {**os.environ, "TENURE_HOME": str(home), "TENURE_SURVEY_RATE_LIMIT": "10/600"}
    env.pop("DATABASE_URL", None)
    with tenure_serve(env, "--workers", "3", "--threads", "1") as base:
        yield base, home


def test_survey_token_limit_is_shared_by_every_worker(served):
    """30 guesses at survey tokens get exactly the configured 10 answers before 429, not 10 per worker."""
    base, home = served
    statuses = [_status(f"{base}/p/s/{secrets.token_urlsafe(16)}/") for _ in range(30)]
    booted = [line for line in (home / "logs" / "gunicorn.log").read_text().splitlines() if "Booting worker" in line]
    assert len(booted) == 3
    assert statuses == [404] * 10 + [429] * 20


def test_the_access_log_masks_identifiers_in_urls(served):
    base, home = served
    _status(f"{base}/customers/?q=13812345678&card=6222021234567890123")
    access = (home / "logs" / "access.log").read_text()
    assert "138****5678" in access and "622202*********0123" in access
    assert "13812345678" not in access and "6222021234567890123" not in access
