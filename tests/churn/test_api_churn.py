"""/api/v1/churn-alerts/ and /api/v1/churn-scores/: scoped, paginated, no identifiers, reasons with every score."""

import datetime as dt

from tenure.churn.models import Alert, ChurnScore

DAY = dt.date(2026, 7, 31)
REASON = {"feature": "aum_ratio_1m", "zh": "AUM 下降 40%（近 1 个月）", "en": "AUM down 40% (last month)"}


def seed(bank):
    for key, p in (("wang", 0.4), ("li", 0.3), ("zhao", 0.5)):
        c = bank.customers[key]
        ChurnScore.objects.create(
            customer=c, business_date=DAY, model_version=1, probability=p, band="high", reasons=[REASON]
        )
        Alert.objects.create(
            customer=c,
            cause="aum_drop",
            severity="high",
            business_date=DAY,
            due_on=DAY,
            probability=p,
            value_at_risk=p * 1000,
        )


def test_alerts_are_scoped_and_paginated(bank, login):
    seed(bank)
    body = login(bank.staff["head_a"]).get("/api/v1/churn-alerts/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    first = body["results"][0]
    assert first["customer"] == "C0000001" and first["cause"] == "aum_drop"
    assert not {"mobile", "id_number", "email"} & set(first)
    rm = login(bank.staff["rm_a"]).get("/api/v1/churn-alerts/?customer=C0000009").json()
    assert rm["count"] == 0  # the foreign customer's alert does not exist for B01 staff


def test_scores_carry_reasons_and_skip_refusals(bank, login):
    seed(bank)
    li = bank.customers["li"]
    li.consent_profiling = False
    li.save()
    body = login(bank.staff["analyst"]).get("/api/v1/churn-scores/").json()
    assert [r["customer"] for r in body["results"]] == ["C0000009", "C0000001"]  # riskiest first, Li refused
    assert body["results"][0]["reasons"] == [REASON]
    assert login(bank.staff["rm_a"]).get("/api/v1/churn-scores/?band=high").json()["count"] == 1


def test_anonymous_callers_get_nothing(bank, client):
    seed(bank)
    assert client.get("/api/v1/churn-scores/").status_code in (401, 403)
