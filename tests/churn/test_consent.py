"""PIPL art. 24: customers who refused profiling are not scored, and the pages say so; every score
shown to staff carries its reasons."""

import datetime as dt

import numpy as np
import pandas as pd

from tenure.churn import services
from tenure.churn.models import Alert, ChurnModel, ChurnScore
from tenure.ingest.generator import generate_bank

DAY = dt.date(2026, 7, 31)
REASON = {"feature": "aum_ratio_3m", "zh": "AUM 下降 38%（近 3 个月）", "en": "AUM down 38% (last 3 months)"}


def refuse(customer) -> None:
    customer.consent_profiling = False
    customer.save(update_fields=["consent_profiling"])


def test_scoring_skips_refusals_and_removes_their_old_score(bank, monkeypatch):
    wang, li = bank.customers["wang"], bank.customers["li"]
    ChurnScore.objects.create(
        customer=li, business_date=dt.date(2026, 6, 30), model_version=1, probability=0.5, band="high", reasons=[REASON]
    )
    refuse(li)
    row = ChurnModel(version=1, as_of=DAY, path="", metrics={})
    given = []

    class Model:  # a score of 0.6 whose one reason is a 38 % fall of AUM over 3 months
        columns = ["aum_ratio_3m"]

        def matrix(self, x):
            given.append(list(x.index))
            return x.to_numpy(np.float32)

        def uplifts(self, matrix):
            return np.full((len(matrix), 1), 0.2)

    monkeypatch.setattr(services, "latest_model", lambda: (row, Model()))
    monkeypatch.setattr(services, "_probability", lambda row, trained, matrix: np.full(len(matrix), 0.6))
    monkeypatch.setattr(services, "connect", lambda: None)
    matrix = pd.DataFrame(
        {"aum_ratio_3m": [0.62, 0.62], "contribution": [900.0, 900.0]},
        index=pd.Index(["C0000001", "C0000003"], name="customer_no"),
    )
    monkeypatch.setattr(services, "month_matrix", lambda con, day: matrix)
    summary = services.score_date(day=DAY)
    assert given[0] == ["C0000001"]  # the refusal never reaches the model
    assert summary["scored"] == 1 and summary["refused_profiling"] == 1
    assert list(ChurnScore.objects.values_list("customer_id", flat=True)) == [wang.pk]
    assert ChurnScore.objects.get().reasons == [REASON]  # written as JSON text by SQL, read back by the ORM
    refuse(wang)  # and scored again the same day: the refusal's row goes too
    assert services.score_date(day=DAY)["scored"] == 0 and not ChurnScore.objects.exists()


def test_the_panel_and_queue_say_not_scored_even_with_a_stale_row(bank, login):
    li = bank.customers["li"]
    ChurnScore.objects.create(
        customer=li, business_date=DAY, model_version=1, probability=0.55, band="high", reasons=[REASON]
    )
    Alert.objects.create(
        customer=li,
        cause="aum_drop",
        severity="high",
        business_date=DAY,
        due_on=DAY,
        probability=0.55,
        owner=bank.staff["rm_a2"],
    )
    refuse(li)
    client = login(bank.staff["rm_a2"])
    panel = client.get(f"/churn/customers/{li.pk}/panel/").content.decode()
    assert "客户拒绝画像分析，未评分" in panel and "55%" not in panel
    queue = client.get("/churn/").content.decode()
    assert "客户拒绝画像分析，未评分" in queue and "55%" not in queue


def test_the_queue_shows_each_score_with_its_reasons(bank, login):
    wang = bank.customers["wang"]
    ChurnScore.objects.create(
        customer=wang, business_date=DAY, model_version=1, probability=0.42, band="high", reasons=[REASON]
    )
    Alert.objects.create(
        customer=wang,
        cause="aum_drop",
        severity="high",
        business_date=DAY,
        due_on=DAY,
        probability=0.42,
        owner=bank.staff["rm_a"],
    )
    queue = login(bank.staff["rm_a"]).get("/churn/").content.decode()
    assert "42%" in queue and "AUM 下降 38%（近 3 个月）" in queue


def test_the_generator_refuses_profiling_for_about_three_percent(tmp_path):
    generate_bank(customers=3000, months=2, seed=5, out=tmp_path, end_date=dt.date(2026, 2, 28))
    day = sorted(p for p in tmp_path.iterdir() if p.is_dir() and p.name[:2] == "20")[0]
    customers = pd.read_csv(day / "customers.csv", dtype=str, keep_default_na=False)
    personal = customers[customers.customer_type == "personal"]
    share = (personal.consent_profiling == "0").mean()
    assert 0.015 < share < 0.05
    assert set(customers.consent_profiling) == {"0", "1"}
