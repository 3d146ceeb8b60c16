"""The customer 360° page and its lake-backed sections."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from django.utils import timezone

from tenure.analytics.config import active_config
from tenure.analytics.models import AssetTier
from tenure.analytics.portfolio import customer_aum_series, customer_holdings
from tenure.analytics.tiers import asset_tier_for
from tenure.lake import reads
from tests.factories import MONTH_ENDS, balance_of

TABS = ("accounts", "transactions", "service", "value")


def chart_data(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_tiers_follow_the_active_thresholds(db):
    config = active_config()
    assert asset_tier_for(Decimal("10000000"), config) == AssetTier.DIAMOND
    assert asset_tier_for(Decimal("9999999.99"), config) == AssetTier.BLACK_GOLD
    assert asset_tier_for(Decimal(1_000_000), config) == AssetTier.BLACK_GOLD
    assert asset_tier_for(Decimal(300_000), config) == AssetTier.PLATINUM
    assert asset_tier_for(Decimal(100_000), config) == AssetTier.GOLD
    assert asset_tier_for(Decimal(99_999), config) == AssetTier.STANDARD


def test_aum_excludes_loans_and_covers_13_month_ends(lake):
    series = customer_aum_series(lake.customers["wang"])
    assert [d for d, _ in series] == MONTH_ENDS
    assert series[-1][1] == balance_of("A-wang-cur", 12) + balance_of("A-wang-wm", 12)  # loan excluded
    holdings = {h.product_type: h for h in customer_holdings(lake.customers["wang"])}
    assert holdings["loan"].amount == balance_of("A-wang-loan", 12) and not holdings["loan"].is_aum
    assert holdings["wealth"].is_aum


def test_only_vouched_partitions_are_read(lake):
    """A partition whose digest the DB does not vouch for (half-finished import) is ignored."""
    from tenure.ingest.models import ImportedFile

    ImportedFile.objects.filter(table="balances", business_date=MONTH_ENDS[-1]).update(sha256="other")
    series = customer_aum_series(lake.customers["wang"])
    assert series[-1][0] == MONTH_ENDS[-2]


def test_360_page_header_sections_and_charts(lake, login):
    wang = lake.customers["wang"]
    client = login(lake.staff["rm_a"])
    response = client.get(f"/customers/{wang.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("王芳", "C0000001", "138****5678", "110***********1234", "w***@example.com", "朝阳支行", "rm_a"):
        assert text in html
    assert "tier-platinum" in html  # 50k + 250k + 12k growth ≥ 300k
    # The sections below the snapshot strip are tabs (?tab=…): gather them all.
    html += "".join(client.get(f"/customers/{wang.pk}/?tab={tab}").content.decode() for tab in TABS)
    aum = chart_data(html, "aum-data")
    assert len(aum["labels"]) == 13 and aum["values"][-1] == float(
        balance_of("A-wang-cur", 12) + balance_of("A-wang-wm", 12)
    )
    holdings = chart_data(html, "holdings-data")
    assert {i["value"] for i in holdings["items"]} == {62_000.0, 262_000.0}  # current + wealth, no loan
    assert f'hx-get="/customers/{wang.pk}/transactions/"' in html
    assert "工银理财" in html  # competitor product held
    assert f'hx-get="/contacts/customers/{wang.pk}/"' in html  # latest interactions, loaded by htmx
    for panel in ("surveys", "loyalty", "complaints", "churn"):  # sections loaded by htmx
        assert f'hx-get="/{panel}/customers/{wang.pk}/panel/"' in html
    assert f'hx-get="/points/customers/{wang.pk}/panel/"' in html  # merchant points, loaded by htmx


def test_360_page_without_lake_data_shows_empty_states(bank, login):
    html = login(bank.staff["rm_a"]).get(f"/customers/{bank.customers['wang'].pk}/?tab=accounts").content.decode()
    assert "aum-data" not in html and "tier-standard" in html
    assert 'class="empty"' in html


def test_recent_transactions_are_paged_newest_first(lake, login, monkeypatch):
    from tenure.customers import views

    monkeypatch.setattr(views, "TXNS_PER_PAGE", 8)
    client = login(lake.staff["rm_a"])
    wang = lake.customers["wang"]
    first = client.get(f"/customers/{wang.pk}/transactions/").content.decode()
    assert first.count("<tr>") == 8 + 1  # header + one page
    assert "2026-01-28 09:00" in first and "?page=2" in first
    txns, has_next = reads.transactions_page(["A-wang-cur"], 1, 100)
    assert [t.txn_time for t in txns] == sorted((t.txn_time for t in txns), reverse=True)
    assert not has_next and len(txns) == 20  # 10 of 30 per month are this account's
    last = client.get(f"/customers/{wang.pk}/transactions/?page=3").content.decode()
    assert last.count("<tr>") == 4 + 1 and "?page=4" not in last and "?page=2" in last


def test_channels_used(lake, login):
    channels = reads.channel_usage(["A-wang-cur"])
    assert channels == [("mobile", 20, sum(Decimal(100 + n) for n in range(0, 30, 3)) * 2)]
    html = login(lake.staff["rm_a"]).get(f"/customers/{lake.customers['wang'].pk}/channels/").content.decode()
    assert "手机银行" in html and "20 笔交易" in html


def test_the_newest_page_reads_only_the_newest_partition(lake, monkeypatch):
    """Page one is filled from the latest partition alone; older pages widen the window."""
    windows = []
    original = reads._connection

    class Spy:
        def __init__(self, con):
            self.con = con

        def execute(self, sql, params):
            windows.append(len(params[0]))
            return self.con.execute(sql, params)

    monkeypatch.setattr(reads, "_connection", lambda: Spy(original()))
    txns, has_next = reads.transactions_page(["A-wang-cur", "A-li-sav"], 1, 5)
    assert windows == [1] and has_next and len(txns) == 5
    windows.clear()
    reads.transactions_page(["A-wang-cur", "A-li-sav"], 5, 5)  # rows 21-25 of 40: beyond the newest month
    assert windows == [1, 2]


def test_viewing_the_360_page_is_audited(lake, login):
    from tenure.core.models import AuditEntry

    wang = lake.customers["wang"]
    login(lake.staff["lobby_a"]).get(f"/customers/{wang.pk}/")
    assert AuditEntry.objects.filter(action="customer.view", actor_name="lobby_a", customer_no="C0000001").exists()


def test_customer_since_reads_in_years_or_less_than_a_year(bank, login):
    wang = bank.customers["wang"]
    client = login(bank.staff["rm_a"])
    html = client.get(f"/customers/{wang.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"2015 · \d+ years", html)  # onboarded 2015-06-01
    wang.onboarded_on = timezone.localdate() - dt.timedelta(days=30)
    wang.save(update_fields=["onboarded_on"])
    html = client.get(f"/customers/{wang.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "· less than a year" in html and "0 years" not in html
    assert "不满一年" in client.get(f"/customers/{wang.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
