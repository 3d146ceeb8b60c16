"""`tenure bench pipeline --customers N [--engine duckdb|spark] [--json] [--out FILE]`.

Each phase runs in a child process with its own TENURE_HOME (a cached bank per N), so the
peak memory reported is the nightly process's own (`os.wait4` rusage), not this command's.
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
from django.core.management.base import BaseCommand, CommandError

from tenure.core.progress import print_json_summary
from tenure.lake import LAYOUT

FLOOR_PASSES = 3


def _child(args: list[str], home: Path) -> tuple[str, float, float]:
    """Run `tenure <args>` with TENURE_HOME=home; returns (stdout, seconds, peak RSS in MB)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"TENURE_HOME": str(home)}
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

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["pipeline"])
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--months", type=int, default=13)
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--out", help="also write the JSON result to this file")
        parser.add_argument("--phase", choices=["generate", "floor", "reset"], help=argparse_hidden())

    def handle(self, *args, customers, months, engine, json: bool, out, phase, **options) -> None:
        if phase:
            return self._phase(phase, customers, months)
        home = (
            Path(os.environ.get("TENURE_BENCH_HOME", settings.TENURE_HOME / "bench")) / f"pipeline-{customers}-{months}"
        )
        ready = home / ".ready"  # holds the lake layout it was written in: another layout is rewritten
        size = ["--customers", str(customers), "--months", str(months)]
        if not ready.exists() or ready.read_text() != LAYOUT:
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            _child(["bench", "pipeline", *size, "--phase", "generate"], home)
            ready.write_text(LAYOUT)
        _child(["bench", "pipeline", *size, "--phase", "reset"], home)
        floor_out, _, floor_rss = _child(["bench", "pipeline", *size, "--phase", "floor"], home)
        nightly_out, seconds, rss = _child(["nightly", "--json", "--engine", engine], home)
        floor = _last_json(floor_out)
        summary = _last_json(nightly_out)
        result = {
            "customers": customers,
            "months": months,
            "engine": engine,
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
            "cpus": os.cpu_count(),
        }
        if out:
            Path(out).write_text(_dumps(result) + "\n")
        if json:
            print_json_summary(result, self.stdout)
        else:
            self.stdout.write(_dumps(result))

    def _phase(self, phase: str, customers: int, months: int) -> None:
        from tenure.analytics.benchmark import LAST_DATE, floor_pass, write_synthetic_lake
        from tenure.analytics.models import NightlyRun
        from tenure.core.database import migrate_pending
        from tenure.ingest.models import ImportedFile
        from tenure.lake import analytics_dir

        migrate_pending()  # the bench home's own database; `tenure` migrates no database for `bench`
        if phase == "generate":
            write_synthetic_lake(customers, months)
        elif phase == "reset":
            NightlyRun.objects.all().delete()
            shutil.rmtree(analytics_dir(), ignore_errors=True)
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
