"""Home pages by role: my book, branch with team, bank totals, counter, compliance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.analytics.portfolio import book_summary
from tenure.org.scoping import customers_for, my_book
from tests.factories import balance_of


def publish_values(values: dict[str, tuple[str, int, int]], day=dt.date(2026, 1, 28)) -> None:
    """Pretend a nightly run published: customer_no -> (tier, aum, 1-month change)."""
    from tenure.analytics.models import CustomerValue, NightlyRun

    NightlyRun.objects.create(
        business_date=day,
        step="customer_values",
        run_key="k",
        config_version=1,
        engine="duckdb",
        status="done",
        published=True,
    )
    for number, (tier, aum, change) in values.items():
        CustomerValue.objects.create(
            customer_id=number,
            config_version=1,
            branch_code="S0101",
            aum=aum,
            aum_change_1m=change,
            avg_daily_aum_3m=aum,
            product_count=1,
            frequency_90d=1,
            has_payroll=False,
            asset_tier=tier,
            downgrade_warning=False,
            contribution=0,
            contribution_rank=1,
            value_level="small",
            branch_value_level="small",
            potential_score=0.0,
            likely_tier_riser=False,
            likely_level_riser=False,
            suggestion="maintain",
            loss_making=False,
        )


def test_rm_book_from_the_lake(lake):
    rm = lake.staff["rm_a"]
    summary = book_summary(my_book(customers_for(rm), rm))
    wang = balance_of("A-wang-cur", 12) + balance_of("A-wang-wm", 12)
    lei = balance_of("A-wanglei-sav", 12)
    assert summary.customers == 2 and summary.aum == wang + lei
    assert summary.aum_change == Decimal(3_000)  # three AUM accounts, +1,000 each a month
    assert summary.tier_mix["platinum"] == 1 and summary.tier_mix["standard"] == 1
    assert [m.customer.customer_no for m in summary.movers_up] == ["C0000001", "C0000002"]


def test_book_from_published_nightly_values(bank, login):
    publish_values({"C0000001": ("black_gold", 1_500_000, -200_000), "C0000002": ("gold", 150_000, 10_000)})
    rm = bank.staff["rm_a"]
    summary = book_summary(my_book(customers_for(rm), rm))
    assert summary.aum == 1_650_000 and summary.aum_change == -190_000
    assert summary.tier_mix["black_gold"] == 1 and summary.tier_mix["gold"] == 1
    assert [m.customer.customer_no for m in summary.movers_down] == ["C0000001"]
    page = login(rm).get(f"/customers/{bank.customers['wang'].pk}/").content.decode()
    assert "tier-black_gold" in page  # the 360 page shows the official tier


@pytest.mark.parametrize(
    ("who", "marker"),
    [
        ("rm_a", 'data-testid="tier-chart"'),
        ("head_a", 'data-testid="team"'),
        ("analyst", 'data-testid="tier-chart"'),
        ("lobby_a", 'id="lobby-q"'),
        ("compliance", "/audit/"),
        ("norole", 'data-testid="no-role"'),
    ],
)
def test_each_role_gets_its_home(lake, login, who, marker):
    response = login(lake.staff[who]).get("/")
    assert response.status_code == 200
    assert marker in response.content.decode()


def test_branch_head_sees_branch_totals_and_team(lake, login):
    html = login(lake.staff["head_a"]).get("/").content.decode()
    assert 'data-testid="kpi-customers">3<' in html
    assert "rm_a" in html and "rm_a2" in html and "rm_b" not in html


def test_analyst_sees_bank_totals(lake, login):
    html = login(lake.staff["analyst"]).get("/").content.decode()
    assert 'data-testid="kpi-customers">4<' in html


def test_the_counter_sees_coming_withdrawals_and_its_handoffs_today(bank, login):
    from django.utils import timezone

    from tenure.retention.services import handoff_create, intercept_record, intercept_step_done

    today = timezone.localdate()
    rm, lobby = bank.staff["rm_a"], bank.staff["lobby_a"]
    wang, li, zhao = bank.customers["wang"], bank.customers["li"], bank.customers["zhao"]
    intercept_record(
        customer=wang, by=rm, kind="cash", amount=Decimal("500000"), appointment_on=today + dt.timedelta(days=1)
    )
    later = intercept_record(
        customer=li, by=rm, kind="transfer", amount=Decimal("300000"), appointment_on=today + dt.timedelta(days=9)
    )
    done = intercept_record(customer=li, by=rm, kind="cash", amount=Decimal("200000"), appointment_on=today)
    for by, kept in ((rm, None), (lobby, None), (bank.staff["head_a"], Decimal("200000"))):
        intercept_step_done(intercept=done, by=by, retained=kept)
    foreign = dict(kind="cash", amount=Decimal("700000"), appointment_on=today)
    intercept_record(customer=zhao, by=bank.staff["rm_b"], **foreign)  # another branch
    handoff_create(customer=wang, by=lobby, topic="wealth", note="想买理财")
    page = login(lobby).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    coming = page.split('data-testid="lobby-appointments"')[1].split("</section>")[0]
    assert "王芳" in coming and "¥500,000" in coming  # tomorrow's cash withdrawal
    assert "¥300,000" not in coming and "¥200,000" not in coming  # too far ahead; already worked
    handed = page.split('data-testid="lobby-handoffs"')[1].split("</section>")[0]
    assert "王芳" in handed and "waiting" in handed
    assert zhao.name not in page and "¥700,000" not in page and later.pk  # nothing of another branch


def test_the_customer_list_shows_tier_and_aum_and_sorts_by_aum(bank, login):
    publish_values({"C0000001": ("black_gold", 1_500_000, 0), "C0000002": ("gold", 150_000, 0)})
    client = login(bank.staff["head_a"])
    html = client.get("/customers/", {"view": "all", "sort": "-aum"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = html.split('data-testid="results"')[1]
    assert "badge tier-black_gold" in table and "¥1.50M" in table and "¥150,000" in table
    assert table.index("C0000001") < table.index("C0000002")  # the larger AUM first
    ascending = client.get("/customers/", {"view": "all", "sort": "aum"}).content.decode()
    assert ascending.index("C0000002") < ascending.index("C0000001")
