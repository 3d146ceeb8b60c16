"""Measure a stored model on a later business date: against our label and the planted truth.

The planted truth (the generator's `truth/churn.csv`) says who actually left and when; a customer
counts as a true churner at D when `left_on` falls within the label horizon after D. Only the
labelled population of D (see `labels.py`) is measured, so both metrics use the same customers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from tenure.churn.config import churn_config
from tenure.churn.dataset import labelled_month
from tenure.churn.labels import horizon_end
from tenure.churn.model import Trained, scores
from tenure.lake import connect


def backtest(trained: Trained, day: dt.date, truth: Path | None = None) -> dict:
    """ROC AUC, PR AUC, lift, ECE at `day` vs our label (and vs the planted truth when given)."""
    rules = churn_config()["label"]
    x, y = labelled_month(connect(), day, rules)
    p = trained.probability(x)
    result = {"business_date": day.isoformat(), "vs_label": scores(y.to_numpy(), p)}
    if truth is not None:
        t = pd.read_csv(truth, parse_dates=["left_on"])
        end = pd.Timestamp(horizon_end(day, rules))
        left = set(t.loc[(t.left_on > pd.Timestamp(day)) & (t.left_on <= end), "customer_no"])
        result["vs_truth"] = scores(x.index.isin(list(left)).astype(int), p)
        result["truth_rule"] = f"left_on in ({day}, {end.date()}]"
    return result
