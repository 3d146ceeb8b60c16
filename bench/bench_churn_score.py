"""Time nightly churn scoring (the issue's 1,000,000-customer benchmark) on an imported bank.

    TENURE_HOME=/tmp/churnret-100k .venv/bin/python bench/bench_churn_score.py --out bench/results/churn-score-100k.json

Needs a bank with a trained model (`tenure demo --customers N --months 13 --no-serve` trains one).
Scores the latest imported date with the whole `score_date` (matrix, compiled probability, reasons
for the bands in `reasons_at_scoring`, every `ChurnScore` row written) and reads the peak RSS, then
times the parts separately (model matrix, LightGBM's float matrix, loading the compiled booster,
probability compiled and by LightGBM itself and, unless --no-full-contributions, per-feature
contributions for every customer). Wall and CPU seconds, peak RSS, load.
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


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, {"wall": round(time.perf_counter() - wall, 1), "cpu": round(time.process_time() - cpu, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", type=dt.date.fromisoformat, help="default: the latest imported date")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--no-full-contributions", action="store_true", help="skip timing TreeSHAP for every customer (minutes at 1M)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    import django

    django.setup()
    from tenure.churn import compiled
    from tenure.churn.dataset import month_matrix
    from tenure.churn.services import latest_model, score_date
    from tenure.ingest.selectors import latest_business_date
    from tenure.lake import connect

    day = args.date or latest_business_date()
    row, trained = latest_model()
    # The whole nightly scoring first, so the peak RSS read after it is scoring's own.
    summary, total = _timed(lambda: score_date(day=day))
    seconds = {"score_date_total": total}
    rss_after_scoring = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    x, seconds["model_matrix"] = _timed(lambda: month_matrix(connect(), day))
    matrix, seconds["lightgbm_matrix"] = _timed(lambda: trained.matrix(x))
    model, seconds["compiled_model_load"] = _timed(lambda: compiled.load(trained, Path(row.path)))
    _, seconds["probability_compiled"] = _timed(lambda: compiled.raw(model, matrix))
    _, seconds["probability_lightgbm"] = _timed(lambda: trained.raw(matrix))  # what scoring used before
    if not args.no_full_contributions:  # what every score's reasons would cost at scoring time
        _, seconds["contributions_for_every_customer"] = _timed(lambda: trained.contributions(matrix))
    result = {
        "business_date": day.isoformat(),
        "customers_in_matrix": len(x),
        "features": len(trained.columns),
        "seconds": seconds,
        "summary": summary,
        "peak_rss_mb_score_date": rss_after_scoring,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
