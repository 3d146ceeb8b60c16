"""The 360° page leads with what matters: the snapshot strip and pinned actions, tabs that work without
script, accounts with balance, rate and maturity, transactions named like the accounts, and the
lobby role's reduced view."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tenure.churn.models import Alert, ChurnScore
from tenure.complaints.services import complaint_create
from tenure.contacts.models import Interaction
from tenure.core.models import AuditEntry
from tenure.customers.models import Account
from tests.factories import MONTH_ENDS, balance_of, bank, lake, login  # noqa: F401

REASON = {"feature": "aum_ratio_3m", "zh": "AUM 下降 38%（近 3 个月）", "en": "AUM down 38% (last 3 months)"}


def page(client, customer, tab: str = "", lang: str = "zh-hans") -> str:
    response = client.get(f"/customers/{customer.pk}/" + (f"?tab={tab}" if tab else ""), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def item(html: str, testid: str) -> str:
    """The text of one tile of the strip, tags stripped and spaces collapsed."""
    match = re.search(rf'<li data-testid="{testid}">(.*?)</li>', html, re.S)
    assert match, testid
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.fixture
def wang(lake):  # noqa: F811
    """Wang Fang with something in every tile: score and alert, an open complaint, a contact with a
    follow-up, a wealth product maturing in 10 days, a birthday in 3 days and a risk tolerance."""
    today = timezone.localdate()
    customer = lake.customers["wang"]
    customer.birth_date = (today + dt.timedelta(days=3)).replace(year=1985)
    customer.lunar_birthday = False
    customer.risk_tolerance = "C3"
    customer.save()
    Account.objects.filter(account_id="A-wang-wm").update(
        maturity_date=today + dt.timedelta(days=10), rate=Decimal("2.65")
    )
    ChurnScore.objects.create(
        customer=customer, business_date=today, model_version=1, probability=0.62, band="high", reasons=[REASON]
    )
    Alert.objects.create(
        customer=customer,
        cause="aum_drop",
        severity="high",
        business_date=today,
        due_on=today + dt.timedelta(days=2),
        probability=0.62,
        owner=lake.staff["rm_a"],
    )
    complaint_create(by=lake.staff["rm_a"], channel="counter", description="排队太久", customer=customer)
    Interaction.objects.create(
        customer=customer,
        staff=lake.staff["rm_a"],
        channel="phone",
        summary="客户询问理财到期后的安排",
        next_step="带新产品资料上门",
        follow_up_on=today + dt.timedelta(days=5),
    )
    return customer


def test_the_strip_leads_with_what_matters(wang, lake, login):  # noqa: F811
    today = timezone.localdate()
    html = page(login(lake.staff["rm_a"]), wang, lang="en")
    assert html.index('data-testid="snapshot"') < html.index('data-testid="tabs"')
    assert "Platinum" in item(html, "snap-tier") and "no change recorded" in item(html, "snap-tier")
    churn = item(html, "snap-churn")
    assert "High · 62%" in churn and "AUM down 38% (last 3 months)" in churn and "1 open alert" in churn
    assert re.match(r"Open complaint \S+ Received", item(html, "snap-complaint"))
    contact = item(html, "snap-contact")
    assert "Phone call" in contact and "rm_a" in contact and "带新产品资料上门" in contact
    assert (today + dt.timedelta(days=5)).strftime("%Y") in contact
    maturity = item(html, "snap-maturity")
    assert "稳健理财" in maturity and "1 product" in maturity and "¥" in maturity
    assert item(html, "snap-risk") == "Risk tolerance C3 balanced"
    assert "in 3 days" in item(html, "snap-birthday")
    assert f"/work/customers/{wang.pk}/next-task/" in html  # the workbench fills the tile (tests/engagement)


def test_an_empty_strip_says_so(lake, login):  # noqa: F811
    html = page(login(lake.staff["rm_a"]), lake.customers["wanglei"], lang="en")
    assert "Not scored yet" in item(html, "snap-churn")
    assert item(html, "snap-complaint") == "Open complaint None"
    assert "No contact recorded" in item(html, "snap-contact")
    assert item(html, "snap-maturity") == "Maturing in 30 days None"
    assert item(html, "snap-birthday") == "Birthday Not within 7 days"


def test_a_lunar_birthday_is_found_by_the_lunar_calendar(lake, login):  # noqa: F811
    """Born 1990-02-10 = lunar 1990 1st month 15th (元宵): in 2026 that is 2026-03-03, not 02-10."""
    customer = lake.customers["wanglei"]
    customer.birth_date, customer.lunar_birthday = dt.date(1990, 2, 10), True
    customer.save()
    from tenure.web.customer360 import customer_snapshot

    snap = customer_snapshot(user=lake.staff["rm_a"], customer=customer, today=dt.date(2026, 3, 1))
    assert snap.birthday == dt.date(2026, 3, 3)
    solar = customer_snapshot(user=lake.staff["rm_a"], customer=customer, today=dt.date(2026, 2, 8))
    assert solar.birthday is None  # 02-10 is not the day when kept by the lunar calendar


def test_the_pinned_actions_follow_the_role(wang, lake, login):  # noqa: F811
    rm = page(login(lake.staff["rm_a"]), wang)
    assert 'data-testid="action-log-contact"' in rm and 'href="?tab=overview#interactions"' in rm
    assert f'href="{reverse("complaints:intake")}?customer={wang.pk}"' in rm
    assert f'href="{reverse("retention:intercept", args=[wang.pk])}"' in rm
    assert "action-handoff" not in rm  # the lobby hands over to the RM, not the RM
    lobby = page(login(lake.staff["lobby_a"]), wang)
    assert 'data-testid="action-handoff"' in lobby and 'name="topic"' in lobby


def test_tabs_are_links_and_an_unknown_tab_is_the_overview(wang, lake, login):  # noqa: F811
    client = login(lake.staff["rm_a"])
    html = page(client, wang)
    for tab in ("overview", "accounts", "transactions", "service", "value"):
        assert f'href="?tab={tab}"' in html
    assert 'aria-current="page" data-testid="tab-overview"' in html
    assert 'id="interactions"' in html
    assert 'aria-current="page" data-testid="tab-overview"' in page(client, wang, "nonsense")
    accounts = page(client, wang, "accounts")
    assert 'aria-current="page" data-testid="tab-accounts"' in accounts and 'id="interactions"' not in accounts


def test_accounts_show_balance_rate_and_maturity(wang, lake, login):  # noqa: F811
    html = page(login(lake.staff["rm_a"]), wang, "accounts", lang="en")
    rows = re.findall(r"<tr>(.*?)</tr>", html.split('data-testid="accounts"')[1], re.S)
    wealth = next(" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows if "稳健理财" in r)
    assert f"¥{balance_of('A-wang-wm', 12):,.2f}" in wealth
    assert "2.65% p.a." in wealth
    assert (timezone.localdate() + dt.timedelta(days=10)).strftime("%Y") in wealth
    assert 'class="cards"' in html and 'data-label="Balance"' in html


def test_transactions_name_the_account_like_the_accounts_table(lake, login):  # noqa: F811
    client = login(lake.staff["rm_a"])
    html = client.get(f"/customers/{lake.customers['wang'].pk}/transactions/").content.decode()
    accounts = re.findall(r'data-testid="txn-account">(.*?)</td>', html, re.S)
    assert accounts, "no transactions listed"
    names = {" ".join(re.sub(r"<[^>]+>", " ", a).split()) for a in accounts}
    assert names == {"活期储蓄 622202*********3445"}
    assert "A-wang-cur" not in html  # core banking's internal key matches nothing on the page
    assert MONTH_ENDS  # the lake fixture holds transactions for the latest two month-ends


def test_the_lobby_sees_the_reduced_view(wang, lake, login):  # noqa: F811
    client = login(lake.staff["lobby_a"])
    html = page(client, wang)
    assert 'href="?tab=transactions"' not in html and 'href="?tab=value"' not in html
    assert 'href="?tab=accounts"' not in html and 'data-testid="aum"' not in html
    assert "tier-platinum" in html and 'data-testid="snap-churn"' in html  # tier and alerts stay
    assert f'hx-get="/churn/customers/{wang.pk}/panel/"' in html
    for tab in ("transactions", "value", "accounts"):  # asked for anyway: the overview
        assert 'aria-current="page" data-testid="tab-overview"' in page(client, wang, tab)
    assert "loyalty/customers" not in "".join(page(client, wang, t) for t in ("overview", "service"))
    denied = AuditEntry.objects.filter(action="access.denied").count()
    assert client.get(f"/customers/{wang.pk}/transactions/").status_code == 403
    assert client.get(f"/customers/{wang.pk}/channels/").status_code == 403
    assert AuditEntry.objects.filter(action="access.denied").count() == denied + 2


def test_a_foreign_customer_is_still_a_404(lake, login):  # noqa: F811
    client = login(lake.staff["rm_a"])
    for tab in ("", "accounts"):
        assert client.get(f"/customers/{lake.foreign.pk}/?tab={tab}").status_code == 404
