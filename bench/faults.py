"""The fault scorecard (issue 22): the same probes every time, counted, on SQLite and PostgreSQL.

    .venv/bin/python bench/faults.py                                  # SQLite, full size
    .venv/bin/python bench/faults.py --kills --served --postgres postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/faults.py --size small                     # what `make test` runs (tests/test_faults.py)

Writes bench/results/faults.json (or --out). Each database runs in a child process on a home and a
database of its own (PostgreSQL: a database `tenure_faults_<pid>` made on that server and dropped
after). Probes, all on the tiny bank of the tests (tests/factories.py) and through the tests' own
machinery:

* foreign records reachable: every route and API route, GET and POST, with a foreign customer's,
  account's and holding's ids, as branch roles (tests/web/test_every_route_is_scoped.py); a
  reachable record is a 2xx/3xx answer on a route with ids, or the foreign customer shown anywhere;
* clear identifiers: every identifier of the tiny bank searched for in every page without a URL
  parameter, the 360° pages and the exports (CSV, and XLSX unzipped), for each role; in the lines
  Tenure's log gained meanwhile; and in every text column of every table;
* 5xx under fuzz: every route x every parameter the code reads, hostile values
  (tests/web/test_hostile_routes.py), GET and POST;
* corrupted imports: handled out of tried (bench/fault_imports.py);
* concurrent runs: `import`, `daily`, `nightly`, `points earn` started while another run holds the
  run lock: refused (exit 75) out of tried;
* the access log of a served run (`--served`, bench/fault_access_log.py): `tenure serve` (gunicorn) on
  the same home and database, logged in, every page and the searches requested with identifiers in
  the query string and the Referer; clear identifiers in what gunicorn logged;
* kills (`--kills`, slow, bench/fault_kills.py): `tenure import`, `daily`, `nightly`, `points earn` and
  `messages send` killed with SIGKILL at fractions of a clean run's wall time, run again: same store
  digest as the clean run (on PostgreSQL too, each trial on a copied database);
* load: the latest bench/results/web.json of bench/bench_web.py (not re-run here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the tests' machinery is imported from the checkout
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "results" / "faults.json"
SIZES = {
    # roles walked for foreign ids, roles whose pages are read, fuzz turns (index into HOSTILE, method),
    # fuzzing roles, seeds per drawn import kind
    "small": {
        "foreign_roles": ("rm_a",),
        "page_roles": ("rm_a", "analyst"),
        "fuzz_turns": ((0, "GET"),),
        "fuzz_roles": ("analyst",),
        "import_tries": 1,
    },
    "full": {
        "foreign_roles": ("rm_a", "head_a", "lobby_a", "rm_a2", "norole"),
        "page_roles": ("rm_a", "lobby_a", "head_a", "analyst", "service", "compliance", "admin"),
        "fuzz_turns": ((0, "GET"), (3, "POST"), (6, "GET"), (1, "POST"), (4, "GET"), (7, "POST")),
        "fuzz_roles": ("analyst", "head_a"),
        "import_tries": 5,
    },
}
NOT_MEASURED = [
    "schemathesis (its own test in `make test`, tests/api/test_schemathesis.py), not counted here",
]


def _client(staff):
    from django.test import Client

    client = Client(raise_request_exception=False)  # a view's exception is counted as the 500 it gives
    client.force_login(staff)
    return client


def _text(response) -> str:
    """The body as text; an XLSX (zip) as the text of its XML parts."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist() if n.endswith(".xml"))
    return raw.decode("utf-8", "replace")


def clear_identifiers() -> set[str]:
    """Every identifier of the tiny bank in clear: mobiles, resident IDs, e-mails, card and account numbers."""
    from tests.factories import CUSTOMERS
    from tests.web.test_masking import CLEAR

    found = {v for row in CUSTOMERS.values() for v in row[4:7] if v}
    return found | set(CLEAR)


def probe_foreign(bank, values: dict[str, str], roles) -> dict:
    """`values`: the foreign records' URL parameters (`ids_for(bank)`, which makes some of them)."""
    from tests.web.test_every_route_is_scoped import NO_CUSTOMER_DATA, all_routes, concrete

    foreign = bank.foreign
    leaks = (foreign.name, "136****8888", "440***********9876", "z***@example.com")
    requests, reachable, samples = 0, 0, []
    form = {"q": foreign.customer_no, "customer": foreign.customer_no, "customer_no": foreign.customer_no}
    for who in roles:
        client = _client(bank.staff[who])
        for route, name in all_routes():
            url = concrete(route, values)
            has_ids = any(v in route for v in ("<", "(?P<")) and not route.endswith("(?P<format>[a-z0-9]+)/?$")
            for method in ("get", "post"):
                response = getattr(client, method)(url, form)
                if "logout" in name:  # the walk includes the log-out routes: log in again after them
                    client = _client(bank.staff[who])
                requests += 1
                opened = has_ids and name.split(":")[-1] not in NO_CUSTOMER_DATA and response.status_code < 400
                if opened or any(leak in _text(response) for leak in leaks):
                    reachable += 1
                    samples.append(f"{who} {method.upper()} {url}: {response.status_code}")
    return {"requests": requests, "reachable": reachable, "samples": samples[:20]}


