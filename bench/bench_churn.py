"""Measure the churn model on a generated bank against its planted truth, and time scoring.

    TENURE_HOME=/tmp/churnwork .venv/bin/python bench/bench_churn.py --as-of 2026-07-31

Needs a bank imported into TENURE_HOME (`tenure demo --customers 5000 --months 13 --no-serve`).
Trains a model on history up to --as-of only, then measures it at --as-of itself — a month the
model never saw labels for (its labels need the three month-ends after it, which the lake has):
ROC AUC and ECE against our churn label and against the generator's planted truth
(`extracts/truth/churn.csv`, a churner being a customer whose `left_on` falls within the horizon).
Scoring of the latest date is timed with peak RSS. Writes bench/results/churn.json (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "churn.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--score-date", type=dt.date.fromisoformat, help="default: the latest imported date")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"default: {RESULTS}")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    import django

    django.setup()
    from django.conf import settings

    from tenure.churn.backtest import backtest
    from tenure.churn.services import latest_model, score_date, train_model
    from tenure.ingest.selectors import latest_business_date

    started = time.perf_counter()
    row = train_model(as_of=args.as_of)
    train_seconds = time.perf_counter() - started
    _, trained = latest_model()
    truth = Path(settings.LAKE_DIR).parent / "extracts" / "truth" / "churn.csv"
    measured = backtest(trained, args.as_of, truth if truth.exists() else None)
    started = time.perf_counter()
    scored = score_date(day=args.score_date or latest_business_date())
    score_seconds = time.perf_counter() - started
    drop = ("calibration",)
    result = {
        "as_of": args.as_of.isoformat(),
        "model_version": row.version,
        "train_dates": row.metrics["train_dates"],
        "validation_date": row.metrics["validation_date"],
        "validation": {k: v for k, v in row.metrics["validation_raw"].items() if k not in drop},
        "future_month": {
            k: ({kk: vv for kk, vv in v.items() if kk not in drop} if isinstance(v, dict) else v)
            for k, v in measured.items()
        },
        "train_seconds": round(train_seconds, 1),
        "scoring": {**scored, "seconds": round(score_seconds, 2)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": os.getloadavg(),
    }
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
