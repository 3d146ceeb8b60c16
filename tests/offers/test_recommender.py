"""The recommender's pieces by hand: precision@3 and the hit rate, the top-3 of scores, the
popularity baseline, a booster that learns a planted driver and explains it in words; and the panel
without a model (catalogue order, said so) and for a customer who refused profiling."""

import numpy as np
import pandas as pd
from django.utils import timezone

from tenure.ingest.schema import PRODUCT_TYPES
from tenure.offers import recommender
from tenure.offers.recommender import fit, popularity, precision_at_k, top_types
from tests.offers.helpers import assessed, product


def _truth(rows: dict[str, list[str]]) -> pd.DataFrame:
    y = pd.DataFrame(False, index=list(rows), columns=list(PRODUCT_TYPES))
    for customer, kinds in rows.items():
        y.loc[customer, kinds] = True
    return y


def test_precision_and_hit_rate_at_3_by_hand():
    truth = _truth({"a": ["fund"], "b": ["wealth", "credit_card"], "c": [], "d": ["loan"]})
    ranked = pd.DataFrame(
        [
            ["fund", "wealth", "savings"],
            ["wealth", "credit_card", "fund"],
            ["fund", "loan", "wealth"],
            ["fund", "wealth", "savings"],
        ],
        index=["a", "b", "c", "d"],
    )
    # c opened nothing: left out. Hits a 1, b 2, d 0 → 3 of 9 slots; 2 of 3 customers hit.
    assert precision_at_k(ranked, truth) == {"customers": 3, "precision_at_k": 0.3333, "hit_rate_at_k": 0.6667}


def test_top_types_and_popularity():
    scores = pd.DataFrame({t: [0.0, 0.0] for t in PRODUCT_TYPES}, index=["a", "b"])
    scores.loc["a", ["fund", "loan", "wealth"]] = [0.5, 0.3, 0.4]
    assert top_types(scores).loc["a"].tolist() == ["fund", "wealth", "loan"]
    assert top_types(scores).loc["b"].tolist() == ["current", "savings", "time_deposit"]  # ties: type order
    months = [(None, _truth({"a": ["fund"], "b": ["fund", "wealth"], "c": ["loan"]}))]
    assert popularity(months)[:2] == ["fund", "wealth"] or popularity(months)[:2] == ["fund", "loan"]
    assert popularity(months)[0] == "fund"


def test_a_planted_driver_is_learned_and_read_as_a_reason():
    rng = np.random.default_rng(3)
    n = 2000
    days = rng.uniform(0, 200, n)
    x = pd.DataFrame(
        {"days_to_competitor_maturity": days, "aum": rng.uniform(1e3, 1e6, n)},
        index=[f"C{i}" for i in range(n)],
    ).astype("float32")
    y = _truth({c: [] for c in x.index})
    y["wealth"] = (days < 30) & (rng.random(n) < 0.6)  # maturing competitor money comes to our wealth
    y["fund"] = rng.random(n) < 0.02
    model = fit([(x, y)])
    assert set(model.boosters) == {"wealth", "fund"} and model.base_rates["loan"] == 0.0
    soon = x.loc[[x.index[np.argmin(days)]]]
    late = x.loc[[x.index[np.argmax(days)]]]
    assert model.scores(soon).loc[soon.index[0], "wealth"] > 5 * model.scores(late).loc[late.index[0], "wealth"]
    assert model.scores(late).loc[late.index[0], "savings"] == 0.0  # never opened: base rate 0
    reasons = model.reasons(soon, "wealth")[0]
    assert reasons and reasons[0]["feature"] == "days_to_competitor_maturity"
    assert reasons[0]["en"].startswith("Competitor product matures in") and "天后到期" in reasons[0]["zh"]


def test_without_a_model_the_panel_keeps_catalogue_order_and_says_so(bank, login, english):
    assert recommender.load() is None
    wang = bank.customers["wang"]
    assessed(wang, "C3", on=timezone.localdate())
    product("W-R2", risk="R2")
    text = login(bank.staff["rm_a"]).get(f"/offers/customers/{wang.pk}/").content.decode()
    assert "No trained recommender yet" in text and "chance of opening" not in text
    data = login(bank.staff["rm_a"]).get(f"/api/v1/customers/{wang.pk}/offers/").json()
    assert data["ranking"] == "no_model" and all(o["score"] is None for o in data["offers"])
    wang.consent_profiling = False
    wang.save()
    data = login(bank.staff["rm_a"]).get(f"/api/v1/customers/{wang.pk}/offers/").json()
    assert data["ranking"] == "refused"
