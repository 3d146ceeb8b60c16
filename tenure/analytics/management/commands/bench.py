"""`tenure bench pipeline --customers N [--engine duckdb|spark] [--database-url URL] [--json] [--out FILE]`.

Each phase runs in a child process with its own TENURE_HOME (a cached bank per N), so the
peak memory reported is the nightly process's own (`os.wait4` rusage), not this command's.
After the full nightly of the bank's last date, the month after it is imported (its partitions,
written with the bank, become vouched for) and its nightly timed: `incremental_seconds` against
one pass over that date's raw files (`incremental_floor_seconds`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tenure.core.progress import print_json_summary
from tenure.ingest.summaries import VERSION as SUMMARY_VERSION
from tenure.lake import LAYOUT

FLOOR_PASSES = 3
# What a cached bench lake was written as: the lake layout, the summaries' version, the month after.
BENCH_LAKE = f"{LAYOUT}; transaction summaries v{SUMMARY_VERSION}; with the next month"


def _child(args: list[str], home: Path, database_url: str | None = None) -> tuple[str, float, float]:
    """Run `tenure <args>` with TENURE_HOME=home (and its own SQLite database, or `database_url`);
    returns (stdout, seconds, peak RSS in MB)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"TENURE_HOME": str(home)}
    if database_url:
        env["DATABASE_URL"] = database_url
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tenure.cli", *args], env=env, stdout=subprocess.PIPE)
    assert proc.stdout is not None  # stdout=PIPE
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise CommandError(f"`tenure {' '.join(args)}` failed")
    return out, seconds, usage.ru_maxrss / 1024


class Command(BaseCommand):
    help = "Benchmark the nightly pipeline on a synthetic bank of N customers (see docs/features.md)."
    # A batch job: Django's system checks would import every web view (≈ 3 s a run); `tenure serve` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["pipeline"])
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--months", type=int, default=13)
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--out", help="also write the JSON result to this file")
        parser.add_argument(
            "--database-url",
            help="publish into this PostgreSQL database (emptied when the bench bank is written) instead of the"
            " bench home's own SQLite file",
        )
        parser.add_argument("--phase", choices=["generate", "floor", "reset", "next"], help=argparse_hidden())

    def handle(self, *args, customers, months, engine, json: bool, out, phase, database_url, **options) -> None:
        if phase:
            return self._phase(phase, customers, months)
        database = "postgresql" if database_url else "sqlite"
        folder = f"pipeline-{customers}-{months}" + ("-postgresql" if database_url else "")
        home = Path(os.environ.get("TENURE_BENCH_HOME", settings.TENURE_HOME / "bench")) / folder

        def child(args: list[str]) -> tuple[str, float, float]:
            return _child(args, home, database_url)

        ready = home / ".ready"  # holds the lake layout it was written in: another layout is rewritten
        size = ["--customers", str(customers), "--months", str(months)]
        if not ready.exists() or ready.read_text() != BENCH_LAKE:
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            child(["bench", "pipeline", *size, "--phase", "generate"])
            ready.write_text(BENCH_LAKE)
        child(["bench", "pipeline", *size, "--phase", "reset"])
        floor_out, _, floor_rss = child(["bench", "pipeline", *size, "--phase", "floor"])
        nightly_out, seconds, rss = child(["nightly", "--json", "--engine", engine])
        floor = _last_json(floor_out)
        summary = _last_json(nightly_out)
        # One more business date on top, then the nightly of that date alone.
        next_out, _, _ = child(["bench", "pipeline", *size, "--phase", "next"])
        next_floor = _last_json(next_out)
        incremental_out, incremental_seconds, incremental_rss = child(
            ["nightly", "--json", "--engine", engine, "--date", next_floor["business_date"]]
        )
        incremental = _last_json(incremental_out)
        result = {
            "customers": customers,
            "months": months,
            "engine": engine,
            "database": database,
            "transactions": floor["transactions"],
            "seconds": round(seconds, 2),
            "floor_seconds": floor["floor_seconds"],
            "floor_seconds_runs": floor["floor_seconds_runs"],
            "ratio": round(seconds / floor["floor_seconds"], 2),
            "peak_rss_mb": round(rss, 1),
            "floor_peak_rss_mb": round(floor_rss, 1),
            "step_seconds": summary["seconds"],
            "tiers": summary["tiers"],
            "pyramid": summary["pyramid"],
            "top20_share": summary["top20_share"],
            "digest": summary["digest"],
            "incremental_business_date": next_floor["business_date"],
            "incremental_seconds": round(incremental_seconds, 2),
            "incremental_floor_seconds": next_floor["floor_seconds"],
            "incremental_floor_seconds_runs": next_floor["floor_seconds_runs"],
            # The goal: at most 3 × the date's own raw pass + 5 s.
            "incremental_goal_seconds": round(3 * next_floor["floor_seconds"] + 5, 2),
            "incremental_peak_rss_mb": round(incremental_rss, 1),
            "incremental_step_seconds": incremental["seconds"],
            "incremental_digest": incremental["digest"],
            "cpus": os.cpu_count(),
        }
        if out:
            Path(out).write_text(_dumps(result) + "\n")
        if json:
            print_json_summary(result, self.stdout)
        else:
            self.stdout.write(_dumps(result))

    def _phase(self, phase: str, customers: int, months: int) -> None:
        from tenure.analytics.benchmark import (
            LAST_DATE,
            NEXT_DATE,
            floor_pass,
            forget_next_date,
            vouch_next_date,
            write_synthetic_lake,
        )
        from tenure.analytics.models import NightlyRun
        from tenure.core.database import migrate_pending
        from tenure.ingest.models import ImportedFile
        from tenure.lake import analytics_dir

        migrate_pending()  # the bench home's own database; `tenure` migrates no database for `bench`
        if phase == "generate":
            if connection.vendor == "postgresql":  # the bank's rows of an earlier bench lake
                call_command("flush", interactive=False, verbosity=0)
            write_synthetic_lake(customers, months)
        elif phase == "reset":
            forget_next_date()
            NightlyRun.objects.all().delete()
            shutil.rmtree(analytics_dir(), ignore_errors=True)
        elif phase == "next":
            vouch_next_date()
            runs = [floor_pass(NEXT_DATE, only_day=True) for _ in range(FLOOR_PASSES)]
            summary = {"business_date": NEXT_DATE.isoformat(), "floor_seconds": min(runs), "floor_seconds_runs": runs}
            print_json_summary(summary, self.stdout)
        else:
            rows = ImportedFile.objects.filter(table="transactions").values_list("rows", flat=True)
            # The fastest of a few passes: one pass varied 3.5-7.0 s at 1M on a noisy machine, and
            # the ratio against the fastest is the conservative one.
            runs = [floor_pass(LAST_DATE) for _ in range(FLOOR_PASSES)]
            summary = {"floor_seconds": min(runs), "floor_seconds_runs": runs, "transactions": sum(rows)}
            print_json_summary(summary, self.stdout)


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def _dumps(value: dict) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
