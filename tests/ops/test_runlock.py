"""One daily, nightly or points run at a time (issue 22, item 7; tenure/core/runlock.py).

The first run is a child process holding the lock; it says "held" once it has it and lets go when
its stdin closes (or is killed), so every step here waits on the child's own word, never on a sleep.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tenure.core.runlock import EXIT_BUSY, RunBusy, run_lock

HOLDER = """
import sys
from pathlib import Path
from tenure.core.runlock import run_lock
with run_lock(sys.argv[2], path=Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""
TENURE = str(Path(sys.executable).with_name("tenure"))
NOTHING_IMPORTED = "run `tenure import <folder>` first"


@contextmanager
def first_run(path: Path, command: str = "daily") -> Iterator[subprocess.Popen]:
    """A run holding the lock at `path` for the block (unless the block ends it)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), command], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
        proc.wait(timeout=60)


@pytest.fixture
def lock(settings, tmp_path) -> Path:
    settings.RUN_LOCK_FILE = tmp_path / "run.lock"
    return settings.RUN_LOCK_FILE


def _busy_line(pid: int, command: str = "daily") -> re.Pattern:
    return re.compile(rf"^`tenure {command}` is already running since \d{{4}}-\d\d-\d\dT[^,]+, pid {pid} \(lock ")


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["daily"], ["nightly"], ["points", "earn"]], ids=" ".join)
def test_a_second_run_stops_at_once_naming_the_first(lock, monkeypatch, args):
    for module in ("tenure.analytics.management.commands.nightly", "tenure.points.management.commands.points"):
        monkeypatch.setattr(f"{module}.latest_business_date", lambda: dt.date(2026, 10, 31))  # past "nothing imported"
    with first_run(lock) as first:
        with pytest.raises(CommandError) as refused:
            call_command(*args)
    assert refused.value.returncode == EXIT_BUSY == 75
    message = str(refused.value)
    assert _busy_line(first.pid).match(message) and "--wait" in message and "\n" not in message, message


@pytest.mark.django_db
def test_wait_runs_once_the_first_ends(lock):
    class Stderr(io.StringIO):
        def write(self, text: str) -> int:
            if text.startswith("waiting: ") and holder.stdin and not holder.stdin.closed:
                holder.stdin.close()  # the first run ends only once the second says it waits
            return super().write(text)

    stderr = Stderr()
    with first_run(lock) as holder:
        with pytest.raises(CommandError, match=re.escape(NOTHING_IMPORTED)):  # it ran: an empty database
            call_command("daily", "--wait", stderr=stderr)
    assert re.match(rf"^waiting: `tenure daily` is already running since .+, pid {holder.pid} ", stderr.getvalue())
    assert holder.returncode == 0


@pytest.mark.django_db
def test_a_killed_run_leaves_a_lock_the_next_run_takes(lock):
    with first_run(lock) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=60)
    assert f'"pid": {holder.pid}' in lock.read_text()  # its name stays behind; the OS lock does not
    with pytest.raises(CommandError, match=re.escape(NOTHING_IMPORTED)):  # not busy: it ran
        call_command("daily")
    assert lock.read_text() == ""  # released, with no name left


def test_the_lock_is_reentrant_within_a_process_and_released_after(tmp_path):
    path = tmp_path / "run.lock"
    with run_lock("demo", path=path), run_lock("daily", path=path):
        assert '"command": "demo"' in path.read_text()
    with first_run(path, "nightly") as holder:
        with pytest.raises(RunBusy, match=_busy_line(holder.pid, "nightly")):
            with run_lock("daily", path=path):
                pass


@pytest.mark.own_home
def test_the_command_line_exits_75_in_one_line(tmp_path):
    env = {**os.environ, "TENURE_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    with first_run(tmp_path / "run.lock", "points earn") as holder:
        result = subprocess.run([TENURE, "daily", "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 75, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CommandError: "), result.stderr
    assert _busy_line(holder.pid, "points earn").match(lines[0].removeprefix("CommandError: ")), lines[0]
    assert result.stdout == ""
