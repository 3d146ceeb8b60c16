"""Churn figures that agree (issue 29 item 2): one severity everywhere, reasons that raise the risk,
P(alive) named for what it is, complaints as a signal and a feature, a model report whose dates read
in order."""

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from tenure.churn.alerts import follow_scores
from tenure.churn.config import DEFAULTS
from tenure.churn.dataset import COMPLAINT_FEATURES, model_matrix
from tenure.churn.model import Trained, fit_booster
from tenure.churn.models import Alert, ChurnModel, ChurnScore
from tenure.churn.reasons import sentence, top_reasons
from tenure.churn.severity import LEVELS, severities, value_at_risk
from tests.factories import english  # noqa: F401 - fixtures
from tests.loyalty.test_dashboard import outputs  # noqa: F401

DAY = dt.date(2026, 7, 31)
GRID = DEFAULTS["severity"]


def test_severity_is_monotone_in_probability_and_in_value_at_risk():
    p = np.linspace(0, 1, 201)
    for value in (0.0, 100.0, GRID["value_at_risk_high"], 1e6):
        ranks = [LEVELS.index(s) for s in severities(p, np.full_like(p, value), GRID)]
        assert ranks == sorted(ranks), value
    values = np.linspace(0, 2 * GRID["value_at_risk_high"], 50)
    for probability in (0.05, 0.1, 0.2, 0.5):
        ranks = [LEVELS.index(s) for s in severities(np.full_like(values, probability), values, GRID)]
        assert ranks == sorted(ranks), probability
    # What the issue saw: "medium" at 100 % and "high" at 16 % (a small customer) cannot happen.
    assert severities([1.0, 0.16, 0.16], [0.0, 10.0, GRID["value_at_risk_high"]], GRID).tolist() == [
        "high",
        "medium",
        "high",
    ]


