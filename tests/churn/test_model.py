"""The modelling code on synthetic tables: CV evaluation, calibration error, reasons, PSI."""

import json

import numpy as np
import pandas as pd
from django.core.management import call_command

from tenure.churn import compiled
from tenure.churn.config import DEFAULTS
from tenure.churn.model import Trained, ece, evaluate_table, fit_booster, psi
from tenure.churn.reasons import sentence, top_reasons


def table(n=600, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    city = rng.choice(["北京", "上海", "广州"], size=n)
    left = (signal + (city == "广州") * 1.5 + rng.normal(scale=0.5, size=n)) > 1.0
    return pd.DataFrame(
        {"signal": signal, "noise": rng.normal(size=n), "city": city, "status": np.where(left, "left", "stayed")}
    )


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
    call_command(
        "churn",
        "evaluate",
        "--dataset",
        str(path),
        "--target",
        "status",
        "--positive",
        "left",
        "--folds",
        "3",
        "--seed",
        "1",
        "--json",
    )
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"roc_auc", "pr_auc"} and out["folds"] == 3


def test_ece_is_zero_when_calibrated_and_large_when_not():
    y = np.array([0, 0, 0, 1] * 25)
    assert ece(y, np.full(100, 0.25)) == 0.0
    assert abs(ece(y, np.full(100, 0.9)) - 0.65) < 1e-9


def test_reason_sentences_in_chinese_and_english():
    assert sentence("aum_ratio_3m", 0.62) == {
        "feature": "aum_ratio_3m",
        "zh": "AUM 下降 38%（近 3 个月）",
        "en": "AUM down 38% (last 3 months)",
    }
    assert sentence("payroll_1m", 0)["zh"] == "本月无代发工资入账"
    assert sentence("aum_1m", 0.0)["zh"] == "1 个月前资产 0 元"
    assert sentence("share_mobile", 0.25)["en"] == "Share of mobile transactions 25%"
    assert sentence("bal_loan", float("nan"))["zh"] == "贷款余额 缺失"


def test_every_model_input_reads_as_a_sentence_not_a_column_name():
    from tenure.churn.reasons import LABELS, SENTENCES

    inputs = [
        "aum",
        "aum_1m",
        "aum_3m",
        "aum_6m",
        "aum_12m",
        "avg_daily_aum_3m",
        "avg_daily_aum_3m_prev",
        "product_count",
        "max_drawdown_12m",
        "frequency_90d",
        "monetary_90d",
        "frequency_365d",
        "monetary_365d",
        "card_spend_365d",
        "payroll_months_6m",
        "regular_inflow_6m",
        "competitor_products",
        "competitor_amount",
        "tenure_days",
        "recency_days",
        "has_payroll",
        "contribution",
        "outflow_1m",
        "outflow_prev3",
        "max_outflow_1m",
        "payroll_1m",
        "payroll_months_prev",
        "card_1m",
        "card_prev3",
        "adb_ratio",
        "time_deposit_share",
        "days_to_competitor_maturity",
        "outflow_share_1m",
        "outflow_vs_prev",
        "card_vs_prev",
        *[f"aum_ratio_{k}m" for k in (1, 3, 6, 12)],
        *[f"aum_change_{k}m" for k in (1, 3, 6, 12)],
        *[f"bal_{t}" for t in ("current", "savings", "time_deposit", "wealth", "fund", "insurance")],
        "bal_loan",
        "complaints_open",
        "complaint_max_severity",
        "complaint_resolved_late",
    ]
    for feature in inputs:
        assert feature in LABELS or feature in SENTENCES, feature
        assert feature not in sentence(feature, 1.0)["zh"], feature


