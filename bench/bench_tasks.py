"""Benchmark the RM's tasks: `tasks_generate(day)` over a whole bank, and the workbench page.

    .venv/bin/python bench/bench_tasks.py                      # 1,000,000 customers (builds once, then measures)
    .venv/bin/python bench/bench_tasks.py --customers 20000    # a quick run (seconds)

Build (once per size, in a child process so the measuring process's peak RSS is its own; kept
under --home, default /tmp/bench-tasks-<N>): `tenure`'s own migrations on a fresh SQLite
TENURE_HOME, then bulk inserts of a synthetic bank (encrypted fields left blank): 1 head office,
4 branches, 40 sub-branches with a branch head each, one RM per ≈2,000 assigned customers, and
`bench-rm` with exactly 2,000 customers; N customers with birth dates (10 % by the lunar
calendar, 40 % with marketing and SMS consent) and a `CustomerValue` each in a realistic mix
(tiers: 0.1 % diamond, 0.3 % black-gold, 3 % platinum, 12 % gold, the rest standard; levels about
1 % key, 19 % important, 30 % ordinary, 50 % small; premium tiers all in an RM's book, 40 % of the
standard ones), a past contact for 20 % of the book (a tenth with a follow-up date), competitor
holdings maturing around the day for 3 % of customers, open churn alerts for 0.5 %.
A kept home is reused as built: delete it when a migration it ran was since edited in place.

Measured, in this process:

* ``baseline``: one bare SQL pass reading the columns generation starts from (value rows joined to
  customers: number, tier, level, RM, branch), fetched into Python (the floor);
* ``generate_first``: `tasks_generate(day)` on the bank with no tasks (wall, CPU, peak RSS);
* ``generate_again``: the same date again (must create nothing);
* ``pages``: `bench-rm`'s open tasks topped up to 300, then Django's test `Client` in-process
  (`force_login`), warm-up, then --requests GETs each of `/` (the workbench), `/work/tasks/` and,
  for comparison, a sub-branch head's home `/` (the team roll-up) and the baseline `/healthz`:
  p50/p95/max in ms.

Goals (issue 23): generation for 1M ≤ 60 s; the workbench p95 ≤ 150 ms for an RM with 2,000
customers and 300 open tasks. Prints one JSON document and writes it to
bench/results/tasks-<N>.json (1M: tasks-1m.json; or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RM_BOOK = 2000  # customers of `bench-rm`
OPEN_TASKS = 300  # open tasks of `bench-rm` for the page measurement
BRANCHES, SUBS_PER_BRANCH = 4, 10
CUSTOMERS_PER_RM = 2000
GOAL_GENERATE_1M_S = 60
GOAL_WORKBENCH_P95_MS = 150
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _django(home: Path) -> None:
    os.environ["TENURE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)  # SQLite in the home
    os.environ["DJANGO_SETTINGS_MODULE"] = "tenure.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _tier_level(rng: random.Random) -> tuple[str, str]:
    u = rng.random()
    v = rng.random()
    if u < 0.001:
        return "diamond", "key"
    if u < 0.004:
        return "black_gold", "key"
    if u < 0.034:
        return "platinum", "key" if v < 0.10 else "important" if v < 0.90 else "ordinary"
    if u < 0.154:
        return "gold", "key" if v < 0.03 else "important" if v < 0.53 else "ordinary" if v < 0.93 else "small"
    return "standard", "important" if v < 0.124 else "ordinary" if v < 0.418 else "small"


def build(home: Path, customers: int, day: dt.date, seed: int) -> dict:
    """Migrate a fresh home and bulk-insert the synthetic bank (see the module docstring)."""
    home.mkdir(parents=True, exist_ok=True)
    _django(home)
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from tenure.core.calendar import holidays_seed
    from tenure.core.database import migrate_pending
    from tenure.org.models import Branch, Role, Staff
    from tenure.org.services import branch_paths_rebuild, roles_ensure

    started = time.perf_counter()
    migrate_pending()
    holidays_seed()
    timings = {"migrate": round(time.perf_counter() - started, 1)}
    started = time.perf_counter()
    rng = random.Random(seed)
    Branch.objects.create(code="HO", name="总行", level="head_office")
    subs: list[str] = []
    for b in range(BRANCHES):
        Branch.objects.create(code=f"B{b:02d}", parent_id="HO", name=f"第{b + 1}分行", level="branch")
        for s in range(SUBS_PER_BRANCH):
            code = f"S{b:02d}{s:02d}"
            Branch.objects.create(
                code=code, parent_id=f"B{b:02d}", name=f"第{b + 1}分行第{s + 1}支行", level="sub_branch"
            )
            subs.append(code)
    branch_paths_rebuild()
    password = make_password("bench-Tenure-2026!")
    groups = roles_ensure()

    def staff(username: str, branch: str, employee_no: str, name: str) -> Staff:
        return Staff(
            username=username,
            password=password,
            home_branch_id=branch,
            employee_no=employee_no,
            full_name=name,
            must_change_password=False,
        )

    heads = [staff(f"head-{code}", code, f"H{code}", f"行长{code}") for code in subs]
    n_rms = max(len(subs), (customers - RM_BOOK) // 2 // CUSTOMERS_PER_RM)
    rms = [staff("bench-rm", subs[0], "R00000", "基准客户经理")]
    rms += [staff(f"rm-{i:05d}", subs[i % len(subs)], f"R{i:05d}", f"客户经理{i}") for i in range(1, n_rms + 1)]
    Staff.objects.bulk_create(heads + rms, batch_size=500)
    saved = {s.username: s for s in Staff.objects.all()}
    through = Staff.groups.through
    through.objects.bulk_create(
        [through(staff_id=saved[s.username].pk, group_id=groups[Role.BRANCH_HEAD].pk) for s in heads]
        + [through(staff_id=saved[s.username].pk, group_id=groups[Role.RM].pk) for s in rms]
    )
    rm_rows = [(saved[s.username].pk, s.employee_no, s.home_branch_id) for s in rms[1:]]
    bench_rm = (saved["bench-rm"].pk, "R00000", subs[0])
    rms_of_sub: dict[str, list[tuple[int, str, str]]] = {}
    for row in rm_rows:
        rms_of_sub.setdefault(row[2], []).append(row)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_product (code, name, product_type, risk_rating, issuer)"
            " VALUES ('X-ICBC', '工银理财', 'wealth', 'R2', 'ICBC')"
        )
    customer_sql = (
        "INSERT INTO customers_customer (id, customer_no, customer_type, name, gender, birth_date, lunar_birthday,"
        " id_number, id_number_bidx, mobile, mobile_bidx, email, address, city, occupation, risk_tolerance,"
        " consent_sms, consent_email, consent_phone, consent_push, consent_marketing, consent_profiling,"
        " onboarded_on, updated_on, branch_code, rm_employee_no, name_initials, name_pinyin)"
        " VALUES (?, ?, 'personal', ?, 'U', ?, ?, '', '', '', '', '', '', '', '', 'C3',"
        " ?, 0, 1, 0, ?, 1, ?, ?, ?, ?, '', '')"
    )
    value_sql = (
        "INSERT INTO analytics_customervalue (config_version, branch_code, aum, aum_change_1m, avg_daily_aum_3m,"
        " product_count, last_transaction_on, frequency_90d, has_payroll, next_competitor_maturity, asset_tier,"
        " previous_tier, downgrade_warning, contribution, contribution_rank, value_level, branch_value_level,"
        " potential_score, likely_tier_riser, likely_level_riser, suggestion, loss_making, customer_no)"
        " VALUES (1, ?, ?, NULL, ?, 2, NULL, 10, 0, NULL, ?, ?, 0, ?, ?, ?, ?, 0.0, 0, 0, 'maintain', 0, ?)"
    )
    interaction_sql = (
        "INSERT INTO contacts_interaction"
        " (channel, summary, next_step, follow_up_on, created_at, customer_id, staff_id)"
        " VALUES (?, 'bench', ?, ?, ?, ?, ?)"
    )
    holding_sql = (
        "INSERT INTO customers_externalholding (holding_id, amount, bought_on, maturity_date, updated_on,"
        " customer_no, product_code) VALUES (?, ?, ?, ?, ?, ?, 'X-ICBC')"
    )
    alert_sql = (
        "INSERT INTO churn_alert (cause, severity, detail, business_date, probability, contribution, value_at_risk,"
        " due_on, status, outcome, note, created_at, customer_id, owner_id, policy)"
        " VALUES ('aum_drop', 'high', 'AUM down 40 % in a month', ?, 0.8, 5000, ?, ?, 'open', '', '', ?, ?, ?, '')"
    )
    aum_of = {"diamond": 30e6, "black_gold": 8e6, "platinum": 2e6, "gold": 6e5, "standard": 5e4}
    counts = {"tiers": {}, "levels": {}, "in_a_book": 0, "interactions": 0, "holdings": 0, "alerts": 0}
    batch: dict[str, list] = {"c": [], "v": [], "i": [], "h": [], "a": []}
    sqls = {"c": customer_sql, "v": value_sql, "i": interaction_sql, "h": holding_sql, "a": alert_sql}

    def flush() -> None:
        with connection.cursor() as cursor:
            for name in "cvhia":
                if batch[name]:
                    cursor.executemany(sqls[name], batch[name])
                    batch[name] = []

    day_s = day.isoformat()
    with transaction.atomic():
        for i in range(customers):
            pk = i + 1
            number = f"C{pk:08d}"
            tier, level = _tier_level(rng)
            counts["tiers"][tier] = counts["tiers"].get(tier, 0) + 1
            counts["levels"][level] = counts["levels"].get(level, 0) + 1
            if i < RM_BOOK:
                rm: tuple[int, str, str] | None = bench_rm
                branch = bench_rm[2]
            else:
                branch = subs[rng.randrange(len(subs))]
                assigned = tier != "standard" or rng.random() < 0.4
                rm = rng.choice(rms_of_sub[branch]) if assigned and rms_of_sub.get(branch) else None
            counts["in_a_book"] += rm is not None
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(18262))
            consent = rng.random() < 0.4
            onboarded = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9131))
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            batch["c"].append(
                (pk, number, name, birth.isoformat(), rng.random() < 0.1, consent, consent, onboarded.isoformat(),
                 day_s, branch, rm[1] if rm else None)
            )  # fmt: skip
            aum = round(aum_of[tier] * (0.5 + rng.random()), 2)
            batch["v"].append(
                (branch, str(aum), str(aum), tier, tier, str(round(aum * 0.01, 2)), pk, level, level, number)
            )
            if rm is not None and rng.random() < 0.2:
                at = dt.datetime.combine(day - dt.timedelta(days=rng.randrange(1, 120)), dt.time(2, 30))
                follow = (day + dt.timedelta(days=rng.randrange(-3, 10))).isoformat() if rng.random() < 0.1 else None
                channel = rng.choice(("phone", "phone", "visit", "message"))
                batch["i"].append((channel, "回访" if follow else "", follow, at.isoformat(" "), pk, rm[0]))
                counts["interactions"] += 1
            if rng.random() < 0.03:
                maturity = day + dt.timedelta(days=rng.randrange(-10, 60))
                bought = maturity - dt.timedelta(days=365)
                amount = str(round(rng.uniform(5e4, 1e6), 2))
                batch["h"].append((f"H{pk:08d}", amount, bought.isoformat(), maturity.isoformat(), day_s, number))
                counts["holdings"] += 1
            if rng.random() < 0.005:
                batch["a"].append(
                    (day_s, round(aum * 0.3, 2), (day + dt.timedelta(days=3)).isoformat(),
                     dt.datetime.combine(day, dt.time(1)).isoformat(" "), pk, rm[0] if rm else None)
                )  # fmt: skip
                counts["alerts"] += 1
            if len(batch["c"]) >= 50000:
                flush()
        flush()
    timings["insert"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "customers": customers,
        "rms": len(rms),
        "branch_heads": len(heads),
        "mix": counts,
        "build_seconds": timings,
    }


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return {
        "n": len(ordered),
        "min_ms": round(ordered[0], 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
    }


def measure_pages(day: dt.date, requests: int) -> dict:
    """bench-rm's open tasks topped up to 300, then the pages timed through Django's test client."""
    from django.test import Client
    from django.utils import timezone

    from tenure.customers.models import Customer
    from tenure.engagement.models import Source, Task, TaskStatus
    from tenure.org.models import Staff

    rm = Staff.objects.get(username="bench-rm")
    today = timezone.localdate()
    have = Task.objects.filter(owner=rm, status=TaskStatus.OPEN).count()
    book = list(Customer.objects.filter(rm=rm).order_by("pk").values_list("customer_no", flat=True))
    extra = [
        Task(
            key=f"bench:{n}",
            source=Source.FOLLOW_UP,
            customer_id=book[n % len(book)],
            owner=rm,
            title="回访",
            due_on=today + dt.timedelta(days=n % 14 - 7),
            priority=35,
            created_on=today,
        )
        for n in range(max(0, OPEN_TASKS - have))
    ]
    Task.objects.bulk_create(extra)
    # More than 300 generated: the latest-due ones beyond 300 are set aside (closed at source).
    surplus = list(
        Task.objects.filter(owner=rm, status=TaskStatus.OPEN).order_by("-due_on", "-pk").values_list("pk", flat=True)
    )[: max(0, have - OPEN_TASKS)]
    Task.objects.filter(pk__in=surplus).update(status=TaskStatus.CLOSED_AT_SOURCE)
    open_tasks = Task.objects.filter(owner=rm, status=TaskStatus.OPEN).count()
    head = Staff.objects.get(username=f"head-{rm.home_branch_id}")
    results: dict = {
        "rm": {"customers": len(book), "open_tasks": open_tasks, "today_and_overdue": Task.objects.filter(
            owner=rm, status=TaskStatus.OPEN, due_on__lte=today).count()},
        "branch_head": {"customers": Customer.objects.filter(branch_id=rm.home_branch_id).count()},
    }  # fmt: skip
    clients = {"rm": Client(), "head": Client(), "anon": Client()}
    clients["rm"].force_login(rm)
    clients["head"].force_login(head)
    pages = {
        "healthz": ("anon", "/healthz"),
        "workbench": ("rm", "/"),
        "task_list": ("rm", "/work/tasks/"),
        "branch_head_home": ("head", "/"),
    }
    samples: dict[str, list[float]] = {name: [] for name in pages}
    cpu: dict[str, list[float]] = {name: [] for name in pages}  # this process's CPU: what load does not inflate
    for name, (who, path) in pages.items():  # warm-up: caches, templates, first queries
        for _ in range(3):
            response = clients[who].get(path)
            assert response.status_code == 200, (name, response.status_code)
    for _ in range(requests):  # interleaved, so a busy stretch of the machine hits every page alike
        for name, (who, path) in pages.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            response = clients[who].get(path)
            samples[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
    results["latency"] = {name: _percentiles(values) for name, values in samples.items()}
    results["cpu"] = {name: _percentiles(values) for name, values in cpu.items()}
    for quantile in ("p50", "p95"):
        base = results["latency"]["healthz"][f"{quantile}_ms"]
        results[f"latency_ratio_{quantile}_to_healthz"] = {
            name: round(v[f"{quantile}_ms"] / base, 1) for name, v in results["latency"].items() if name != "healthz"
        }
    return results


def measure(home: Path, day: dt.date, requests: int) -> dict:
    _django(home)
    from django.db import connection

    from tenure.engagement.models import Task
    from tenure.engagement.tasks import tasks_generate

    Task.objects.all().delete()  # a re-run on a kept home starts from no tasks
    connection.close()

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT v.customer_no, v.asset_tier, v.value_level, c.rm_employee_no, c.branch_code"
                " FROM analytics_customervalue v JOIN customers_customer c ON c.customer_no = v.customer_no"
            )
            return len(cursor.fetchall())

    rows, base_wall, base_cpu = _timed(baseline)
    first, first_wall, first_cpu = _timed(lambda: tasks_generate(day))
    rss_first = _rss_mb()
    print(f"generate (first): {first_wall} s wall, {first_cpu} s CPU, baseline {base_wall} s", file=sys.stderr)
    again, again_wall, again_cpu = _timed(lambda: tasks_generate(day))
    created_again = sum(again["created"].values())
    print(f"generate (again): {again_wall} s wall, {again_cpu} s CPU, created {created_again}", file=sys.stderr)
    try:
        pages = measure_pages(day, requests)
    except Exception as exc:  # a page broken by unrelated work in progress: keep the generation's numbers
        pages = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    return {
        "business_date": day.isoformat(),
        "baseline": {"rows": rows, "seconds": base_wall, "cpu_seconds": base_cpu},
        "generate_first": {
            "seconds": first_wall,
            "cpu_seconds": first_cpu,
            "ratio_to_baseline": round(first_wall / base_wall, 1) if base_wall else None,
            "cpu_ratio_to_baseline": round(first_cpu / base_cpu, 1) if base_cpu else None,
            "peak_rss_mb": rss_first,
            "summary": first,
            "tasks": Task.objects.count(),
        },
        "generate_again": {
            "seconds": again_wall,
            "cpu_seconds": again_cpu,
            "created": created_again,
            "summary": again,
            "peak_rss_mb": _rss_mb(),
        },
        "pages": pages,
    }


def default_day() -> dt.date:
    """The latest Chinese working day up to today (escalation runs on working days only)."""
    from django.utils import timezone

    from tenure.core.calendar import is_working_day

    day = timezone.localdate()
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path, help="default /tmp/bench-tasks-<N> (built once, then reused)")
    parser.add_argument("--day", type=dt.date.fromisoformat, help="business date (default: latest working day)")
    parser.add_argument("--requests", type=int, default=60, help="timed GETs per page after warm-up")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    home = args.home or Path(f"/tmp/bench-tasks-{args.customers}")
    marker = home / "bench-tasks-built.json"
    if args.build_only:
        info = build(home, args.customers, args.day, args.seed)
        marker.write_text(json.dumps(info))
        return
    _django(home)
    from tenure.core.calendar import holidays_seed
    from tenure.core.database import migrate_pending

    migrate_pending()  # the working-day calendar is in the database
    holidays_seed()
    day = args.day or default_day()
    if marker.exists() and json.loads(marker.read_text()).get("business_date") != day.isoformat():
        raise SystemExit(f"{home} was built for another business date: remove it or pass --day")
    if not marker.exists():
        print(f"building {args.customers:,} customers under {home}", file=sys.stderr)
        started = time.perf_counter()
        cmd = [sys.executable, __file__, "--build-only", "--customers", str(args.customers), "--home", str(home)]
        subprocess.run([*cmd, "--day", day.isoformat(), "--seed", str(args.seed)], check=True, cwd=ROOT)
        info = json.loads(marker.read_text())
        info["business_date"] = day.isoformat()
        info["build_wall_seconds"] = round(time.perf_counter() - started, 1)
        marker.write_text(json.dumps(info))
    bank = json.loads(marker.read_text())
    result = {
        "benchmark": "tasks",
        "bank": bank,
        **measure(home, day, args.requests),
        "goals": {"generate_1m_seconds": GOAL_GENERATE_1M_S, "workbench_p95_ms": GOAL_WORKBENCH_P95_MS},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
    }
    out = args.out or ROOT / "bench" / "results" / (
        "tasks-1m.json" if args.customers == 1_000_000 else f"tasks-{args.customers // 1000}k.json"
    )
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
