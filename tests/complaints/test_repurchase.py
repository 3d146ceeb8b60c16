"""Repurchase after a problem: complainants against customers with a problem signal who did not
complain, computed by hand on hand-made frames and on the tiny bank's lake."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tenure.complaints import recovery
from tenure.complaints.models import RootCause
from tests.complaints.conftest import aware
from tests.factories import _register

D = dt.date


def test_repurchased_within_counts_the_days_after_the_problem_up_to_the_horizon():
    problems = pd.DataFrame(
        {
            "customer_no": ["A", "A", "B", "C", "D"],
            "day": [D(2025, 6, 1), D(2025, 7, 20), D(2025, 6, 1), D(2025, 6, 1), D(2025, 6, 1)],
        },
        index=[10, 11, 12, 13, 14],
    )
    bought = pd.DataFrame({"customer_no": ["A", "B", "C"], "day": [D(2025, 7, 1), D(2025, 6, 1), D(2025, 7, 2)]})
    got = recovery.repurchased_within(problems, bought, 30, last_day=D(2025, 8, 1))
    # A on 1 Jun: bought 1 Jul (day 30, inside); A on 20 Jul: window ends 19 Aug, after the lake → NaN;
    # B bought the same day (not after); C on day 31 (outside); D bought nothing.
    assert got.loc[10] is True and pd.isna(got.loc[11])
    assert got.loc[12] is False and got.loc[13] is False and got.loc[14] is False


def test_without_complaint_drops_signals_followed_by_a_complaint_within_the_horizon():
    signals = pd.DataFrame({"customer_no": ["A", "B", "C"], "day": [D(2025, 6, 1)] * 3, "major": [True, False, False]})
    filed = pd.DataFrame({"customer_no": ["A", "B"], "day": [D(2025, 6, 20), D(2025, 5, 1)]})
    assert list(recovery.without_complaint(signals, filed, 30).customer_no) == ["B", "C"]


def test_repurchase_by_group_splits_speed_and_problem_size():
    complaints = pd.DataFrame(
        {
            "speed": ["within_1_day", "within_1_day", "late", "late"],
            "major": [False, False, True, True],
            "repurchased": [True, False, False, np.nan],
        }
    )
    signals = pd.DataFrame({"major": [True, False, False, False], "repurchased": [True, False, False, True]})
    out = recovery.repurchase_by_group(complaints, signals).set_index(["group", "problem"])
    assert len(out) == len(recovery.GROUPS) * 2
    assert tuple(out.loc[("within_1_day", "minor")][["observed", "repurchased", "share"]]) == (2, 1, 0.5)
    assert tuple(out.loc[("late", "major")][["observed", "repurchased", "share"]]) == (1, 0, 0.0)  # NaN left out
    assert tuple(out.loc[("no_complaint", "minor")][["observed", "repurchased"]]) == (3, 1)
    assert out.loc[("within_sla", "major")].observed == 0 and pd.isna(out.loc[("within_sla", "major")].share)


def _ticket(customer: str, branch: str, issued: dt.datetime, wait_minutes: int | None) -> dict:
    called = None if wait_minutes is None else issued + dt.timedelta(minutes=wait_minutes)
    return {
        "branch_code": branch,
        "ticket_no": f"A{issued:%d%H}",
        "service_type": "cash",
        "customer_no": customer,
        "issued_at": issued,
        "called_at": called,
        "finished_at": called and called + dt.timedelta(minutes=5),
    }


@pytest.fixture
def problems(bank, file_complaint):
    """Wang Fang complains (medium, resolved in 6 hours) and buys a wealth product 8 days later; Li
    Na complains (high, resolved late) and buys nothing; Wang Lei walks away from the queue and
    opens an account 15 days later; Zhao Min (B02) waits 40 minutes and buys after 56 days; Wang
    Fang's own long wait the day before her complaint is not a silent problem."""
    from tenure.complaints.lifecycle import complaint_transition

    by = bank.staff["rm_a"]
    cause = RootCause.objects.get(code="manners")
    fast = file_complaint("wang", severity="medium", received_at=aware(2025, 6, 2, 9, 0))
    late = file_complaint("li", by="rm_a2", severity="high", received_at=aware(2025, 6, 2, 9, 0))
    for complaint, resolved in ((fast, aware(2025, 6, 2, 15, 0)), (late, aware(2025, 6, 20, 15, 0))):
        complaint.root_cause = cause
        complaint.save()
        for status in ("acknowledged", "investigating", "resolved"):
            complaint = complaint_transition(complaint, status, by, at=resolved)
    tickets = [
        _ticket("C0000002", "S0101", dt.datetime(2025, 6, 5, 10), None),
        _ticket("C0000009", "S0201", dt.datetime(2025, 6, 6, 10), 40),
        _ticket("C0000001", "S0101", dt.datetime(2025, 6, 1, 10), 30),
        _ticket("C0000003", "S0102", dt.datetime(2025, 6, 7, 10), 5),  # served in time: no problem
    ]
    _register("queue_tickets", D(2025, 6, 28), pa.Table.from_pylist(tickets))
    accounts = [
        ("A-wang-wm", "C0000001", D(2016, 1, 1)),
        ("A-li-sav", "C0000003", D(2016, 1, 1)),
        ("A-zhao-cur", "C0000009", D(2016, 1, 1)),
        ("A-wanglei-new", "C0000002", D(2025, 6, 20)),
    ]
    _register(
        "accounts",
        D(2025, 6, 28),
        pa.table(dict(zip(["account_id", "customer_no", "opened_on"], zip(*accounts, strict=False), strict=True))),
    )
    buys = [("T1", "A-wang-wm", dt.datetime(2025, 6, 10, 10)), ("T2", "A-zhao-cur", dt.datetime(2025, 8, 1, 10))]
    _register(
        "transactions",
        D(2025, 8, 28),
        pa.table(
            {
                "txn_id": [b[0] for b in buys],
                "account_id": [b[1] for b in buys],
                "txn_time": [b[2] for b in buys],
                "txn_type": ["product_buy"] * 2,
                "direction": ["C"] * 2,
            }
        ),
    )
    return bank


