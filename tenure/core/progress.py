"""Progress bars on a terminal (stderr), silence otherwise; JSON summaries on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Progress(Protocol):
    def advance(self, amount: float = 1) -> None: ...
    def describe(self, text: str) -> None: ...


class _Silent:
    def advance(self, amount: float = 1) -> None:
        pass

    def describe(self, text: str) -> None:
        pass


class _RichTask:
    def __init__(self, bar, task_id) -> None:
        self._bar, self._task = bar, task_id

    def advance(self, amount: float = 1) -> None:
        self._bar.advance(self._task, amount)

    def describe(self, text: str) -> None:
        self._bar.update(self._task, description=text)


@contextmanager
def progress(description: str, total: float | None, *, enabled: bool = True) -> Iterator[Progress]:
    """A bar on stderr when it is a terminal and `enabled`; a no-op otherwise (CI, pipes, --json)."""
    if not (enabled and sys.stderr.isatty()):
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with RichProgress(*columns, console=Console(stderr=True), transient=False) as bar:
        yield _RichTask(bar, bar.add_task(description, total=total))


def print_json_summary(summary: dict[str, Any], stream=None) -> None:
    """One line of JSON, the last thing a `--json` command prints."""
    stream = stream or sys.stdout
    stream.write(json.dumps(summary, ensure_ascii=False, default=str, sort_keys=True) + "\n")
    stream.flush()
