"""Kills of the fault scorecard (bench/faults.py --kills): `tenure import`, `daily`, `nightly`,
`points earn` and `messages send` stopped with SIGKILL part-way, then run again, must leave the same
store as a run never killed, on SQLite and on PostgreSQL.

Each trial runs on a copy of one prepared home (same field key, same generated extracts; on
PostgreSQL its database copied with `CREATE DATABASE … TEMPLATE`). The kill comes at a fraction of
the clean run's wall time (so where it lands varies with the machine: the count is of trials, and
the JSON names the fractions and whether the process was still running when killed). The store
digest is the SHA-256 of each table's row count (audit log, daily-run log, sessions and lock-out
records left out: a killed run legitimately logs more, and the console shows it as interrupted),
the messages by channel and status, the points balances and the import ledger (table, date, source
digest, rows); a daily or nightly run adds the nightly outputs' digest its summary prints. A trial
whose digest differs records what differs. Messages are sent to the file outbox (no provider),
one file per message key: a message sent twice would show as a status or a count that differs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TENURE = str(Path(sys.executable).with_name("tenure"))
ROOT = Path(__file__).resolve().parent.parent
FRACTIONS = (0.2, 0.45, 0.7)
DIGEST_SCRIPT = """
import hashlib, json, django
django.setup()
from django.apps import apps
from django.db.models import Count, Sum
from tenure.ingest.models import ImportedFile
from tenure.messaging.models import Message
from tenure.points.models import PointsAccount
skip = {"core.auditentry", "sessions.session", "ops.dailyrun"}  # logs: a killed run logs more
counts = {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
          if m._meta.label_lower not in skip and m._meta.app_label != "axes" and not m._meta.proxy}
ledger = sorted(ImportedFile.objects.values_list("table", "business_date", "sha256", "rows"))
ledger = [[t, d.isoformat(), s, r] for t, d, s, r in ledger]
messages = sorted(Message.objects.values_list("channel", "status").annotate(n=Count("id")))
points = [str(v) for v in PointsAccount.objects.aggregate(*[Sum(f.name) for f in PointsAccount._meta.concrete_fields
          if f.get_internal_type() in {"IntegerField", "BigIntegerField", "DecimalField"}]).values()]
text = json.dumps({"counts": counts, "ledger": ledger, "messages": messages, "points": points}, sort_keys=True)
print(json.dumps({"digest": hashlib.sha256(text.encode()).hexdigest(), "counts": counts, "messages": messages,
                  "points": points, "ledger": len(ledger)}))
"""
# Sending without waiting for quiet hours or a per-minute rate: the run's length is its own work.
MESSAGING_ENV = {"TENURE_MESSAGING_QUIET_HOURS": "off"} | {
    f"TENURE_MESSAGING_RATE_{c}": "0" for c in ("EMAIL", "SMS", "PUSH")
}


@dataclass(frozen=True)
class Home:
    """A TENURE_HOME, and on PostgreSQL the database it uses (`server`: a URL whose database may be replaced)."""

    path: Path
    server: str | None = None
    database: str | None = None

    @property
    def url(self) -> str | None:
        return self.server.rsplit("/", 1)[0] + "/" + self.database if self.server and self.database else None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TENURE_FIELD_KEY"}}
        env |= {"TENURE_HOME": str(self.path), "DJANGO_SETTINGS_MODULE": "tenure.settings"} | MESSAGING_ENV
        return env | ({"DATABASE_URL": self.url} if self.url else {})

    def copy(self, path: Path) -> Home:
        shutil.copytree(self.path, path)
        if not self.server:
            return Home(path)
        copied = Home(path, self.server, f"{self.database}_{path.name.replace('-', '_').replace('.', '')}")
        _sql(
            self.server,
            f"DROP DATABASE IF EXISTS {copied.database}",
            f"CREATE DATABASE {copied.database} TEMPLATE {self.database}",
        )
        return copied

    def drop(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self.server:
            _sql(self.server, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")


def _sql(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _tenure(home: Home, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([TENURE, *args], env=home.env(), capture_output=True, text=True, timeout=3600, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"tenure {' '.join(args)} exited {done.returncode}: {done.stderr[-1500:]}")
    return done


def _python(home: Home, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, *args], env=home.env(), capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-1500:])
    return done


def store_digest(home: Home) -> dict:
    """The store's digest and what it is made of (to say what differs)."""
    return json.loads(_python(home, "-c", DIGEST_SCRIPT).stdout.strip().splitlines()[-1])


def _differences(clean: dict, found: dict) -> list[str]:
    """What differs between two store digests, for the trial's record."""
    diff = [f"{k}: {clean['counts'].get(k)} → {n}" for k, n in found["counts"].items() if clean["counts"].get(k) != n]
    return diff + [f"{k} differ" for k in ("messages", "points", "ledger") if clean[k] != found[k]]


def _run_digest(args: tuple[str, ...], done: subprocess.CompletedProcess) -> str | None:
    """The nightly outputs' digest a `daily` or `nightly` summary prints (None for other runs)."""
    if args[0] not in {"daily", "nightly"}:
        return None
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    nightly = summary.get("steps", {}).get("nightly") if args[0] == "daily" else summary
    return nightly.get("digest") if isinstance(nightly, dict) else None


