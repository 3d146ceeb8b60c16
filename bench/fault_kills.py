"""Kills of the fault scorecard (bench/faults.py --kills): `tenure import` and `tenure daily` stopped
with SIGKILL part-way, then run again, must leave the same store as a run never killed.

Each trial runs on a copy of one prepared SQLite home (same field key, same generated extracts).
The kill comes at a fraction of the clean run's wall time (so where it lands varies with the
machine: the count is of trials, and the JSON names the fractions). The store digest is the
SHA-256 of each table's row count (audit log, sessions and lock-out records left out: a killed run
legitimately logs more) and the import ledger (table, date, source digest, rows); a daily run adds
the nightly outputs' digest its summary prints.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

TENURE = str(Path(sys.executable).with_name("tenure"))
FRACTIONS = (0.2, 0.45, 0.7)
DIGEST_SCRIPT = """
import hashlib, json, django
django.setup()
from django.apps import apps
from tenure.ingest.models import ImportedFile
skip = {"core.auditentry", "sessions.session"}
counts = {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
          if m._meta.label_lower not in skip and m._meta.app_label != "axes" and not m._meta.proxy}
ledger = sorted(ImportedFile.objects.values_list("table", "business_date", "sha256", "rows"))
ledger = [[t, d.isoformat(), s, r] for t, d, s, r in ledger]
text = json.dumps({"counts": counts, "ledger": ledger}, sort_keys=True)
print(json.dumps({"digest": hashlib.sha256(text.encode()).hexdigest(), "counts": counts}))
"""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TENURE_FIELD_KEY"}}
    return env | {"TENURE_HOME": str(home), "DJANGO_SETTINGS_MODULE": "tenure.settings"}


def _tenure(home: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([TENURE, *args], env=_env(home), capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"tenure {' '.join(args)} exited {done.returncode}: {done.stderr[-1500:]}")
    return done


def store_digest(home: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", DIGEST_SCRIPT], env=_env(home), capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-1500:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _timed(home: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.monotonic()
    done = _tenure(home, *args)
    return time.monotonic() - started, done


def _nightly_digest(done: subprocess.CompletedProcess) -> str | None:
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    nightly = summary.get("steps", {}).get("nightly")
    return nightly.get("digest") if isinstance(nightly, dict) else None


def _killed(home: Path, after: float, *args: str) -> int:
    """Start `tenure args`, SIGKILL it after `after` seconds (unless it ended); its exit status."""
    proc = subprocess.Popen([TENURE, *args], env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return proc.returncode


def probe_kills(work: Path, customers: int = 300) -> dict:
    """Import and daily, each killed at FRACTIONS of its clean wall time and run again."""
    work.mkdir(parents=True, exist_ok=True)
    base, clean = work / "base", work / "clean"
    extracts = work / "extracts"
    _tenure(base, "keys", "init")
    _tenure(
        base,
        "generate",
        "--customers",
        str(customers),
        "--months",
        "2",
        "--seed",
        "7",
        "--out",
        str(extracts),
        "--json",
    )
    shutil.copytree(base, clean)
    import_seconds, _ = _timed(clean, "import", str(extracts), "--json")
    imported = store_digest(clean)["digest"]
    after_import = work / "after-import"
    shutil.copytree(clean, after_import)
    daily_seconds, daily = _timed(clean, "daily", "--json")
    daily_digest, nightly_digest = store_digest(clean)["digest"], _nightly_digest(daily)
    trials, survived, lost = [], 0, []
    for kind, source, seconds in (("import", base, import_seconds), ("daily", after_import, daily_seconds)):
        for fraction in FRACTIONS:
            home = work / f"{kind}-{fraction}"
            shutil.copytree(source, home)
            args = ("import", str(extracts), "--json") if kind == "import" else ("daily", "--json")
            status = _killed(home, seconds * fraction, *args)
            trial = {"run": kind, "at": fraction, "killed": status == -signal.SIGKILL}
            try:
                again = _tenure(home, *args)
                same = store_digest(home)["digest"] == (imported if kind == "import" else daily_digest)
                if kind == "daily":
                    same = same and _nightly_digest(again) == nightly_digest
            except RuntimeError as exc:
                same, trial["error"] = False, str(exc)[-300:]
            trial["same_digest"] = same
            survived += same
            if not same:
                lost.append(f"{kind} at {fraction}")
            trials.append(trial)
            shutil.rmtree(home, ignore_errors=True)
    return {
        "customers": customers,
        "clean_seconds": {"import": round(import_seconds, 1), "daily": round(daily_seconds, 1)},
        "tried": len(trials),
        "killed": sum(t["killed"] for t in trials),
        "survived": survived,
        "not_survived": lost,
        "trials": trials,
    }
