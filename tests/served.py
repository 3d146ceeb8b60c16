"""`tenure serve` in a child process for the tests that need the real server (gunicorn workers,
its logs): started on a free port, answered `/healthz` before the test goes on, stopped after."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

TENURE = str(Path(sys.executable).with_name("tenure"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def tenure_serve(env: dict[str, str], *args: str, cwd: Path | None = None) -> Iterator[str]:
    """Serve with `env` (its TENURE_HOME) and extra `serve` arguments; yields the base URL."""
    port = free_port()
    server = subprocess.Popen(
        [TENURE, "serve", "--port", str(port), *args],
        env=env,
        cwd=cwd,
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
                assert time.monotonic() < deadline, "tenure serve did not answer within 120 s"
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