def _killed(home: Home, after: float, *args: str) -> int:
    """Start `tenure args`, SIGKILL it after `after` seconds (unless it ended); its exit status."""
    proc = subprocess.Popen(
        [TENURE, *args], env=home.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        proc.wait(timeout=after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return proc.returncode


def _clean(source: Home, path: Path, args: tuple[str, ...], made: list[Home]) -> tuple[Home, float, dict, str | None]:
    """A copy of `source` after one clean run of `args`: the home, the run's seconds, store and run digests."""
    home = source.copy(path)
    made.append(home)
    started = time.monotonic()
    done = _tenure(home, *args)
    seconds = time.monotonic() - started
    return home, seconds, store_digest(home), _run_digest(args, done)


def _prepare(work: Path, customers: int, server: str | None, made: list[Home]) -> tuple[Home, Home, Home, Path]:
    """The homes the trials start from: keys and extracts only, a generated bank imported, a queued outbox
    (each added to `made` as soon as it exists, to be dropped even when preparing fails)."""
    tag = f"tenure_kills_{os.getpid()}"
    base = Home(work / "base", server, f"{tag}_base" if server else None)
    outbox = Home(work / "outbox", server, f"{tag}_outbox" if server else None)
    for home in (base, outbox):
        made.append(home)
        if server:
            _sql(server, f"DROP DATABASE IF EXISTS {home.database}", f"CREATE DATABASE {home.database}")
        _tenure(home, "keys", "init")
    extracts = work / "extracts"
    _tenure(base, "generate", "--customers", str(customers), "--months", "2", "--seed", "7", "--out", str(extracts))
    _python(outbox, "-m", "tests.messaging.seed_outbox", str(customers))
    imported = base.copy(work / "imported")
    made.append(imported)
    _tenure(imported, "import", str(extracts), "--json")
    return base, imported, outbox, extracts


def probe_kills(work: Path, customers: int = 300, server: str | None = None, kinds: tuple[str, ...] = ()) -> dict:
    """Every batch run killed at FRACTIONS of its clean wall time and run again (`server`: PostgreSQL)."""
    work.mkdir(parents=True, exist_ok=True)
    made: list[Home] = []
    try:
        return _trials(work, customers, _prepare(work, customers, server, made), made, kinds)
    finally:
        for home in made:
            home.drop()


def _trials(work: Path, customers: int, prepared: tuple[Home, Home, Home, Path], made: list[Home], kinds) -> dict:
    """Each run in `kinds` (every run when empty): a clean run, then one trial per fraction of its time.
    Every home made is appended to `made` (dropped by the caller)."""
    base, imported, outbox, extracts = prepared
    runs = {  # what is killed: the home it starts from, its arguments
        "import": (base, ("import", str(extracts), "--json")),
        "daily": (imported, ("daily", "--json")),
        "nightly": (imported, ("nightly", "--json")),
        "points earn": (imported, ("points", "earn", "--json")),
        "messages send": (outbox, ("messages", "send", "--json")),
    }
    trials, survived, lost, clean_seconds = [], 0, [], {}
    for kind, (source, args) in runs.items():
        if kinds and kind not in kinds:
            continue
        slug = kind.replace(" ", "-")
        clean, seconds, digest, run_digest = _clean(source, work / f"clean-{slug}", args, made)
        clean.drop()
        clean_seconds[kind] = round(seconds, 1)
        for fraction in FRACTIONS:
            home = source.copy(work / f"{slug}-{fraction}")
            made.append(home)
            status = _killed(home, seconds * fraction, *args)
            trial = {"run": kind, "at": fraction, "killed": status == -signal.SIGKILL}
            try:
                again = _tenure(home, *args)
                found, found_run = store_digest(home), _run_digest(args, again)
                same = found["digest"] == digest["digest"] and found_run == run_digest
                if not same:
                    trial["differs"] = _differences(digest, found) + (
                        ["nightly outputs' digest"] if found_run != run_digest else []
                    )
            except RuntimeError as exc:
                same, trial["error"] = False, str(exc)[-300:]
            trial["same_digest"] = same
            survived += same
            if not same:
                lost.append(f"{kind} at {fraction}")
            trials.append(trial)
            home.drop()
    return {
        "customers": customers,
        "clean_seconds": clean_seconds,
        "tried": len(trials),
        "killed": sum(t["killed"] for t in trials),
        "survived": survived,
        "not_survived": lost,
        "trials": trials,
    }


def main() -> None:
    """One probe by hand, printed as JSON (bench/faults.py --kills runs it for the scorecard)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("work", type=Path, help="an empty folder for the homes")
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL (databases are made on it)")
    parser.add_argument("--only", action="append", default=[], help="a run to kill (repeatable): import, daily, …")
    args = parser.parse_args()
    print(json.dumps(probe_kills(args.work, args.customers, args.postgres, tuple(args.only)), indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