def _repurchase(client, **query) -> dict[tuple[str, str], list]:
    html = client.get(
        "/complaints/analytics/", {"table": "repurchase", **query}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    data = json.loads(re.search(r'<script id="complaints-data" type="application/json">(.*?)</script>', html)[1])
    assert 'data-testid="repurchase-formula"' in html and 'data-testid="table-repurchase"' in html
    labels = data["repurchase"]["labels"]
    return {
        (label, s["name"]): value
        for s in data["repurchase"]["series"]
        for label, value in zip(labels, s["values"], strict=True)
    }


def test_the_page_compares_complainants_with_customers_who_did_not_complain(problems, login):
    shares = _repurchase(login(problems.staff["service"]), horizon="30")
    assert shares[("Resolved within 1 day", "Minor problem")] == 100.0  # Wang Fang bought on day 8
    assert shares[("Resolved late", "Major problem")] == 0.0  # Li Na did not
    assert shares[("Had a problem, did not complain", "Major problem")] == 100.0  # Wang Lei's new account
    assert shares[("Had a problem, did not complain", "Minor problem")] == 0.0  # Zhao bought on day 56
    assert shares[("Resolved within the SLA", "Major problem")] is None
    longer = _repurchase(login(problems.staff["service"]), horizon="60")
    assert longer[("Had a problem, did not complain", "Minor problem")] == 100.0


def test_the_comparison_group_is_scoped(problems, login):
    shares = _repurchase(login(problems.staff["head_a"]), horizon="30")
    assert shares[("Had a problem, did not complain", "Minor problem")] is None  # Zhao is B02's
    assert shares[("Had a problem, did not complain", "Major problem")] == 100.0
