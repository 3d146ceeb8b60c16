"""Benchmark the next-best offers: nightly scoring of every customer, and training on 12 month pairs.

    .venv/bin/python bench/bench_offers.py --work /tmp/offers-bench       # 1M scored, 20k × 13 months trained
    .venv/bin/python bench/bench_offers.py --customers 100000 --train-customers 5000 --no-save

Two banks, each generated, imported and run through the nightly by `tenure` child processes in a
TENURE_HOME of its own (SQLite), kept under `--work` and reused when it is there already:

- training: `--train-customers` × 13 month-ends (12 pairs "features at m, opened by m+1"): times
  `tenure offers train --json` (wall, peak RSS) and `tenure offers evaluate --json` (hit rate@3
  against the popular suitable types);
- scoring: `--customers` × 2 month-ends: the trained model is copied in and
  `tenure offers score --json` is timed (wall, peak RSS). Goal (issue 25): ≤ 60 s and ≤ 2 GB at
  1,000,000 customers. The model's size does not depend on the bank it learned from (100 trees of
  7 leaves per product type), so scoring time does not either.

Prints one JSON document and writes bench/results/offers.json (the machine's load average with it:
other agents share the two cores).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import child  # noqa: E402  (one way to run a timed `tenure` child process)

GOAL_SECONDS, GOAL_MB = 60, 2048
END = "2026-03-31"
RESULTS = Path(__file__).resolve().parent / "results" / "offers.json"


def _bank(work: Path, name: str, customers: int, months: int) -> tuple[dict, dict]:
    """A generated, imported and nightly-run bank under work/name (reused if done before)."""
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TENURE_HOME=str(folder / "home"))
    env.pop("DATABASE_URL", None)
    done = folder / "setup.json"
    if done.exists():
        return env, json.loads(done.read_text())
    bank = folder / "bank"
    steps = {
        "generate": ["generate", "--customers", str(customers), "--months", str(months)]
        + ["--end-date", END, "--out", str(bank), "--json"],
        "import": ["import", str(bank), "--json"],
        "nightly": ["nightly", "--json"],
    }
    setup: dict = {"customers": customers, "months": months}
    for step, cmd in steps.items():
        _, seconds, _ = child(cmd, env, folder / step)
        setup[f"{step}_seconds"] = round(seconds, 1)
    shutil.rmtree(bank, ignore_errors=True)  # the lake holds it now
    done.write_text(json.dumps(setup))
    return env, setup


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers scored")
    parser.add_argument("--train-customers", type=int, default=20_000, help="customers of the training bank")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder, reused (default: a temp dir, removed)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/offers.json")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="tenure-bench-offers-"))
    work.mkdir(parents=True, exist_ok=True)

    train_env, train_setup = _bank(work, f"train-{args.train_customers}", args.train_customers, 13)
    text, train_wall, train_rss = child(["offers", "train", "--json"], train_env, work / "train")
    trained = _last_json(text)
    text, evaluate_wall, _ = child(["offers", "evaluate", "--json"], train_env, work / "evaluate")
    evaluated = _last_json(text)

    score_env, score_setup = _bank(work, f"score-{args.customers}", args.customers, 2)
    model = Path(score_env["TENURE_HOME"]) / "offers" / "recommender.pkl"
    model.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(trained["path"], model)
    shutil.rmtree(Path(score_env["TENURE_HOME"]) / "analytics" / "offers", ignore_errors=True)  # score afresh
    text, score_wall, score_rss = child(["offers", "score", "--json"], score_env, work / "score")
    scored = _last_json(text)

    result = {
        "benchmark": "tenure offers score / train",
        "goal": {"seconds": GOAL_SECONDS, "peak_mb": GOAL_MB, "at": "1,000,000 customers scored"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "measured_on": time.strftime("%Y-%m-%d"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "scoring": {
            "customers_scored": scored.get("scored"),
            "refused_profiling": scored.get("refused_profiling"),
            "offers": scored.get("offers"),
            "wall_seconds": round(score_wall, 2),
            "peak_rss_mb": round(score_rss),
            "setup": score_setup,
        },
        "training": {
            "customers": args.train_customers,
            "month_pairs": len(trained["train_months"]),
            "rows": trained["rows"],
            "types_with_a_model": trained["types"],
            "wall_seconds": round(train_wall, 2),
            "peak_rss_mb": round(train_rss),
            "setup": train_setup,
        },
        "evaluation": {
            k: evaluated[k] for k in ("as_of", "customers", "hit_rate_at_3", "baseline_hit_rate_at_3", "precision_at_3")
        }
        | {"wall_seconds": round(evaluate_wall, 2)},
        "meets_goal": score_wall <= GOAL_SECONDS and score_rss <= GOAL_MB,
    }
    if not args.no_save:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
