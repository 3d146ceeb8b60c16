"""The modelling code on synthetic tables: CV evaluation, calibration error, reasons, PSI."""

import json

import numpy as np
import pandas as pd
from django.core.management import call_command

from tenure.churn.config import DEFAULTS
from tenure.churn.model import ece, evaluate_table, psi
from tenure.churn.reasons import sentence, top_reasons


def table(n=600, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    city = rng.choice(["北京", "上海", "广州"], size=n)
    left = (signal + (city == "广州") * 1.5 + rng.normal(scale=0.5, size=n)) > 1.0
    return pd.DataFrame({"signal": signal, "noise": rng.normal(size=n), "city": city,
                         "status": np.where(left, "left", "stayed")})  # fmt: skip


def test_evaluate_learns_a_planted_signal_and_handles_categoricals():
    result = evaluate_table(table(), "status", "left", folds=3, seed=0, params=DEFAULTS["model"])
    assert result["roc_auc"] > 0.85 and 0 < result["pr_auc"] <= 1


def test_evaluate_is_chance_on_noise():
    frame = table()
    frame["status"] = np.random.default_rng(7).choice(["left", "stayed"], size=len(frame))
    assert evaluate_table(frame, "status", "left", folds=3, seed=0, params=DEFAULTS["model"])["roc_auc"] < 0.65


def test_evaluate_command_prints_json(tmp_path, capsys):
    path = tmp_path / "bank.csv"
    table().to_csv(path, index=False)
    call_command("churn", "evaluate", "--dataset", str(path), "--target", "status", "--positive", "left",
                 "--folds", "3", "--seed", "1", "--json")  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"roc_auc", "pr_auc"} and out["folds"] == 3


def test_ece_is_zero_when_calibrated_and_large_when_not():
    y = np.array([0, 0, 0, 1] * 25)
    assert ece(y, np.full(100, 0.25)) == 0.0
    assert abs(ece(y, np.full(100, 0.9)) - 0.65) < 1e-9


def test_reason_sentences_in_chinese_and_english():
    assert sentence("aum_ratio_3m", 0.62) == {
        "feature": "aum_ratio_3m", "zh": "AUM 下降 38%（近 3 个月）", "en": "AUM down 38% (last 3 months)"
    }  # fmt: skip
    assert sentence("payroll_1m", 0)["zh"] == "本月无代发工资入账"


def test_top_reasons_keep_only_features_that_push_up():
    x = pd.DataFrame({"aum_ratio_1m": [0.5], "payroll_1m": [0.0], "product_count": [2.0]})
    contributions = np.array([[0.2, -0.1, 0.4]])
    reasons = top_reasons(x, contributions, list(x.columns))
    assert [r["feature"] for r in reasons[0]] == ["product_count", "aum_ratio_1m"]


def test_psi_zero_for_same_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(0)
    base = rng.random(5000)
    assert psi(base, base) == 0.0
    assert psi(base, base**3) > 0.2