def test_a_few_rows_are_scored_like_the_same_rows_of_the_whole_frame():
    """A page's rows have fewer categories than the whole bank: codes must follow the training's."""
    frame = table()
    x = pd.DataFrame({"signal": frame.signal.astype("float32"), "city": frame.city.astype("category")})
    y = (frame.status == "left").astype(int)
    trained = Trained(fit_booster(x, y, DEFAULTS["model"]), None, list(x.columns))
    expected = trained.booster.predict_proba(x)[:, 1]  # LightGBM's own pandas path
    assert np.allclose(trained.raw(x), expected, rtol=0, atol=1e-12)
    guangzhou = np.flatnonzero(frame.city == "广州")[:5]
    few = x.iloc[guangzhou].assign(city=frame.city.iloc[guangzhou].astype("category"))  # one category only
    assert list(few.city.cat.categories) == ["广州"]
    assert np.allclose(trained.raw(few), expected[guangzhou], rtol=0, atol=1e-12)
    contributions = trained.contributions(few)
    assert contributions.shape == (5, 2) and (contributions[:, 1] > 0).all()  # 广州 pushes up


def test_the_compiled_booster_gives_lightgbm_s_probabilities(tmp_path):
    frame = table()
    x = pd.DataFrame(
        {
            "signal": frame.signal.astype("float32"),
            "noise": frame.noise.astype("float32"),
            "city": frame.city.astype("category"),
        }
    )
    x.loc[::7, "signal"] = np.nan  # missing values take each split's default side
    y = (frame.status == "left").astype(int)
    trained = Trained(fit_booster(x, y, DEFAULTS["model"] | {"n_estimators": 40}), None, list(x.columns))
    path = tmp_path / "v1.pkl"
    model = compiled.load(trained, path)
    assert compiled.object_path(path).exists()  # kept: the next load does not compile again
    matrix = trained.matrix(x)
    expected = trained.booster.predict_proba(x)[:, 1]
    assert np.allclose(compiled.raw(model, matrix, chunk=128), expected, rtol=0, atol=1e-12)
    assert np.allclose(compiled.raw(compiled.load(trained, path), matrix), expected, rtol=0, atol=1e-12)
    assert compiled.raw(model, matrix[:0]).shape == (0,)


def test_top_reasons_keep_only_features_that_push_up():
    x = pd.DataFrame({"aum_ratio_1m": [0.5, np.nan], "payroll_1m": [0.0, 0.0], "product_count": [2.0, 1.0]})
    contributions = np.array([[0.2, -0.1, 0.4], [0.3, 0.0, 0.0]])
    reasons = top_reasons(x.to_numpy(np.float32), contributions, list(x.columns))  # as `Trained.matrix` gives
    assert [r["feature"] for r in reasons[0]] == ["product_count", "aum_ratio_1m"]
    assert reasons[1] == [sentence("aum_ratio_1m", None)]  # a missing value reads "unknown"


def test_psi_zero_for_same_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(0)
    base = rng.random(5000)
    assert psi(base, base) == 0.0
    assert psi(base, base**3) > 0.2


def test_reasons_read_as_people_say_them():
    assert sentence("aum_ratio_1m", 0.6)["en"] == "AUM down 40% (last month)"
    assert sentence("aum_ratio_3m", 0.6)["en"] == "AUM down 40% (last 3 months)"
    assert sentence("aum_ratio_1m", 0.6)["zh"] == "AUM 下降 40%（近 1 个月）"
    assert sentence("tenure_days", 8791) == {
        "feature": "tenure_days",
        "zh": "开户至今 24 年",
        "en": "Customer for 24 years",
    }
    assert sentence("tenure_days", 400)["en"] == "Customer for 1 year"
    assert sentence("tenure_days", 120) == {
        "feature": "tenure_days",
        "zh": "开户至今 120 天",
        "en": "Customer for 120 days",
    }


def test_a_missing_value_reads_as_a_name_not_a_column():
    from tenure.churn.reasons import SENTENCES

    for feature in SENTENCES:
        reason = sentence(feature, None)
        assert feature not in reason["zh"] and feature not in reason["en"], feature
    assert sentence("aum_ratio_1m", None) == {
        "feature": "aum_ratio_1m",
        "zh": "近 1 个月 AUM 变化 缺失",
        "en": "AUM change over 1 month unknown",
    }
