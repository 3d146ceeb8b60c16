"""Benchmark page speed: the server time of every page each demo role can reach (issue 29 item 6).

    .venv/bin/python bench/bench_pages.py --customers 20000 --months 13   # prepares once, then measures
    .venv/bin/python bench/bench_pages.py --customers 1500 --months 3 --repeats 3  # a quick run

Preparation (once per size, kept under --home, default var/bench-pages-<N>): `tenure demo
--no-serve` (generate, the real import, nightly, the demo's staff and records, the daily run). The
measured run starts `tenure serve` (gunicorn, as in production, one worker so requests do not
compete with each other) on loopback, logs in as each of the seven demo roles and follows the links
of the pages it sees, each URL shape once (`/customers/12/` and `/customers/34/` are one shape), up
to --pages a role; exports and API calls are not pages and are left out. Each page is then asked
--repeats more times after a first (cold) view; the figure is the wall time per request on the
client, in ms, over loopback: server time plus well under a millisecond.

The baseline, asked the same way in the same run, is `/healthz` (no database work): the machine's
load raises both. Goals (issue 29): every page's p95 ≤ 300 ms on the demo bank, ≤ 1 s at 1,000,000
customers. Prints one JSON document and writes it to bench/results/pages-<N>.json (or --out).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from served import tenure_serve  # noqa: E402  (the tests' start-and-wait loop for `tenure serve`)

TENURE = [sys.executable, "-m", "tenure.cli"]
PASSWORD = "bench-Pages-2026!"
GOAL_MS = {"demo": 300, "1m": 1000}
# Not pages: exports, downloads, the API, log-out and language switches, public token pages.
SKIP_PATH = re.compile(r"/(logout|i18n|api/|static/|p/|accounts/|healthz)|export|\.csv|\.xlsx|download")
SHAPE = re.compile(r"\d+")


def prepare(home: Path, customers: int, months: int) -> dict:
    env = {**os.environ, "TENURE_HOME": str(home), "TENURE_DEMO_PASSWORD": PASSWORD}
    env.pop("DATABASE_URL", None)
    marker = home / "bench-pages.json"
    if marker.exists():
        return json.loads(marker.read_text())
    home.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    out = subprocess.run(
        [*TENURE, "demo", "--customers", str(customers), "--months", str(months), "--no-serve", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    summary["prepare_seconds"] = round(time.perf_counter() - started, 1)
    marker.write_text(json.dumps(summary))
    return summary


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _session(base: str, username: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.addheaders = [("Accept-Language", "zh-CN")]
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no login form"
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", form.encode(), headers={"Referer": base}), timeout=30)
    return opener


def _timed(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, int, bytes, str]:
    started = time.perf_counter()
    try:
        response = opener.open(url, timeout=120)
        body, status, kind = response.read(), response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        body, status, kind = b"", exc.code, ""
    return (time.perf_counter() - started) * 1000, status, body, kind


def pages_of(base: str, opener: urllib.request.OpenerDirector, limit: int) -> dict[str, float]:
    """The role's pages, each URL shape once: path → the first (cold) view's ms."""
    queue, seen, cold = ["/"], set(), {}
    while queue and len(cold) < limit:
        path = queue.pop(0)
        shape = SHAPE.sub("N", path.split("?")[0]) + "?" + "&".join(sorted(re.findall(r"[?&](\w+)=", path)))
        if shape in seen:
            continue
        seen.add(shape)
        ms, status, body, kind = _timed(opener, base + path)
        if status != 200 or "text/html" not in kind:
            continue
        cold[path] = ms
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        for href in parser.links:
            url = urllib.parse.urljoin(base + path, href)
            if url.startswith(base) and "#" not in url and not SKIP_PATH.search(url[len(base) :]):
                queue.append(url[len(base) :])
    return cold


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(home: Path, logins: list[str], repeats: int, limit: int) -> dict:
    env = {**os.environ, "TENURE_HOME": str(home), "TENURE_DEMO": "1"}
    env.pop("DATABASE_URL", None)
    pages: dict[str, dict] = {}
    baseline: list[float] = []
    with tenure_serve(env, "--workers", "1") as base:
        for login in logins:
            opener = _session(base, login)
            for path, cold in pages_of(base, opener, limit).items():
                times = []
                for _ in range(repeats):
                    times.append(_timed(opener, base + path)[0])
                    baseline.append(_timed(opener, f"{base}/healthz")[0])
                shape = SHAPE.sub("N", path.split("?")[0])
                entry = pages.setdefault(f"{login} {shape}", {"path": path, "times": []})
                entry["times"] += times
                entry["cold_ms"] = round(cold, 1)
    rows = {
        key: {
            "path": entry["path"],
            "cold_ms": entry["cold_ms"],
            "p50_ms": round(statistics.median(entry["times"]), 1),
            "p95_ms": round(p95(entry["times"]), 1),
        }
        for key, entry in sorted(pages.items())
    }
    return {
        "pages": rows,
        "healthz_p95_ms": round(p95(baseline), 1),
        "healthz_p50_ms": round(statistics.median(baseline), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--repeats", type=int, default=5, help="timed views of each page after the first")
    parser.add_argument("--pages", type=int, default=60, help="pages a role, at most")
    parser.add_argument("--home", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    home = args.home or ROOT / "var" / f"bench-pages-{args.customers}"
    summary = prepare(home, args.customers, args.months)
    result = measure(home, summary["logins"], args.repeats, args.pages)
    rows = result["pages"]
    goal = GOAL_MS["1m"] if args.customers >= 1_000_000 else GOAL_MS["demo"]
    slow = {key: row["p95_ms"] for key, row in rows.items() if row["p95_ms"] > goal}
    all_p95 = [row["p95_ms"] for row in rows.values()]
    report = {
        "benchmark": "pages",
        "customers": args.customers,
        "months": args.months,
        "repeats": args.repeats,
        "pages_measured": len(rows),
        "goal_p95_ms": goal,
        "pages_over_goal": len(slow),
        "slowest": dict(sorted(slow.items(), key=lambda kv: -kv[1])[:20]),
        "p95_of_page_p95s_ms": round(p95(all_p95), 1) if all_p95 else None,
        "max_page_p95_ms": max(all_p95) if all_p95 else None,
        "healthz_p95_ms": result["healthz_p95_ms"],
        "prepare_seconds": summary.get("prepare_seconds"),
        "load_average": os.getloadavg(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "per_page": rows,
    }
    text = json.dumps(report, indent=1, ensure_ascii=False)
    out = args.out or ROOT / "bench" / "results" / f"pages-{args.customers}.json"
    out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
