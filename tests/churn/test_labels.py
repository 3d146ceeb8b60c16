"""Churn labels on a tiny hand-written lake (four month-ends), each case computed by hand."""

import pytest

from tenure.churn.labels import LabelsUnavailable, churn_labels, horizon_end
from tenure.lake import connect
from tests.analytics.bank import D1, D2, D3, D4, write_table

RULES = {"horizon_months": 2, "lookback_months": 2, "aum_share": 0.3, "min_avg_aum": 1000}
# customer -> (product, month-end balances D1..D4; None = no balance row that month)
PATHS = {
    "STAY": ("P-CUR", [10000, 10000, 9000, 9500]),
    "FALL": ("P-CUR", [10000, 10000, 10000, 2000]),  # below 30% of the 10,000 average at D4
    "GONE": ("P-CUR", [10000, 10000, 10000, None]),  # no AUM row at all at D4: AUM 0
    "SHUT": ("P-CUR", [10000, 10000, 10000, 10000]),  # every account closed by D4
    "TINY": ("P-CUR", [500, 500, 500, 0]),  # average below min_avg_aum: not in the population
    "PAST": ("P-CUR", [10000, 1000, 1000, 1000]),  # already below 30% of its average at D2
    "LOAN": ("P-LOAN", [50000, 50000, 50000, 50000]),  # loans are not AUM
}


@pytest.fixture
def lake(settings, tmp_path, db):
    settings.LAKE_DIR = tmp_path / "lake"
    write_table(
        "products",
        D1,
        [
            {"product_code": "P-CUR", "product_type": "current", "issuer": "BANK"},
            {"product_code": "P-LOAN", "product_type": "loan", "issuer": "BANK"},
        ],
    )
    write_table(
        "customers",
        D1,
        [
            {"customer_no": c, "customer_type": "personal", "onboarded_on": "2020-01-01", "branch_code": "S1"}
            for c in PATHS
        ],
    )
    accounts = [
        {"account_id": f"A-{c}", "customer_no": c, "product_code": p, "status": "active"} for c, (p, _) in PATHS.items()
    ]
    write_table("accounts", D1, accounts)
    write_table(
        "accounts", D4, [{"account_id": "A-SHUT", "customer_no": "SHUT", "product_code": "P-CUR", "status": "closed"}]
    )
    for k, day in enumerate((D1, D2, D3, D4)):
        rows = [
            {"account_id": f"A-{c}", "balance": b[k], "avg_daily_balance": b[k]}
            for c, (_, b) in PATHS.items()
            if b[k] is not None
        ]
        write_table("balances", day, rows)


def test_labels_by_hand(lake):
    labels = churn_labels(connect(), D2, RULES).to_pandas().set_index("customer_no")
    assert sorted(labels.index) == ["FALL", "GONE", "SHUT", "STAY"]
    assert labels.churned.to_dict() == {"FALL": True, "GONE": True, "SHUT": True, "STAY": False}
    assert labels.loc["STAY", "avg_aum"] == 10000.0


def test_no_label_without_the_future_month_ends(lake):
    with pytest.raises(LabelsUnavailable):
        churn_labels(connect(), D3, RULES)


def test_the_share_is_configurable(lake):
    labels = churn_labels(connect(), D2, {**RULES, "aum_share": 0.1}).to_pandas().set_index("customer_no")
    assert labels.loc["FALL", "churned"] == False  # noqa: E712 - 2,000 is above 10% of 10,000
    assert "PAST" in labels.index  # 1,000 ≥ 10% of its 5,500 average: still a customer


def test_horizon_end_is_a_month_end():
    assert horizon_end(D2, RULES) == D4
