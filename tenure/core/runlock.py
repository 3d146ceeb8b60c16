"""One batch run at a time per TENURE_HOME: `tenure import`, `tenure daily`, `tenure nightly`, `tenure points
earn`, `tenure demo`.

They all write the same outputs (the lake, analytics Parquet, the serving copy, published tables, the
points ledger), so two at once collide; a daily reading the lake while an import rewrites it would
build on half a date. The lock is an OS file lock (`flock`) on `settings.RUN_LOCK_FILE`:
the kernel releases it when its process ends, however it ends, so a lock left by a killed run is
stale by construction and the next run simply takes it. The file also holds who took it (command,
pid, since) for the message of a run that finds it taken; that text is informative only, the lock
is the truth.

A second run stops at once with `RunBusy` (commands exit with `EXIT_BUSY`, 75, EX_TEMPFAIL from
sysexits.h: "try again later"), or waits for the first with `wait=True` (`--wait`). Re-entrant
within a process: a run that holds the lock may call another that takes it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

EXIT_BUSY = 75  # EX_TEMPFAIL

# Locks this process holds: path -> how many nested `run_lock` blocks hold it.
_held: dict[Path, int] = {}


class RunBusy(Exception):
    """Another process holds the run lock; the message names it (command, since, pid)."""


def lock_path() -> Path:
    from django.conf import settings

    return Path(settings.RUN_LOCK_FILE)


def _holder(fd: int) -> str:
    """Who holds the lock, as its file says: "`tenure daily` is already running since …, pid …"."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        info = {}
    if not info:  # taken a moment ago, not written yet
        return "another import, daily, nightly or points run is already running"
    return (
        f"`tenure {info.get('command', '?')}` is already running since {info.get('since', '?')}, "
        f"pid {info.get('pid', '?')}"
    )


@contextmanager
def run_lock(
    command: str, *, wait: bool = False, on_wait: Callable[[str], None] | None = None, path: Path | None = None
) -> Iterator[None]:
    """Hold the run lock for the block. RunBusy when another process holds it, unless `wait`
    (then `on_wait` gets one line saying whom it waits for, and the block runs once that ends)."""
    path = Path(path or lock_path())
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes (O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise RunBusy(f"{holder} (lock {path}): this run did nothing; try again later or pass --wait") from None
            if on_wait:
                on_wait(f"waiting: {holder} (lock {path})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"command": command, "pid": os.getpid(), "since": since}).encode(), 0)
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
            os.ftruncate(fd, 0)  # released: no name left behind (a killed run leaves its own, harmlessly)
    finally:
        os.close(fd)  # closing releases the flock


def add_wait_argument(parser) -> None:
    parser.add_argument(
        "--wait",
        action="store_true",
        help=(
            "when another import, daily, nightly or points run is going on, wait for it "
            f"(default: exit {EXIT_BUSY} at once)"
        ),
    )


@contextmanager
def command_lock(command: str, *, wait: bool, stderr) -> Iterator[None]:
    """`run_lock` for a management command: busy is a one-line CommandError with exit status EXIT_BUSY."""
    from django.core.management.base import CommandError

    try:
        with run_lock(command, wait=wait, on_wait=stderr.write):
            yield
    except RunBusy as exc:
        raise CommandError(str(exc), returncode=EXIT_BUSY) from exc
