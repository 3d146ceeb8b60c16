"""What only shows with the real server (`tenure serve`: gunicorn, three worker processes): per-IP
limits hold across the workers, and the access log never holds an identifier in clear."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

TENURE = str(Path(sys.executable).with_name("tenure"))
pytestmark = pytest.mark.own_home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
    env = {**os.environ, "TENURE_HOME": str(home), "TENURE_SURVEY_RATE_LIMIT": "10/600"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [TENURE, "serve", "--port", str(port), "--workers", "3", "--threads", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()[-2000:] if server.stdout else ""
                assert time.monotonic() < deadline, "gunicorn did not answer within 120 s"
                time.sleep(0.3)
        yield base, home
    finally:
        server.terminate()
        server.wait(timeout=30)


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