def probe_pages_and_exports(bank, roles) -> dict:
    from tests.web.test_every_route_is_scoped import all_routes

    clear = clear_identifiers()
    wang = bank.customers["wang"]
    plain = ["/" + route for route, _ in all_routes() if "<" not in route and "(?P<" not in route and "^" not in route]
    plain += ["/api/v1/customers/", "/api/v1/accounts/", "/api/v1/audit/"]
    pages = sorted({p for p in plain if "logout" not in p}) + [
        f"/customers/{wang.pk}/",
        f"/api/v1/customers/{wang.pk}/",
    ]
    counts = {"pages": [0, 0], "exports": [0, 0]}  # [responses read, clear identifiers found]
    samples = []
    for who in roles:
        client = _client(bank.staff[who])
        client.post("/customers/", {"q": "13812345678", "view": "all"})  # a search by mobile, as typed
        for url in pages:
            response = client.get(url)
            kind = "exports" if url.endswith((".csv", ".xlsx")) or "export" in url else "pages"
            text = _text(response)
            found = [c for c in clear if c in text]
            counts[kind][0] += 1
            counts[kind][1] += len(found)
            samples += [f"{who} {url}: {c[:3]}…" for c in found]
    return {kind: {"read": n, "clear_found": found} for kind, (n, found) in counts.items()} | {"samples": samples[:20]}


def log_sizes(log_dir: Path) -> dict[Path, int]:
    return {p: p.stat().st_size for p in log_dir.glob("*.log*")} if log_dir.exists() else {}


def probe_logs(log_dir: Path, before: dict[Path, int]) -> dict:
    """Clear identifiers in what Tenure's logs gained since `before` (other runs' lines are not ours)."""
    clear = clear_identifiers()
    read, found = 0, 0
    for path in sorted(log_dir.glob("*.log*")):
        with path.open("rb") as fh:
            fh.seek(before.get(path, 0))
            text = fh.read().decode("utf-8", "replace")
        read += len(text.splitlines())
        found += sum(text.count(c) for c in clear)
    return {"lines_read": read, "clear_found": found}


def probe_database() -> dict:
    """Rows with a clear identifier in any text column of any table (encrypted columns hold ciphertext).

    E-mail addresses are left out: they are no protected field (docs/security.md, "Keys": resident
    ID, mobile, account and card numbers are), masked on display but stored as they are."""
    from django.apps import apps
    from django.db import connection

    clear = sorted(c for c in clear_identifiers() if "@" not in c)
    columns, found, where = 0, 0, []
    text_types = {"CharField", "TextField", "JSONField", "SlugField", "EmailField"}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            for field in model._meta.concrete_fields:
                if field.get_internal_type() not in text_types:
                    continue
                column = connection.ops.quote_name(field.column)
                test = " OR ".join([f"CAST({column} AS TEXT) LIKE %s"] * len(clear))
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {test}", [f"%{c}%" for c in clear])
                hits = cursor.fetchone()[0]
                columns += 1
                if hits:
                    found += hits
                    where.append(f"{model._meta.db_table}.{field.column}: {hits}")
    return {"columns_read": columns, "rows_with_clear": found, "where": where}


def probe_fuzz(bank, values: dict[str, str], roles, turns) -> dict:
    from tests.web.test_every_route_is_scoped import all_routes, concrete
    from tests.web.test_hostile_routes import hostile_query, parameter_names

    names = parameter_names()
    requests, errors, samples = 0, 0, []
    for who in roles:
        client = _client(bank.staff[who])
        for route, name in all_routes():
            url = concrete(route, values)
            for turn, method in turns:
                query = hostile_query(names, turn)
                if method == "GET":
                    response = client.get(f"{url}?{query}")
                else:
                    response = client.post(url, query, content_type="application/x-www-form-urlencoded")
                if "logout" in name:  # the walk includes the log-out routes: log in again after them
                    client = _client(bank.staff[who])
                requests += 1
                if response.status_code >= 500:
                    errors += 1
                    samples.append(f"{who} {method} {url} ({name}) turn {turn}: {response.status_code}")
    return {"requests": requests, "parameters": len(names), "server_errors": errors, "samples": samples[:20]}


