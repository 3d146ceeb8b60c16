"""The retention lottery's draw: a month's winners among the ticket holders of the drawer's scope,
reproducible from the kept seed, made once, audited, with one prize notice per winner."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tenure.core.models import AuditEntry
from tenure.messaging.models import Message
from tenure.retention.lottery import DrawRefused, draw_order, draw_seed, lottery_draw
from tenure.retention.models import LotteryDraw, LotteryEntry, LotteryWinner

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 3)
OCTOBER = dt.date(2026, 10, 1)


def entry(customer, status="eligible", checked_on=dt.date(2026, 10, 20), invited_on=dt.date(2026, 9, 30)):
    return LotteryEntry.objects.create(
        customer=customer,
        invited_on=invited_on,
        target_aum=Decimal("300000"),
        deadline=dt.date(2026, 10, 31),
        status=status,
        checked_on=checked_on,
    )


@pytest.fixture
def tickets(bank):
    """B01 (branch head head_a): Wang Fang and Li Na hold October tickets; others do not count."""
    c = bank.customers
    held = [entry(c["wang"]), entry(c["li"], checked_on=dt.date(2026, 10, 31))]
    entry(c["wanglei"], status="invited", checked_on=None)  # invited, not back yet
    entry(c["wanglei"], status="expired", checked_on=dt.date(2026, 10, 10), invited_on=dt.date(2026, 8, 31))
    entry(c["wang"], checked_on=dt.date(2026, 9, 20), invited_on=dt.date(2026, 8, 31))  # September's ticket
    entry(c["zhao"])  # B02: another branch's ticket holder
    return held


def test_only_the_months_ticket_holders_of_the_scope_win(bank, tickets):
    draw, created = lottery_draw(period=OCTOBER, prizes=10, by=bank.staff["head_a"], today=TODAY)
    assert created and draw.branch_id == "B01" and draw.tickets == 2
    assert {w.entry for w in draw.winners.all()} == set(tickets)  # more prizes than tickets: all of them

    bank_wide, _ = lottery_draw(period=OCTOBER, prizes=10, by=bank.staff["service"], today=TODAY)
    assert bank_wide.branch_id == "HO"  # head office: the whole bank, less October's winners of B01
    assert [w.entry.customer.customer_no for w in bank_wide.winners.all()] == ["C0000009"]


def test_the_draw_is_reproducible_from_its_seed_and_made_once(bank, tickets, django_capture_on_commit_callbacks):
    c = bank.customers
    more = [
        entry(who, checked_on=dt.date(2026, 10, d), invited_on=dt.date(2026, 9, d))
        for d, who in enumerate([c["wang"], c["li"]] * 3, 2)
    ]
    pool = sorted(e.pk for e in tickets + more)
    draw, created = lottery_draw(period=OCTOBER, prizes=3, by=bank.staff["head_a"], today=TODAY)
    assert created and draw.seed == draw_seed(draw.pk, OCTOBER, "B01", TODAY)
    winners = list(draw.winners.values_list("entry_id", flat=True))
    assert winners == draw_order(draw.seed, pool)[:3]  # anyone can recompute it from the kept seed
    assert draw_order(draw.seed, list(reversed(pool)))[:3] == winners  # whatever the order of the tickets

    again, created = lottery_draw(period=OCTOBER, prizes=5, by=bank.staff["head_a"])
    assert not created and again == draw  # a month is drawn once per scope: nothing changes
    assert list(again.winners.values_list("entry_id", flat=True)) == winners
    assert LotteryWinner.objects.count() == 3 and LotteryDraw.objects.count() == 1
    audit = AuditEntry.objects.get(action="retention.lottery.draw")
    assert audit.detail["seed"] == draw.seed and audit.detail["tickets"] == len(pool)

    prizes = Message.objects.filter(template="lottery_winner")
    assert prizes.count() == 3 and all(m.purpose == "marketing" for m in prizes)
    assert {m.idempotency_key.rsplit(":", 2)[0] for m in prizes} == {
        f"lottery:2026-10-{draw.pk}:{pk}" for pk in winners
    }


def test_a_draw_is_refused_before_the_month_is_over_and_to_other_roles(bank, tickets):
    with pytest.raises(DrawRefused):
        lottery_draw(period=OCTOBER, prizes=1, by=bank.staff["head_a"], today=dt.date(2026, 10, 31))
    with pytest.raises(PermissionDenied):
        lottery_draw(period=OCTOBER, prizes=1, by=bank.staff["rm_a"], today=TODAY)
    with pytest.raises(DrawRefused):  # August: nobody holds a ticket
        lottery_draw(period=dt.date(2026, 8, 1), prizes=1, by=bank.staff["head_a"], today=TODAY)
    assert not LotteryDraw.objects.exists() and not Message.objects.exists()


def test_the_page_reviews_then_draws_and_lists_the_winners_masked(bank, tickets, login, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    head = login(bank.staff["head_a"])
    page = head.get("/retention/lottery/").content.decode()
    assert 'name="period"' in page and "随机种子" not in page and "seed" not in page.lower()
    review = head.post("/retention/lottery/draw/", {"period": "2026-10-01", "prizes": "1"})
    assert review.status_code == 200 and 'data-testid="draw-review"' in review.content.decode()
    assert not LotteryDraw.objects.exists()  # reviewed, not drawn
    done = head.post("/retention/lottery/draw/", {"period": "2026-10-01", "prizes": "1", "confirm": "1"}, follow=True)
    draw = LotteryDraw.objects.get()
    winner = draw.winners.get().entry.customer
    body = done.content.decode()
    assert f"{winner.name[0]}*" in body and winner.customer_no in body
    assert Message.objects.filter(template="lottery_winner").count() == 1
    assert login(bank.staff["rm_a"]).post("/retention/lottery/draw/", {"period": "2026-10-01"}).status_code == 403
    assert 'name="period"' not in login(bank.staff["rm_a"]).get("/retention/lottery/").content.decode()