def _severity_cells(html: str) -> dict[str, str]:
    """Customer name → severity label, from the queue's rows."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    cells = {}
    for row in rows:
        tds = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
        name = re.search(r'#h-churn">([^<]+)</a>', row)
        if name and len(tds) >= 3:
            cells[name.group(1)] = re.sub(r"<[^>]+>", "", tds[2]).strip()
    return cells


def test_queue_exports_and_360_rate_each_customer_alike(bank, login, english):  # noqa: F811
    wang, wanglei = bank.customers["wang"], bank.customers["wanglei"]
    contribution = {wang.pk: 50.0, wanglei.pk: 20.0}
    probability = {wang.pk: 1.0, wanglei.pk: 0.16}
    # As scoring writes them: the band is the severity of the probability and the value at risk.
    scored = pd.DataFrame(
        {
            "customer_id": list(probability),
            "probability": list(probability.values()),
            "contribution": list(contribution.values()),
        }
    )
    scored["value_at_risk"] = value_at_risk(scored.probability, scored.contribution)
    scored["band"] = severities(scored.probability, scored.value_at_risk)
    for r in scored.itertuples():
        ChurnScore.objects.create(
            customer_id=r.customer_id, business_date=DAY, model_version=1, probability=r.probability, band=r.band
        )
    # The rules' own severities said the opposite: "medium" at 100 %, "high" at 16 %.
    for customer, cause, rule_severity in ((wang, "tier_downgrade", "medium"), (wanglei, "aum_drop", "high")):
        Alert.objects.create(
            customer=customer,
            cause=cause,
            severity=rule_severity,
            business_date=DAY,
            due_on=DAY,
            owner=bank.staff["rm_a"],
        )
    assert follow_scores(scored) == 2
    expected = {"王芳": "High", "王磊": "Medium"}

    client = login(bank.staff["rm_a"])
    assert _severity_cells(client.get("/churn/").content.decode()) == expected
    rows = list(load_workbook(io.BytesIO(client.get("/churn/export.xlsx").content)).active.iter_rows(values_only=True))
    assert {r[1]: r[4] for r in rows[1:]} == expected  # after the cause and its detail
    at_risk = load_workbook(io.BytesIO(client.get("/churn/at-risk.xlsx").content)).active.iter_rows(values_only=True)
    assert {r[1]: r[3] for r in list(at_risk)[1:]} == expected
    for customer in (wang, wanglei):
        panel = client.get(f"/churn/customers/{customer.pk}/panel/").content.decode()
        shown = re.search(r'data-testid="churn-severity">([^<]+)<', panel).group(1)
        assert shown == expected[customer.name]
    snapshot = client.get(f"/customers/{wang.pk}/").content.decode()
    assert "High · 100%" in snapshot
    assert "Severity: high at a churn probability of 30% or more" in client.get("/churn/").content.decode()


def test_reasons_are_only_what_raises_the_risk():
    x = pd.DataFrame({"aum_ratio_1m": [0.5, 0.5], "payroll_1m": [1.0, 1.0], "product_count": [2.0, 2.0]})
    uplifts = np.array([[0.08, -0.2, 0.004], [0.003, -0.5, 0.001]])  # row 2: a customer at 0 %
    reasons = top_reasons(x.to_numpy(np.float32), uplifts, list(x.columns), minimum=0.01)
    assert reasons == [[sentence("aum_ratio_1m", 0.5)], []]  # protective payroll never; tiny pushes neither


def test_uplifts_have_the_contributions_sign_and_vanish_for_a_customer_at_zero():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = pd.DataFrame({"drain": rng.normal(size=2000), "payroll": rng.integers(0, 2, 2000).astype(float)})
    y = ((x.drain * 2 - x.payroll * 2 + rng.normal(size=2000)) > 1.5).astype(int)
    trained = Trained(fit_booster(x, y, DEFAULTS["model"] | {"n_estimators": 60}), None, list(x.columns))
    raw = trained.raw(x)
    trained.calibrator = LogisticRegression(C=1e6).fit(np.log(raw / (1 - raw))[:, None], y)
    uplifts, contributions = trained.uplifts(x), trained.contributions(x)
    assert (np.sign(uplifts) == np.sign(contributions)).all()
    p = trained.probability(x)
    safest = np.argsort(p)[:20]
    assert p[safest].max() < 0.01 and uplifts[safest].max() < 0.01  # nothing raises a 0 % customer's risk


def test_the_360_panel_says_when_nothing_raises_the_risk(bank, login, english):  # noqa: F811
    wang = bank.customers["wang"]
    ChurnScore.objects.create(
        customer=wang, business_date=DAY, model_version=1, probability=0.001, band="low", reasons=[]
    )
    html = login(bank.staff["rm_a"]).get(f"/churn/customers/{wang.pk}/panel/").content.decode()
    assert 'data-testid="no-risk-factor"' in html and "Why" not in html


def test_p_alive_is_named_as_the_purchase_model_not_churn(outputs, login, english):  # noqa: F811
    client = login(outputs.staff["rm_a"])
    html = client.get(f"/loyalty/customers/{outputs.customers['wang'].pk}/panel/").content.decode()
    assert "Probability still transacting (purchase model)" in html and "Probability still active" not in html
    assert "It is not the churn model" in html


def test_complaints_are_model_features_with_zero_for_customers_without():
    features = pd.DataFrame(
        {
            "customer_no": ["C1", "C2"],
            "branch_code": ["S1", "S1"],
            "aum": [1000.0, 1000.0],
            **{f"aum_{k}m": [1000.0, 1000.0] for k in (1, 3, 6, 12)},
            "avg_daily_aum_3m": [1000.0, 1000.0],
            "avg_daily_aum_3m_prev": [1000.0, 1000.0],
            "bal_time_deposit": [0.0, 0.0],
            "next_competitor_maturity": [None, None],
            "outflow_1m": [0.0, 0.0],
            "outflow_prev3": [0.0, 0.0],
            "card_1m": [0.0, 0.0],
            "card_prev3": [0.0, 0.0],
        }
    )
    complaints = pd.DataFrame(
        {
            "customer_id": [1],
            "customer_no": ["C1"],
            "open_complaints": [2],
            "max_open_severity": [3],
            "resolved_late_recent": [True],
            "last_received_on": [DAY],
        }
    )
    x = model_matrix(features, DAY, None, complaints)
    assert x.loc["C1", list(COMPLAINT_FEATURES)].tolist() == [2.0, 3.0, 1.0]
    assert x.loc["C2", list(COMPLAINT_FEATURES)].tolist() == [0.0, 0.0, 0.0]
    assert not set(COMPLAINT_FEATURES) & set(model_matrix(features, DAY).columns)
    assert sentence("complaints_open", 2.0)["zh"] == "有 2 件投诉未解决"
    assert sentence("complaint_max_severity", 3.0)["en"] == "Most severe open complaint: high"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_model_report_reads_training_then_validation_then_cut_off(bank, login, client, language):
    train = [f"{y}-{m:02d}-28" for y, m in [(2025, m) for m in range(8, 13)] + [(2026, m) for m in range(1, 8)]]
    ChurnModel.objects.create(
        version=3,
        as_of=dt.date(2026, 11, 30),
        path="v3.pkl",
        metrics={
            "train_dates": train,
            "validation_date": "2026-08-31",
            "definition": {"horizon_months": 3},
            "importance": [{"feature": "complaints_open", "gain": 12.0}],
        },
    )
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    html = login(bank.staff["rm_a"]).get("/churn/model/").content.decode()
    training = re.search(r'data-testid="training-months">([^<]+)<', html).group(1)
    validation = re.search(r'data-testid="validation-month">([^<]+)<', html).group(1)
    assert training == "2025-08 – 2026-07" and validation == "2026-08"
    assert max(train)[:7] < validation  # validation after training, as the subtitle says
    assert html.index('"training-months"') < html.index('"validation-month"')  # read in time order
    if language == "en":
        assert "Trained as of" not in html and "Open complaints · 12" in html  # names, not column codes
        assert "Trained on the month-ends 2025-08 to 2026-07, validated on the next one, 2026-08" in html


def test_the_migration_gives_open_alerts_their_customers_band(bank):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tenure.churn.migrations.0004_alert_severity_from_score")
    wang, li = bank.customers["wang"], bank.customers["li"]
    ChurnScore.objects.create(customer=wang, business_date=DAY, model_version=1, probability=0.9, band="high")
    rated = Alert.objects.create(
        customer=wang, cause="tier_downgrade", severity="medium", business_date=DAY, due_on=DAY
    )
    closed = Alert.objects.create(
        customer=wang, cause="relocation", severity="medium", business_date=DAY, due_on=DAY, status="closed"
    )
    unscored = Alert.objects.create(customer=li, cause="aum_drop", severity="high", business_date=DAY, due_on=DAY)
    migration.severity_from_score(apps, None)
    assert [Alert.objects.get(pk=a.pk).severity for a in (rated, closed, unscored)] == ["high", "medium", "high"]