def probe_concurrent_runs(work: Path) -> dict:
    """Each batch command started while another run holds the lock must stop at once with exit 75."""
    from django.core.management import CommandError, call_command
    from django.test import override_settings

    from tenure.core.runlock import EXIT_BUSY
    from tests.ingest.extract_factory import make_extract
    from tests.ops.test_runlock import first_run

    extract = make_extract().write(work / "concurrent-extract")
    commands = (["import_extracts", str(extract)], ["daily"], ["nightly"], ["points", "earn"])
    lock = work / "run.lock"
    tried, refused, ran = 0, 0, []
    with override_settings(RUN_LOCK_FILE=lock), first_run(lock, "daily"):
        for args in commands:
            tried += 1
            try:
                call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
                ran.append(" ".join(args))
            except CommandError as exc:
                if exc.returncode == EXIT_BUSY:
                    refused += 1
                else:
                    ran.append(f"{' '.join(args)}: {exc}")
    return {"tried": tried, "refused": refused, "not_refused": ran}


def load_figures() -> dict:
    path = ROOT / "bench" / "results" / "web.json"
    if not path.exists():
        return {"source": None}
    web = json.loads(path.read_text())
    latency = {k: v.get("p95") for k, v in web.get("latency_ms", {}).items() if isinstance(v, dict)}
    keys = ("customers", "sessions", "gunicorn_workers", "requests", "requests_per_second", "errors")
    return {"source": "bench/results/web.json"} | {k: web.get(k) for k in keys} | {"p95_ms": latency}


