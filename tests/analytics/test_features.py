"""Every feature of the tiny bank (tests/analytics/bank.py), computed by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.analytics.bank import D4
from tests.analytics.helpers import nightly, output_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def features(bank):
    nightly("--date", D4.isoformat())
    return output_rows("features", D4)


def test_one_row_per_customer_onboarded_by_the_date(features):
    assert sorted(features) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]


def test_aum_now_and_months_ago_excludes_loans_and_cards(features):
    c1 = features["C1"]
    # Current account 1,000,000 plus wealth 200,000 at D; 1,000,000 a month ago; 900,000 three months ago.
    assert (c1["aum"], c1["aum_1m"], c1["aum_3m"]) == (
        Decimal("1200000.00"),
        Decimal("1000000.00"),
        Decimal("900000.00"),
    )
    assert (c1["aum_change_1m"], c1["aum_change_3m"]) == (Decimal("200000.00"), Decimal("300000.00"))
    # The lake has no month 6 or 12 months back: unknown, not zero.
    assert c1["aum_6m"] is None and c1["aum_change_12m"] is None
    # C4 holds only a loan and a card.
    assert features["C4"]["aum"] == 0 and features["C4"]["bal_loan"] == Decimal("470000.00")
    assert features["C4"]["bal_credit_card"] == Decimal("1000.00")


def test_average_daily_aum_uses_the_average_balance_and_counts_missing_months_as_zero(features):
    # C3's April average daily balance is 104,000 though the month-end balance is 99,999.99.
    assert features["C3"]["avg_daily_aum_3m"] == Decimal("106333.33")  # (110,000 + 105,000 + 104,000) / 3
    assert features["C3"]["avg_daily_aum_3m_prev"] == Decimal("111666.67")  # (120,000 + 110,000 + 105,000) / 3
    assert features["C5"]["avg_daily_aum_3m"] == Decimal("100000.00")  # onboarded in April: 300,000 / 3


def test_max_drawdown_from_the_running_peak(features):
    assert features["C6"]["max_drawdown_12m"] == 0.5  # 2,000,000 → 1,000,000
    assert features["C3"]["max_drawdown_12m"] == 0.1667  # 120,000 → 99,999.99
    assert features["C1"]["max_drawdown_12m"] == 0.0


def test_products_held_and_tenure(features):
    assert features["C1"]["product_count"] == 2
    assert features["C1"]["bal_wealth"] == Decimal("200000.00")
    assert features["C1"]["tenure_days"] == (D4 - dt.date(2020, 1, 1)).days
    assert features["C5"]["tenure_days"] == 20


def test_rfm_excludes_interest_and_fees(features):
    c2 = features["C2"]
    # Payroll on Jan 15, Feb 15, Mar 14, Apr 15; the interest booked on Apr 16 is not the customer's doing.
    assert c2["recency_days"] == 15
    assert c2["last_transaction_on"] == dt.date(2025, 4, 15)
    assert (c2["frequency_90d"], c2["monetary_90d"]) == (3, Decimal("24000.00"))
    assert (c2["frequency_365d"], c2["monetary_365d"]) == (4, Decimal("32000.00"))
    assert features["C6"]["recency_days"] is None and features["C6"]["frequency_365d"] == 0


def test_channel_mix(features):
    c1 = features["C1"]
    assert (c1["share_mobile"], c1["share_online"], c1["share_counter"]) == (0.6667, 0.3333, 0.0)
    assert features["C6"]["share_mobile"] == 0.0  # no transactions: all shares 0


def test_payroll_like_regular_inflows(features):
    assert features["C2"]["payroll_months_6m"] == 4
    assert features["C2"]["has_payroll"] is True
    assert features["C2"]["regular_inflow_6m"] == Decimal("32000.00")
    assert features["C1"]["has_payroll"] is False


def test_this_month_against_the_months_before(features):
    # Month 0 is April (to D); 1-3 are March, February, January. C1 sent 1,000 on Feb 20,
    # 500 at 23:59:59 on Mar 31 (still March) and 2,000 on Apr 21.
    c1 = features["C1"]
    assert (c1["outflow_1m"], c1["outflow_prev3"], c1["max_outflow_1m"]) == (
        Decimal("2000.00"),
        Decimal("500.00"),
        Decimal("2000.00"),
    )
    # C2's payroll came in April and in each of the three months before.
    assert (features["C2"]["payroll_1m"], features["C2"]["payroll_months_prev"]) == (1, 3)
    assert (features["C1"]["payroll_1m"], features["C1"]["payroll_months_prev"]) == (0, 0)
    # C4's card purchase of 10,000 on Apr 20; nothing before.
    assert (features["C4"]["card_1m"], features["C4"]["card_prev3"]) == (Decimal("10000.00"), Decimal("0.00"))
    assert features["C6"]["outflow_1m"] == 0 and features["C6"]["max_outflow_1m"] == 0  # no transactions


def test_competitor_products_not_yet_matured(features):
    # H1's maturity comes from the competitor product (2025-05-07); H2 matured on 2025-04-01.
    assert features["C1"]["competitor_products"] == 1
    assert features["C1"]["competitor_amount"] == Decimal("500000.00")
    assert features["C1"]["next_competitor_maturity"] == dt.date(2025, 5, 7)
    assert features["C3"]["competitor_products"] == 0


def test_contribution_from_margins_not_volume(features):
    # Margins on the 3-month average daily balance, interchange on card purchases, minus 50 service cost.
    expected = {
        "C1": "19950.00",  # (950k + 1,000k + 1,000k) × 2.0% + 200k × 0.5% = 60,000 / 3 − 50
        "C2": "1450.00",  # 300k × 1.5% / 3 − 50
        "C3": "2076.67",  # 319k × 2.0% / 3 − 50
        "C4": "7205.00",  # loan 1,440k × 1.5% / 3 + card 1,000 × 3% / 3 + 10,000 × 0.45% − 50
        "C5": "1450.00",
        "C6": "21450.00",  # 4,300k × 1.5% / 3 − 50
        "C7": "-49.00",
    }
    assert {c: str(row["contribution"]) for c, row in features.items()} == expected


def test_branch_is_the_latest_as_of_the_date(bank):
    nightly("--date", "2025-03-31")
    assert output_rows("features", dt.date(2025, 3, 31))["C2"]["branch_code"] == "B1"
    nightly("--date", D4.isoformat())
    assert output_rows("features", D4)["C2"]["branch_code"] == "B2"
