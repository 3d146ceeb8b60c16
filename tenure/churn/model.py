"""The learned churn model: LightGBM, time-based validation, Platt calibration, reason codes.

Train on month-ends before the validation date (never random splits across time), validate on
the latest labelled month-end, calibrate on it with Platt scaling (a logistic regression on the
raw log-odds). Platt rather than isotonic: with a few hundred positives isotonic's steps tie
many customers and lose ranking (measured: ROC AUC 0.82 vs 0.84 on the same month), while a
strictly increasing map keeps it. The same `fit_booster` serves `tenure churn evaluate`.
"""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score


@dataclass
class Trained:
    """A booster, its calibrator and the column order it expects."""

    booster: lgb.LGBMClassifier
    calibrator: LogisticRegression
    columns: list[str]
    metrics: dict = field(default_factory=dict)

    def matrix(self, x: pd.DataFrame) -> np.ndarray:
        """`x` as the float32 array LightGBM predicts from: the training columns in order, a
        categorical as its code among the *training* categories (what LightGBM's pandas path does
        on every call), so a page's few rows are coded like a nightly million. Predicting from
        this array skips that per-call conversion."""
        categories = iter(self.booster.booster_.pandas_categorical or [])
        columns = []
        for name in self.columns:
            values = x[name]
            if isinstance(values.dtype, pd.CategoricalDtype):
                codes = values.cat.set_categories(next(categories)).cat.codes.to_numpy()
                columns.append(np.where(codes >= 0, codes, np.nan).astype(np.float32))
            else:
                columns.append(values.to_numpy(np.float32))
        return np.column_stack(columns) if columns else np.empty((len(x), 0), np.float32)

    def _as_matrix(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        return x if isinstance(x, np.ndarray) else self.matrix(x)

    def raw(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        """The booster's uncalibrated probability (a DataFrame is converted by `matrix`)."""
        # LightGBM types predict() for sparse input too (a matrix or a list of them); ours is dense.
        return np.asarray(self.booster.booster_.predict(self._as_matrix(x)))

    def probability(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        return calibrated(self.calibrator, self.raw(x))

    def contributions(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Per-feature log-odds contributions (customers × features; the bias column dropped)."""
        return np.asarray(self.booster.booster_.predict(self._as_matrix(x), pred_contrib=True))[:, :-1]

    def uplifts(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        """How much each feature raises the calibrated probability (customers × features): the
        probability minus what it would be without that feature's log-odds contribution. Same sign
        as the contribution, but on the scale staff read: a feature pushing a 0.1 % customer up
        raises their probability by next to nothing, so it is no reason for risk."""
        m = self._as_matrix(x)
        contributions = self.contributions(m)
        z = _logit(self.raw(m))
        p = self.calibrator.predict_proba(z)[:, 1]
        without = self.calibrator.predict_proba((z - contributions).reshape(-1, 1))[:, 1]
        return p[:, None] - without.reshape(contributions.shape)

    def dump(self) -> bytes:
        return pickle.dumps(self)


def load(blob: bytes) -> Trained:
    return pickle.loads(blob)  # noqa: S301 - our own file under TENURE_HOME, written by `train`


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))[:, None]


def calibrated(calibrator: LogisticRegression, raw: np.ndarray) -> np.ndarray:
    return calibrator.predict_proba(_logit(raw))[:, 1]


def fit_booster(x: pd.DataFrame, y: pd.Series, params: dict, seed: int = 0) -> lgb.LGBMClassifier:
    """LightGBM with the model settings; pandas categoricals are split on natively."""
    booster = lgb.LGBMClassifier(
        n_estimators=params["n_estimators"],
        learning_rate=params["learning_rate"],
        num_leaves=params["num_leaves"],
        min_child_samples=params["min_child_samples"],
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=seed,
        n_jobs=2,
        verbose=-1,
    )
    return booster.fit(x, y)


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins."""
    edges = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = edges == b
        if mask.any():
            total += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return float(total)


def scores(y: np.ndarray, p: np.ndarray) -> dict:
    """ROC AUC, PR AUC, top-decile lift and capture, ECE and the calibration curve."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(-p, kind="stable")
    top = order[: max(1, len(p) // 10)]
    base = y.mean() if len(y) else 0.0
    edges = np.minimum((p * 10).astype(int), 9)
    curve = [
        {
            "bin": b / 10,
            "predicted": float(p[edges == b].mean()),
            "observed": float(y[edges == b].mean()),
            "n": int((edges == b).sum()),
        }
        for b in range(10)
        if (edges == b).any()
    ]
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "pr_auc": round(float(average_precision_score(y, p)), 4),
        "top_decile_lift": round(float(y[top].mean() / base), 2) if base else None,
        "top_decile_capture": round(float(y[top].sum() / y.sum()), 4) if y.sum() else None,
        "ece": round(ece(y, p), 4),
        "calibration": curve,
    }


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """Population stability index of scores between training and now (deciles of training)."""
    cuts = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)[1:-1]))
    e = np.bincount(np.searchsorted(cuts, expected), minlength=len(cuts) + 1) / len(expected)
    a = np.bincount(np.searchsorted(cuts, actual), minlength=len(cuts) + 1) / max(len(actual), 1)
    e, a = np.clip(e, 1e-4, None), np.clip(a, 1e-4, None)
    return round(float(((a - e) * np.log(a / e)).sum()), 4)


def train(
    months: list[tuple[dt.date, pd.DataFrame, pd.Series]], validation: tuple[pd.DataFrame, pd.Series], params: dict
) -> Trained:
    """Fit on the training months, calibrate and measure on the validation month."""
    x = pd.concat([m[1] for m in months])
    y = pd.concat([m[2] for m in months])
    booster = fit_booster(x, y, params)
    xv, yv = validation
    raw = np.asarray(booster.predict_proba(xv[list(x.columns)]))[:, 1]
    calibrator = LogisticRegression(C=1e6).fit(_logit(raw), yv.to_numpy())
    trained = Trained(booster, calibrator, list(x.columns))
    validation_p = calibrated(calibrator, raw)
    importance = sorted(zip(x.columns, booster.booster_.feature_importance("gain"), strict=True), key=lambda t: -t[1])
    trained.metrics = {
        "train_dates": [m[0].isoformat() for m in months],
        "train_rows": len(x),
        "train_positives": int(y.sum()),
        "validation_raw": scores(yv.to_numpy(), raw),
        "validation_calibrated": scores(yv.to_numpy(), validation_p),
        "importance": [{"feature": f, "gain": round(float(g), 1)} for f, g in importance[:20]],
        # Out-of-sample scores are the PSI baseline: in-sample training scores are more spread out.
        "score_sample": np.quantile(validation_p, np.linspace(0, 1, 101)).round(5).tolist(),
    }
    return trained


def evaluate_table(frame: pd.DataFrame, target: str, positive: str, folds: int, seed: int, params: dict) -> dict:
    """Stratified K-fold CV of the same booster on any labelled table; object columns become categoricals."""
    from sklearn.model_selection import StratifiedKFold

    y = (frame[target].astype(str) == str(positive)).astype(int)
    x = frame.drop(columns=[target])
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]) and not pd.api.types.is_bool_dtype(x[column]):
            x[column] = x[column].astype("category")
    p = np.zeros(len(y))
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        booster = fit_booster(x.iloc[train_idx], y.iloc[train_idx], params, seed)
        p[test_idx] = np.asarray(booster.predict_proba(x.iloc[test_idx]))[:, 1]
    result = scores(y.to_numpy(), p)
    return {"rows": len(y), "folds": folds, "seed": seed, "roc_auc": result["roc_auc"], "pr_auc": result["pr_auc"]}