def scorecard(work: Path, size: str = "small") -> dict:
    """Every in-process probe on the current database, which must be migrated, hold no bank yet and
    have a field key: the import probes first (on the empty bank), then the tiny bank's."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import override_settings

    from bench.fault_imports import probe_imports
    from tests.factories import make_bank, serving_build_all, write_lake
    from tests.web.test_every_route_is_scoped import ids_for

    plan = SIZES[size]
    seconds: dict[str, float] = {}

    def timed(name: str, probe, *args):
        started = time.monotonic()
        found = probe(*args)
        seconds[name] = round(time.monotonic() - started, 1)
        return found

    result: dict = {"imports": timed("imports", probe_imports, work, plan["import_tries"])}
    logs_before = log_sizes(Path(settings.LOG_DIR))
    with override_settings(LAKE_DIR=work / "lake", TENURE_HOME=work):
        cache.clear()
        bank = make_bank()
        write_lake()
        serving_build_all()
        values = ids_for(bank)
        result["foreign"] = timed("foreign", probe_foreign, bank, values, plan["foreign_roles"])
        result["clear_identifiers"] = timed("pages", probe_pages_and_exports, bank, plan["page_roles"])
        result["fuzz"] = timed("fuzz", probe_fuzz, bank, values, plan["fuzz_roles"], plan["fuzz_turns"])
        result["concurrent_runs"] = timed("concurrent_runs", probe_concurrent_runs, work)
    result["clear_identifiers"]["logs"] = probe_logs(Path(settings.LOG_DIR), logs_before)
    result["clear_identifiers"]["database"] = timed("database", probe_database)
    result["seconds"] = seconds
    return result


def should_be_zero(card: dict) -> dict[str, int]:
    """The counts the goal wants at 0 (handled-vs-tried shortfalls included), by name."""
    clear = card["clear_identifiers"]
    counts = {
        "foreign records reachable": card["foreign"]["reachable"],
        "clear identifiers in pages": clear["pages"]["clear_found"],
        "clear identifiers in exports": clear["exports"]["clear_found"],
        "clear identifiers in logs": clear["logs"]["clear_found"],
        "rows with clear identifiers in the database": clear["database"]["rows_with_clear"],
        "5xx under fuzz": card["fuzz"]["server_errors"],
        "corrupted imports not handled": card["imports"]["tried"] - card["imports"]["handled"],
        "concurrent runs not refused": card["concurrent_runs"]["tried"] - card["concurrent_runs"]["refused"],
    }
    if "access_log" in card:  # a probe that could not run counts as one finding, not as zero
        counts["clear identifiers in the access log of a served run"] = card["access_log"].get("clear_found", 1)
    if "kills" in card:
        kills = card["kills"]
        counts["kills not survived"] = kills["tried"] - kills["survived"] if "tried" in kills else 1
    return counts


# --- one database in a child process ---------------------------------------------------------------


def probe_served() -> dict:
    """The access log of `tenure serve` on this home and database (the tiny bank's, made by `scorecard`)."""
    from django.db import connection

    from bench.fault_access_log import probe_access_log
    from tests.factories import PASSWORD
    from tests.web.test_every_route_is_scoped import all_routes

    connection.close()  # the server's workers open their own
    plain = ["/" + route for route, _ in all_routes() if "<" not in route and "(?P<" not in route and "^" not in route]
    pages = sorted({p for p in plain if "logout" not in p})
    protected = {c for c in clear_identifiers() if "@" not in c}
    return probe_access_log(Path(os.environ["TENURE_HOME"]), protected, pages, ("head_a", PASSWORD))


def _guarded(card: dict, name: str, probe, *args) -> dict:
    """A slow probe's result, timed; a probe that could not run is recorded as such (counted as not
    measured), not allowed to lose the card of the probes that did."""
    started = time.monotonic()
    try:
        return probe(*args)
    except Exception as exc:  # noqa: BLE001 - any failure of the probe's own machinery
        return {"error": f"{type(exc).__name__}: {str(exc)[-1500:]}"}
    finally:
        card["seconds"][name] = round(time.monotonic() - started, 1)


def _worker(size: str, kills: bool, served: bool, server: str | None, kill_customers: int | None = None) -> None:
    """In a child whose environment names a fresh TENURE_HOME (and DATABASE_URL): prints the card.
    `server`: the PostgreSQL server URL the kills make their databases on (None: SQLite)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    import django

    django.setup()
    from django.db import connection

    from tenure.core import crypto
    from tenure.core.database import migrate_pending

    migrate_pending()
    crypto.create_key_file()
    home = Path(os.environ["TENURE_HOME"])
    card = scorecard(home / "work", size)
    card["database"] = connection.vendor
    if served:
        card["access_log"] = _guarded(card, "access_log", probe_served)
    if kills:
        from bench.fault_kills import probe_kills

        customers = kill_customers or (1000 if size == "full" else 300)
        card["kills"] = _guarded(card, "kills", probe_kills, home / "kills", customers, server)
    print(json.dumps(card, ensure_ascii=False))


def _run_child(size: str, database_url: str | None, kills: bool, served: bool, kill_customers: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="tenure-faults-") as home:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TENURE_FIELD_KEY"}}
        env["TENURE_HOME"] = home
        made = None
        if database_url:
            made, env["DATABASE_URL"] = _create_database(database_url)
        try:
            flags = [*(["--kills"] if kills else []), *(["--served"] if served else [])]
            flags += ["--kill-customers", str(kill_customers)] if kill_customers else []
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    "--size",
                    size,
                    *flags,
                    *(["--postgres", database_url] if database_url else []),
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
        finally:
            if made:
                _drop_database(database_url, made)
        if child.returncode != 0:
            raise SystemExit(
                f"faults: the {'PostgreSQL' if database_url else 'SQLite'} run failed:\n{child.stderr[-4000:]}"
            )
        return json.loads(child.stdout.strip().splitlines()[-1])


def _create_database(url: str) -> tuple[str, str]:
    import psycopg

    name = f"tenure_faults_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return name, url.rsplit("/", 1)[0] + "/" + name


def _drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (a server URL; a database is made)")
    parser.add_argument(
        "--kills", action="store_true", help="also kill import, daily, nightly, points earn, messages send (minutes)"
    )
    parser.add_argument("--served", action="store_true", help="also scan the access log of `tenure serve`")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (to run the two side by side)")
    parser.add_argument(
        "--kill-customers", type=int, help="customers of the bank the kills run on (default: 1,000 full, 300 small)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.size, args.kills, args.served, args.postgres, args.kill_customers)
        return
    cards = (
        {} if args.no_sqlite else {"sqlite": _run_child(args.size, None, args.kills, args.served, args.kill_customers)}
    )
    if args.postgres:
        cards["postgresql"] = _run_child(args.size, args.postgres, args.kills, args.served, args.kill_customers)
    not_measured = list(NOT_MEASURED)
    if not args.kills:
        not_measured.append("kills (run with --kills)")
    if not args.served:
        not_measured.append("the access log of a served run (run with --served)")
    if not args.postgres:
        not_measured.append("PostgreSQL (run with --postgres URL)")
    result = {
        "generated_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "size": args.size,
        "goal": "every should_be_zero count 0 on every database",
        "should_be_zero": {db: should_be_zero(card) for db, card in cards.items()},
        "databases": cards,
        "load": load_figures(),
        "not_measured": not_measured,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps(result["should_be_zero"], ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
