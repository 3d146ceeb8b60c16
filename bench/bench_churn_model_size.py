"""Compare booster sizes on the same labelled months: quality against TreeSHAP and scoring cost.

    TENURE_HOME=/tmp/m1 .venv/bin/python bench/bench_churn_model_size.py --months 4

Builds the training months and the validation month of `training_plan` once (the latest
imported date as of), then trains each setting and prints one JSON line per setting: calibrated
validation ROC AUC, PR AUC, top-decile lift, ECE, fit seconds, TreeSHAP seconds for the 21,000
highest scores and probability seconds for the whole validation month.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

SETTINGS = [(300, 0.03, 15), (100, 0.09, 15), (150, 0.06, 15), (100, 0.09, 7)]  # trees, learning rate, leaves


def _seconds(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=4, help="training month-ends")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    import django

    django.setup()
    import numpy as np

    from tenure.churn.config import churn_config
    from tenure.churn.dataset import labelled_month
    from tenure.churn.model import train
    from tenure.churn.services import training_plan
    from tenure.ingest.selectors import latest_business_date
    from tenure.lake import connect

    config, con = churn_config(), connect()
    days, validation_day = training_plan(latest_business_date(), config["label"], args.months)
    months = [(d, *labelled_month(con, d, config["label"])) for d in days]
    x, y = labelled_month(con, validation_day, config["label"])
    for trees, rate, leaves in SETTINGS:
        params = dict(config["model"], n_estimators=trees, learning_rate=rate, num_leaves=leaves)
        started = time.perf_counter()
        trained = train(months, (x, y), params)
        fit = round(time.perf_counter() - started)
        top = x.iloc[np.argsort(-trained.probability(x))[:21_000]]
        metrics = trained.metrics["validation_calibrated"]
        row = {
            "trees": trees,
            "lr": rate,
            "leaves": leaves,
            "fit_s": fit,
            "roc_auc": metrics["roc_auc"],
            "pr_auc": metrics["pr_auc"],
            "lift": metrics["top_decile_lift"],
            "ece": metrics["ece"],
            "shap_21k_s": _seconds(trained.contributions, top),
            "prob_s": _seconds(trained.probability, x),
            "rows": len(x),
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
