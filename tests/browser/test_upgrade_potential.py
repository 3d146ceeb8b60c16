"""An RM finds who can move up a tier from the menu, narrows the list and opens the customer (issue 5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from playwright.sync_api import expect

from tests.analytics.helpers import customer_value, published_run
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

DAY = dt.date(2026, 1, 28)


def test_rm_opens_the_upgrade_list_filters_and_opens_a_customer(page, lake, shot):
    customer_value(
        "C0000001",
        "S0101",
        asset_tier="gold",
        aum=Decimal("310000"),
        avg_daily_aum_3m=Decimal("285000"),
        potential_score=1.0,
        likely_tier_riser=True,
        suggestion="cultivate",
    )
    customer_value(
        "C0000002",
        "S0101",
        value_level="ordinary",
        potential_score=0.9,
        likely_level_riser=True,
        suggestion="cultivate",
    )
    published_run(DAY)

    sign_in(page, "rm_a", PASSWORD)
    page.click("[data-testid=nav-insight] summary")  # the analysis pages are one menu group
    page.click("nav >> text=升级潜力")
    table = page.locator("[data-testid=potential-list]")
    expect(table).to_contain_text("王芳")
    expect(table).to_contain_text("王磊")
    expect(table).to_contain_text("¥15,000")  # the gap: Platinum from ¥300,000 on the 3-month basis
    shot(page, "20-upgrade-potential")
    page.select_option("#f-kind", "tier")
    page.click("text=筛选")
    expect(table).to_contain_text("王芳")
    expect(table).not_to_contain_text("王磊")
    assert "kind=tier" in page.url
    table.locator("text=王芳").click()
    expect(page.locator("#custname")).to_contain_text("王芳")
    assert not page.console_errors, page.console_errors
