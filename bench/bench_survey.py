"""Benchmark the public survey page: concurrent respondents against `tenure serve` on loopback.

    .venv/bin/python bench/bench_survey.py                                # 50 respondents, 1,000 invitations
    .venv/bin/python bench/bench_survey.py --respondents 20 --invitations 200

Preparation (once per --home, default var/bench-survey): `tenure migrate`, `tenure surveys
templates` and --invitations synthetic customers with SMS consent. Each run then issues a fresh
wave of the NPS and loyalty survey (`tenure surveys issue`, frequency cap off) whose link file
holds the tokens, starts `tenure serve` (gunicorn, as in production) and lets --respondents
threads answer the links between them (a bounded run: each link once): GET the page, then POST
the answers as a phone's browser would (cookie + CSRF token, no JavaScript).

Measured: wall latency per request on the client (ms, p50/p95/p99/max) for GET and POST, errors
(any non-200, or a POST not answered with the thank-you page), and lost answers: responses
stored in the database for the wave, counted afterwards, against answers sent and acknowledged.
All requests come from 127.0.0.1, so the per-IP rate limit is raised for the run
(TENURE_SURVEY_RATE_LIMIT); respondents on their own phones each have their own address.
Prints one JSON document and writes bench/results/survey.json (or --out).
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import json
import os
import platform
import random
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import percentile, run, serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TENURE = [sys.executable, "-m", "tenure.cli"]

SETUP_SCRIPT = """
import datetime as dt
from tenure.core.crypto import blind_index
from tenure.customers.models import Customer
from tenure.org.models import Branch
from tenure.org.services import branch_paths_rebuild
Branch.objects.get_or_create(code="HO", defaults={"name": "总行", "level": "head_office"})
Branch.objects.get_or_create(code="B01", defaults={"name": "北京分行", "level": "branch", "parent_id": "HO"})
branch_paths_rebuild()
have = Customer.objects.count()
rows = []
for n in range(have, %(count)d):
    mobile = f"139{n:08d}"
    rows.append(Customer(customer_no=f"SV{n:07d}", customer_type="personal", name="测试客户", mobile=mobile,
                         mobile_bidx=blind_index("mobile", mobile), consent_sms=True, onboarded_on=dt.date(2020, 1, 1),
                         branch_id="B01", updated_on=dt.date(2026, 1, 1)))
Customer.objects.bulk_create(rows, batch_size=1000)
"""

COUNT_SCRIPT = """
from tenure.surveys.models import Response
print(Response.objects.filter(wave_id=%(wave)d).count())
"""

FIELD = re.compile(r'name="(q\d+)" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def prepare(home: Path, invitations: int, env: dict) -> None:
    marker = home / "bench-prepared.json"
    if marker.exists() and json.loads(marker.read_text()).get("customers", 0) >= invitations:
        return
    run([*TENURE, "migrate", "--noinput"], env, "migrate")
    run([*TENURE, "surveys", "templates", "--json"], env, "templates")
    run([*TENURE, "shell", "-c", SETUP_SCRIPT % {"count": invitations}], env, "customers")
    marker.write_text(json.dumps({"customers": invitations}))


def answer_one(base: str, url: str, rng: random.Random, timings: dict, errors: list) -> bool:
    """One respondent on one link: GET the page, POST an answer to every rating/choice question."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    path = urllib.parse.urlparse(url).path

    def call(kind: str, data: dict | None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(base + path, data=body)
        if data is not None:
            req.add_header("Referer", base + path)
            req.add_header("Origin", base)
        started = time.perf_counter()
        try:
            with opener.open(req, timeout=60) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        except Exception as exc:  # resets and timeouts count as errors, with their latency
            status, text = 0, repr(exc)
        timings[kind].append((time.perf_counter() - started) * 1000)
        return status, text

    status, page = call("get", None)
    token = CSRF.search(page)
    if status != 200 or token is None:
        errors.append({"kind": "get", "status": status, "body": page[:200]})
        return False
    choices: dict[str, list[str]] = {}
    for name, value in FIELD.findall(page):
        choices.setdefault(name, []).append(value)
    data = {name: rng.choice(values) for name, values in choices.items()}
    data["csrfmiddlewaretoken"] = token.group(1)
    status, page = call("post", data)
    if status != 200 or 'data-testid="survey-thanks"' not in page or "survey-errors" in page:
        errors.append({"kind": "post", "status": status, "body": page[:200]})
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=50, help="concurrent respondents (threads)")
    parser.add_argument("--invitations", type=int, default=1000, help="links answered in the run (each once)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "survey.json")
    args = parser.parse_args()

    home = (args.home or ROOT / "var" / "bench-survey").resolve()
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TENURE_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "tenure.settings",
        "TENURE_SURVEY_RATE_LIMIT": "1000000/60",
    }
    for name in ("DATABASE_URL", "TENURE_DEMO", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    prepare(home, args.invitations, env)
    links_file = home / "bench-links.csv"
    issue = [
        *TENURE,
        "surveys",
        "issue",
        "--survey",
        "nps-loyalty",
        "--name",
        f"bench {time.time():.0f}",
        "--size",
        str(args.invitations),
        "--seed",
        str(int(time.time())),
        "--cap-days",
        "0",
        "--out",
        str(links_file),
        "--json",
    ]
    issued = json.loads(run(issue, env, "issue").strip().splitlines()[-1])
    links = [row["url"] for row in csv.DictReader(links_file.open())]
    links_file.unlink()  # the tokens live only for the run

    base = f"http://127.0.0.1:{args.port}"
    server = serve(env, args.port, args.workers)
    timings: dict[str, list[float]] = {"get": [], "post": []}
    errors: list[dict] = []
    acknowledged = [0] * args.respondents
    try:
        shares = [links[i :: args.respondents] for i in range(args.respondents)]

        def respondent(n: int) -> None:
            rng = random.Random(n)
            for url in shares[n]:
                acknowledged[n] += answer_one(base, url, rng, timings, errors)

        started = time.perf_counter()
        threads = [threading.Thread(target=respondent, args=(n,)) for n in range(args.respondents)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    counted = run([*TENURE, "shell", "-c", COUNT_SCRIPT % {"wave": issued["wave"]}], env, "count")
    stored = int(counted.strip().splitlines()[-1])  # the last line: Django's shell may announce its imports
    sent = sum(acknowledged)
    summary = {
        kind: {
            "requests": len(v),
            "p50_ms": round(percentile(v, 50), 1),
            "p95_ms": round(percentile(v, 95), 1),
            "p99_ms": round(percentile(v, 99), 1),
            "max_ms": round(max(v), 1),
        }
        for kind, v in timings.items()
        if v
    }
    result = {
        "benchmark": "public survey page (GET + POST per respondent) under tenure serve (gunicorn) on loopback",
        "respondents": args.respondents,
        "invitations": len(links),
        "workers": args.workers,
        "wall_seconds": round(wall, 1),
        "answers_per_second": round(sent / wall, 1) if wall else None,
        "latency": summary,
        "errors": len(errors),
        "error_samples": errors[:5],
        "answers_acknowledged": sent,
        "answers_stored": stored,
        "lost_answers": sent - stored,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
