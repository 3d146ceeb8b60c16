"""The churn model with and without the complaint features (issue 29), on the same months.

    TENURE_HOME=/tmp/demo_churn .venv/bin/python bench/bench_churn_complaints.py --as-of 2026-08-31

Needs a bank imported into TENURE_HOME with its complaints (`tenure demo --customers 4000
--months 13 --no-serve`). Trains twice on history up to --as-of only — the same training and
validation months, once with the matrix as scoring builds it and once without the complaint
columns — and measures each on its validation month and on --as-of itself, a month whose labels
neither model saw, against our label and the generator's planted truth. Nothing is stored.
Writes bench/results/churn-complaints.json (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "churn-complaints.json"
KEEP = ("n", "positives", "roc_auc", "pr_auc", "top_decile_lift", "top_decile_capture", "ece")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"default: {RESULTS}")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    import django

    django.setup()
    import pandas as pd
    from django.conf import settings

    from tenure.churn.config import churn_config
    from tenure.churn.dataset import COMPLAINT_FEATURES, labelled_month
    from tenure.churn.labels import horizon_end
    from tenure.churn.model import scores, train
    from tenure.churn.services import training_plan
    from tenure.complaints.models import Complaint
    from tenure.lake import connect

    config = churn_config()
    rules, con = config["label"], connect()
    train_days, validation = training_plan(args.as_of, rules, config["model"]["train_months"])
    months = [(d, *labelled_month(con, d, rules)) for d in train_days]
    xv, yv = labelled_month(con, validation, rules)
    xf, yf = labelled_month(con, args.as_of, rules)
    truth_path = Path(settings.LAKE_DIR).parent / "extracts" / "truth" / "churn.csv"
    truth = None
    if truth_path.exists():
        t = pd.read_csv(truth_path, parse_dates=["left_on"])
        end = pd.Timestamp(horizon_end(args.as_of, rules))
        left = t.loc[(t.left_on > pd.Timestamp(args.as_of)) & (t.left_on <= end), "customer_no"]
        truth = xf.index.isin(list(left)).astype(int)
    drop = list(COMPLAINT_FEATURES)
    result: dict = {
        "as_of": args.as_of.isoformat(),
        "train_dates": [d.isoformat() for d in train_days],
        "validation_date": validation.isoformat(),
        "complaints": Complaint.objects.count(),
        "customers_with_a_complaint_feature_at_as_of": int((xf[drop].sum(axis=1) > 0).sum()),
    }
    for name, keep in (("without_complaints", False), ("with_complaints", True)):

        def cut(x: pd.DataFrame, keep: bool = keep) -> pd.DataFrame:
            return x if keep else x.drop(columns=drop)

        trained = train([(d, cut(x), y) for d, x, y in months], (cut(xv), yv), config["model"])
        p = trained.probability(cut(xf))
        result[name] = {
            "validation": {k: trained.metrics["validation_calibrated"][k] for k in KEEP},
            "as_of_vs_label": {k: v for k, v in scores(yf.to_numpy(), p).items() if k in KEEP},
            "as_of_vs_truth": {k: v for k, v in scores(truth, p).items() if k in KEEP} if truth is not None else None,
            "complaint_gain": [f for f in trained.metrics["importance"] if f["feature"] in drop],
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
