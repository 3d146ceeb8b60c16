"""Scorecards on the tiny bank, computed by hand: every figure, the drill-downs, additivity across
RM → branch → bank, the `tenure scorecards --json` line and who may see which scorecard."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.utils import timezone

from tenure.churn.models import Alert
from tenure.complaints.models import Complaint
from tenure.customers.models import Account, Product
from tenure.engagement.models import Task
from tenure.offers.models import OfferResponse
from tenure.org.models import Branch
from tenure.org.scoping import in_their_rm_book
from tenure.performance import lines as line_store
from tenure.performance.compute import Month, ScorecardUnavailable
from tenure.performance.figures import Totals
from tenure.performance.models import ADDITIVE, Scorecard
from tenure.performance.services import scorecards_compute
from tenure.surveys.models import Invitation, Response, Survey, Wave
from tests.factories import ACCOUNTS, MONTH_ENDS, _register, balance_of, make_customer

JAN = Month.parse("2026-01")
TODAY = dt.date(2026, 2, 5)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def month(lake):
    """January 2026 with one of every event. Wang Lei's savings are emptied at the January month-end
    (lost); a new customer joins S0101 without an RM (the pool)."""
    ids = list(ACCOUNTS)
    balances = [Decimal(0) if a == "A-wanglei-sav" else balance_of(a, 12) for a in ids]
    _register(
        "balances",
        MONTH_ENDS[-1],
        pa.table(
            {
                "account_id": ids,
                "balance": pa.array(balances, pa.decimal128(18, 2)),
                "avg_daily_balance": pa.array(balances, pa.decimal128(18, 2)),
            }
        ),
    )
    bank = lake
    newcomer = make_customer(bank, "C0000100", "陈新", "S0101")
    Customer = type(newcomer)
    Customer.objects.filter(pk=newcomer.pk).update(onboarded_on=dt.date(2026, 1, 10))
    wang, li = bank.customers["wang"], bank.customers["li"]
    Account.objects.create(
        account_id="A-wang-td", customer=wang, product_id="P-SAV", opened_on=dt.date(2026, 1, 15),
        status="active", updated_on=dt.date(2026, 1, 28),
    )  # fmt: skip
    # Two alerts due in January: Wang Fang's acted on the day before, Li Na's a day late.
    for customer, due, acted in ((wang, 20, 19), (li, 20, 21)):
        Alert.objects.create(
            customer=customer, cause=f"aum_drop_{due}{acted}", severity="high", business_date=dt.date(2026, 1, 10),
            due_on=dt.date(2026, 1, due), acted_at=_at(dt.date(2026, 1, acted)), status="closed", outcome="retained",
        )  # fmt: skip
    # Tasks due in January: one done in time, one done late, one still open (overdue).
    for n, (done, status) in enumerate(((dt.date(2026, 1, 5), "done"), (dt.date(2026, 1, 12), "done"), (None, "open"))):
        Task.objects.create(
            key=f"t{n}", source="own", customer=wang, owner=bank.staff["rm_a"], title="t", due_on=dt.date(2026, 1, 10),
            status=status, created_on=dt.date(2026, 1, 1), done_at=_at(done) if done else None,
        )  # fmt: skip
    # Offers: Wang Fang accepted one in January (recorded by the branch head: counted for her RM at
    # month-end), declined another; Li Na's acceptance falls in February.
    for n, (customer, outcome, day) in enumerate(
        (
            (wang, "accepted", dt.date(2026, 1, 16)),
            (wang, "declined", dt.date(2026, 1, 17)),
            (li, "accepted", dt.date(2026, 2, 2)),
        )
    ):
        OfferResponse.objects.create(
            form_key=f"k{n}", customer=customer, product=Product.objects.get(code="P-SAV"), outcome=outcome,
            responded_on=day,
            reason="other" if outcome == "declined" else "", recorded_by=bank.staff["head_a"],
        )  # fmt: skip
    received = _at(dt.date(2026, 1, 3), 9)
    Complaint.objects.create(
        customer=li, branch_id="S0102", channel="counter", severity="medium", description="排队", received_at=received,
        ack_due_at=received, resolve_due_at=received, resolved_at=received + dt.timedelta(hours=30),
    )  # fmt: skip
    survey = Survey.objects.create(code="sat", title_zh="满意度")
    for n, (customer, score, nps) in enumerate(((wang, 9.0, 10), (li, 6.0, 3))):
        wave = Wave.objects.create(survey=survey, name=f"W{n}", opened_on=dt.date(2026, 1, 1), expires_at=received)
        invitation = Invitation.objects.create(
            wave=wave, customer=customer, token_hash=f"h{n}", branch_code=customer.branch_id, created_at=received,
            expires_at=received,
        )  # fmt: skip
        Response.objects.create(
            invitation=invitation, wave=wave, customer=customer, submitted_at=_at(dt.date(2026, 1, 8)),
            score=score, nps=nps,
        )  # fmt: skip
    return bank


def _card(rm: str | None, branch: str) -> Scorecard:
    return Scorecard.objects.get(month=JAN.start, rm_id=rm, branch_code=branch)


def test_figures_match_the_hand_computation(month):
    result = scorecards_compute(month=JAN, today=TODAY)
    assert (result.customers, result.staff, result.scorecards) == (5, 3, 4)

    a = _card("E101", "S0101")  # Wang Fang and Wang Lei
    # AUM: Wang Fang 62,000 + 262,000 (+ the new account, no balance); Wang Lei's savings emptied.
    assert (a.book, a.book_previous) == (2, 2)
    assert (a.aum, a.aum_previous) == (Decimal("324000.00"), Decimal("322000.00") + Decimal("31000.00"))
    # Wang Lei: average of the 6 month-ends before ≈ 28,500 ≥ 1,000, held 31,000 ≥ 30 %; now 0 → lost.
    assert (a.new, a.lost, a.retained) == (0, 1, 1)
    assert (a.alerts_due, a.alerts_on_time) == (1, 1)
    assert (a.tasks_due, a.tasks_overdue) == (3, 2)
    assert (a.products_sold, a.offers_accepted) == (1, 1)
    assert (a.survey_answers, a.satisfaction_sum, a.nps_answers, a.promoters, a.detractors) == (1, 9.0, 1, 1, 0)

    b = _card("E102", "S0102")  # Li Na
    assert (b.alerts_due, b.alerts_on_time) == (1, 0)
    assert (b.complaints, b.complaints_resolved, b.resolve_hours) == (1, 1, 30.0)
    assert (b.survey_answers, b.nps_answers, b.promoters, b.detractors) == (1, 1, 0, 1)
    assert b.aum == Decimal("1212000.00")

    pool = _card(None, "S0101")  # the newcomer
    assert (pool.book, pool.book_previous, pool.new, pool.aum) == (1, 0, 1, Decimal("0.00"))

    totals = Totals.of(Scorecard.objects.filter(month=JAN.start).values())
    assert (totals.new, totals.lost, totals.net_new) == (1, 1, 0)
    assert totals.retention == pytest.approx(100 * 3 / 4, abs=0.05)
    assert totals.alerts_on_time_pct == 50.0
    assert totals.nps == 0.0  # one promoter, one detractor
    assert totals.satisfaction == 7.5


def test_every_additive_figure_adds_up_from_rm_to_branch_to_bank(month):
    scorecards_compute(month=JAN, today=TODAY)
    lines = line_store.read(JAN.start).to_pylist()
    cards = list(Scorecard.objects.filter(month=JAN.start).values("branch_code", "rm_id", *ADDITIVE))
    paths = dict(Branch.objects.values_list("code", "path"))
    for branch, path in paths.items():
        inside = {c for c, p in paths.items() if p.startswith(path)}
        from_lines = Totals.of(r for r in lines if r["branch_code"] in inside)
        from_cards = Totals.of(r for r in cards if r["branch_code"] in inside)
        rms = Totals.of(r for r in cards if r["branch_code"] in inside and r["rm_id"])
        pools = Totals.of(r for r in cards if r["branch_code"] in inside and not r["rm_id"])
        for name in ADDITIVE:
            assert from_cards.values[name] == from_lines.values[name], (branch, name)
            assert rms.values[name] + pools.values[name] == from_cards.values[name], (branch, name)


def test_the_json_line_sets_each_branchs_own_figures_beside_the_sums(month):
    out = io.StringIO()
    call_command("scorecards", "--month", "2026-01", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["staff"] == 3
    branches = summary["branches"]
    for code, row in branches.items():
        assert row["customers"] == row["customers_by_rm"], code
        assert row["aum"] == pytest.approx(row["aum_by_rm"], abs=0.001), code
    # Wang Lei (lost, accounts still open) stays in the book; the newcomer is in the pool of S0101.
    assert branches["S0101"]["customers"] == 3
    assert branches["HO"] == {"customers": 5, "aum": 1638000.0, "customers_by_rm": 5, "aum_by_rm": 1638000.0}


def test_a_month_the_lake_does_not_hold_is_refused(lake):
    with pytest.raises(ScorecardUnavailable):
        scorecards_compute(month=Month.parse("2027-05"))
    with pytest.raises(Exception, match="--month"):
        call_command("scorecards", "--month", "2026-13")


def test_computing_again_replaces_the_month(month):
    scorecards_compute(month=JAN, today=TODAY)
    Task.objects.filter(status="open").update(status="done", done_at=_at(dt.date(2026, 1, 9)))
    scorecards_compute(month=JAN, today=TODAY)
    assert _card("E101", "S0101").tasks_overdue == 1
    assert line_store.read(JAN.start).num_rows == 5


def test_a_line_is_in_an_rms_book_exactly_when_the_pages_book_rule_says_so(month):
    """The lines apply `org.scoping.in_their_rm_book` in DuckDB: the same answer as the rule itself,
    also for a customer assigned to an RM of another branch and for an RM who has left."""
    bank = month
    stray = make_customer(bank, "C0000101", "孙远", "S0101")  # assigned to rm_b, whose home is S0201
    type(stray).objects.filter(pk=stray.pk).update(rm=bank.staff["rm_b"], onboarded_on=dt.date(2026, 1, 5))
    leaver = bank.staff["rm_a2"]
    leaver.is_active = False
    leaver.save()
    scorecards_compute(month=JAN, today=TODAY)
    lines = {row["customer_no"]: row["rm"] for row in line_store.read(JAN.start).to_pylist()}
    Customer = type(stray)
    in_book = dict(Customer.objects.filter(in_their_rm_book(), rm__is_active=True).values_list("customer_no", "rm_id"))
    assert lines == {number: in_book.get(number) for number in lines}
    assert lines["C0000101"] is None and lines[bank.customers["li"].customer_no] is None  # pool, both
    assert lines[bank.customers["wang"].customer_no] == "E101"
