"""Lost-customer interviews (seed 000): asked for when an alert ends "lost", aggregated for analysts,
and fed back to the churn model as per-branch reason shares."""

import datetime as dt

import pandas as pd

from tenure.churn.dataset import model_matrix
from tenure.churn.models import Alert
from tenure.core.models import AuditEntry
from tenure.retention.models import LostInterview
from tenure.retention.selectors import lost_reason_shares

DAY = dt.date(2026, 7, 31)


def alert(customer) -> Alert:
    return Alert.objects.create(
        customer=customer, cause="aum_drop", severity="high", business_date=DAY, due_on=dt.date(2026, 8, 5), owner=None
    )


def test_lost_outcome_opens_the_interview_and_it_is_saved(bank, login):
    wang = bank.customers["wang"]
    a = alert(wang)
    client = login(bank.staff["rm_a"])
    response = client.post(f"/churn/customers/{wang.pk}/act/", {"alert": a.pk, "outcome": "lost"})
    assert response.status_code == 302 and response.url == f"/retention/customers/{wang.pk}/interview/?alert={a.pk}"
    assert "他行利率或收益更高" in client.get(response.url).content.decode()
    form = {
        "alert": a.pk,
        "reasons": ["better_rate", "waiting_time"],
        "competitor": "ICBC",
        "would_return": "maybe",
        "note": "他行三年期高 0.3%",
    }
    assert client.post(f"/retention/customers/{wang.pk}/interview/", form).status_code == 302
    interview = LostInterview.objects.get()
    assert (interview.alert, interview.reasons, interview.branch_code) == (a, ["better_rate", "waiting_time"], "S0101")
    assert AuditEntry.objects.filter(action="retention.interview.record", customer_no="C0000001").exists()


def test_unknown_reason_is_refused(bank, login):
    wang = bank.customers["wang"]
    client = login(bank.staff["rm_a"])
    form = {"reasons": ["bad_weather"], "would_return": "no"}
    assert client.post(f"/retention/customers/{wang.pk}/interview/", form).status_code == 200
    assert not LostInterview.objects.exists()


def test_interview_of_a_foreign_customer_or_alert_is_404(bank, login):
    client = login(bank.staff["rm_a"])
    zhao, wang = bank.customers["zhao"], bank.customers["wang"]
    assert client.get(f"/retention/customers/{zhao.pk}/interview/").status_code == 404
    foreign_alert = alert(zhao)
    assert client.get(f"/retention/customers/{wang.pk}/interview/?alert={foreign_alert.pk}").status_code == 404


def interview(customer, reasons, competitor="ICBC"):
    return LostInterview.objects.create(
        customer=customer, reasons=reasons, competitor=competitor, would_return="no", branch_code=customer.branch_id
    )


def test_reason_report_is_scoped_and_charts_read_json(bank, login):
    interview(bank.customers["wang"], ["better_rate"])
    interview(bank.customers["li"], ["better_rate", "service_attitude"], competitor="CMB")
    interview(bank.customers["zhao"], ["relocation"], competitor="BOC")
    head = login(bank.staff["head_a"]).get("/retention/interviews/").content.decode()
    assert 'id="reason-data"' in head and 'data-chart="bar"' in head
    assert "CMB" in head and "BOC" not in head  # B02's interview is outside B01
    analyst = login(bank.staff["analyst"]).get("/retention/interviews/").content.decode()
    assert "BOC" in analyst and "搬离本地" in analyst


def test_reason_shares_per_branch_need_five_interviews_and_reach_the_model(bank):
    for n in range(5):
        interview(bank.customers["wang"], ["waiting_time"] if n < 2 else ["better_rate"])
    interview(bank.customers["zhao"], ["service_attitude"])  # one interview: too few for S0201
    shares = lost_reason_shares(before=dt.date.today())
    assert list(shares.index) == ["S0101"]
    assert shares.loc["S0101"].to_dict() == {"branch_lost_service_share": 0.4, "branch_lost_price_share": 0.6}
    features = pd.DataFrame(
        {
            "customer_no": ["A", "B"],
            "branch_code": ["S0101", "S0201"],
            "aum": [1.0, 2.0],
            **{
                c: [1.0, 1.0]
                for c in (
                    "aum_1m",
                    "aum_3m",
                    "aum_6m",
                    "aum_12m",
                    "avg_daily_aum_3m",
                    "avg_daily_aum_3m_prev",
                    "bal_time_deposit",
                    "outflow_1m",
                    "outflow_prev3",
                    "card_1m",
                    "card_prev3",
                )
            },
            "next_competitor_maturity": [None, None],
        }
    )
    x = model_matrix(features, DAY, shares)
    assert x.loc["A", "branch_lost_service_share"] == 0.4
    assert pd.isna(x.loc["B", "branch_lost_price_share"])  # no evidence is missing, not zero


def test_old_interviews_do_not_leak_into_earlier_months(bank):
    for _ in range(5):
        interview(bank.customers["wang"], ["fees"])
    assert lost_reason_shares(before=dt.date(2020, 1, 31)).empty
