"""The retention lottery (seed 004 §一.6): invited after an AUM drop, eligible when back at last month's level."""

import datetime as dt
from decimal import Decimal

import pandas as pd

from tenure.churn.models import Alert
from tenure.retention import lottery
from tenure.retention.lottery import lottery_evaluate, lottery_rule
from tenure.retention.models import LotteryEntry

DAY = dt.date(2026, 8, 31)


def test_rule_by_hand():
    entries = pd.DataFrame(
        {
            "customer_no": ["BACK", "SHORT", "LATE", "GONE"],
            "target_aum": [100000.0, 100000.0, 100000.0, 100000.0],
            "deadline": [DAY, DAY, dt.date(2026, 7, 31), dt.date(2026, 7, 31)],
        }
    )
    aum = pd.Series({"BACK": 100000.0, "SHORT": 99999.0, "LATE": 50000.0})
    assert lottery_rule(entries, aum, DAY).tolist() == ["eligible", "invited", "expired", "expired"]


def test_evaluate_invites_then_marks_the_customer_who_came_back(bank, monkeypatch, login):
    wang, li = bank.customers["wang"], bank.customers["li"]
    for c in (wang, li):
        Alert.objects.create(
            customer=c,
            cause="aum_drop",
            severity="high",
            business_date=dt.date(2026, 7, 31),
            due_on=dt.date(2026, 8, 5),
        )
    aum = {
        dt.date(2026, 6, 30): {"C0000001": 300000, "C0000003": 1200000},  # before the drop
        DAY: {"C0000001": 310000, "C0000003": 600000},
    }
    monkeypatch.setattr(lottery, "connect", lambda: None)
    monkeypatch.setattr(
        lottery,
        "features_frame",
        lambda con, day, columns: pd.DataFrame(
            {"customer_no": list(aum[day]), "aum": [float(v) for v in aum[day].values()]}
        ),
    )
    result = lottery_evaluate(day=DAY)
    assert (result["invited"], result["eligible"]) == (2, 1)
    entry = LotteryEntry.objects.get(customer=wang)
    assert (entry.status, entry.target_aum, entry.aum_at_check) == ("eligible", Decimal("300000"), Decimal("310000"))
    assert LotteryEntry.objects.get(customer=li).status == "invited"  # deadline is this month-end: still time
    assert lottery_evaluate(day=DAY)["invited"] == 0  # invited once per alert date
    page = login(bank.staff["rm_a"]).get("/retention/lottery/").content.decode()
    assert "王芳" in page and "李娜" not in page  # default filter: eligible
