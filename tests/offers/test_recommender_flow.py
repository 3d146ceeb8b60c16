"""`tenure offers train|evaluate` end to end on a generated bank (1,000 customers × 4 months), via
the CLI: the evaluation judges the last month-end with a next one, trains on the months before it
only, and the model's top 3 beat the most popular suitable types (the generator's planted adoption
drivers, docs/generator.md); the trained model ranks the suitable products of real customers, with
reasons, and proposes nothing `suitable` refuses; nightly scoring scores everyone but the customers
who refused profiling, once per business date and model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TENURE = str(Path(sys.executable).with_name("tenure"))
pytestmark = pytest.mark.own_home


def _run(home: Path, *args: str) -> dict:
    env = {**os.environ, "TENURE_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([TENURE, *args], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("offers-home")
    extracts = home / "extracts"
    _run(home, "generate", "--customers", "1000", "--months", "4", "--end-date", "2026-06-30", "--out", str(extracts))
    _run(home, "migrate", "--verbosity", "0")
    _run(home, "keys", "init")
    _run(home, "import", str(extracts))
    return home


CHECK = """
import json
from django.utils import timezone
from tenure.customers.models import Customer
from tenure.offers.selectors import recommend
from tenure.offers.suitability import suitable
today = timezone.localdate()
seen = {"customers": 0, "ranked": 0, "offers": 0, "unsuitable": 0, "with_reasons": 0, "investment": 0, "other": []}
# Customers scored on the page compute their features from the lake (no nightly run here): a sample.
for c in Customer.objects.filter(customer_type="personal").exclude(risk_tolerance="").order_by("pk")[:40]:
    r = recommend(c, today)
    seen["customers"] += 1
    seen["ranked"] += r.ranking == "model"
    if r.ranking != "model":
        seen["other"].append([r.ranking, c.consent_profiling])
    for o in r.offers:
        seen["offers"] += 1
        seen["unsuitable"] += not suitable(c, o.product, today).ok
        seen["investment"] += o.product.product_type in ("wealth", "fund", "insurance")
    seen["with_reasons"] += any(o.reasons for o in r.top)
print(json.dumps(seen))
"""


BOOK = """
import json
from django.utils import timezone
from tenure.offers.book import BookOffers
from tenure.offers.selectors import recommend
from tenure.org.models import Staff
today = timezone.localdate()
head_office = Staff(username="ho", is_superuser=True, is_active=True)  # sees every branch, never saved
rows = BookOffers(head_office, mine=False, sort="value", descending=True, on=today)[:25]
panel = {}
for o in rows:
    if o.customer.pk not in panel:
        panel[o.customer.pk] = {x.product.product_type: x.reasons for x in recommend(o.customer, today).offers}
same = sum(panel[o.customer.pk].get(o.product_type, o.reasons) == o.reasons for o in rows)
print(json.dumps({"rows": len(rows), "with_reasons": sum(bool(o.reasons) for o in rows), "same": same}))
"""


KEPT = """
import json
import pandas as pd
from tenure import lake
from tenure.churn.labels import balance_dates
from tenure.customers.models import Customer
from tenure.lake import connect
from tenure.offers import recommender
day = balance_dates()[-1]
nos = list(Customer.objects.order_by("customer_no").values_list("customer_no", flat=True)[:300])
con = connect()
live = recommender.holdings(con, day, nos).join(recommender.profile(con, day, nos), how="outer").sort_index()
kept = lake.read_output(recommender.INPUTS_STEP, day).to_pandas().set_index("customer_no")
pd.testing.assert_frame_equal(kept.loc[live.index], live, check_names=False)  # what scoring kept
pd.testing.assert_frame_equal(recommender.offer_inputs(con, day, nos).sort_index(), live, check_names=False)
recommender.inputs_keep(day, live * 0 + 99)  # a marked copy under the current partitions: read
marked = bool((recommender.offer_inputs(con, day, nos).fillna(99) == 99).all().all())
vouched = lake.vouched_partitions
lake.vouched_partitions = lambda t: [(d, "re-imported") for d, _ in vouched(t)]  # a partition changed
after = recommender.offer_inputs(con, day, nos).sort_index()
lake.vouched_partitions = vouched
recommender.inputs_keep(day, kept)  # as scoring left it, for the checks after this one
print(json.dumps({"customers": len(live), "marked": marked, "stale_ignored": after.equals(live)}))
"""


def test_evaluate_trains_on_earlier_months_and_beats_the_popular_suitable_types(home):
    result = _run(home, "offers", "evaluate", "--as-of", "2026-06-15", "--json")  # the month-end before
    assert result["as_of"] == "2026-05-31" and max(result["train_months"]) < result["as_of"]
    assert result["customers"] > 20
    assert result["hit_rate_at_3"] > result["baseline_hit_rate_at_3"]
    assert result["top_pairs_precision"] > 2 * result["baseline_top_pairs_precision"]


def test_trained_model_ranks_suitable_products_with_reasons(home):
    trained = _run(home, "offers", "train", "--json")
    assert trained["train_months"][-1] == "2026-05-31" and "time_deposit" in trained["types"]
    seen = _run(home, "shell", "-c", CHECK)
    assert seen["customers"] == 40 and seen["ranked"] > 30
    # The others: refused profiling (never scored) or joined after the last month-end (no features).
    assert all(ranking == "refused" and not consents or ranking == "no_features" for ranking, consents in seen["other"])
    assert seen["offers"] > 0 and seen["unsuitable"] == 0
    assert seen["investment"] > 0  # dated assessments from the extract: investment products are offered
    assert seen["with_reasons"] > 0

    # Nightly scoring with the same model: everyone but the refusals, once per date and model.
    scored = _run(home, "offers", "score", "--json")
    assert scored["business_date"] == "2026-06-30" and scored["features_on"] == "2026-06-30"
    assert scored["scored"] > 900 and scored["refused_profiling"] > 0  # the generator's refusals: never scored
    assert 0 < scored["offers"] <= 3 * scored["scored"]
    again = _run(home, "offers", "score", "--json")
    assert again == {"business_date": "2026-06-30", "skipped": "already scored with this model"}

    # Scoring keeps the bank's offer inputs for the 360° panel; they equal the lake's, and a changed
    # partition makes the copy stale (read live again).
    kept = _run(home, "shell", "-c", KEPT)
    assert kept == {"customers": 300, "marked": True, "stale_ignored": True}

    # The book's list gives each offer the reasons the 360° panel gives it.
    book = _run(home, "shell", "-c", BOOK)
    assert book["rows"] == 25 and book["with_reasons"] > 0 and book["same"] == 25
