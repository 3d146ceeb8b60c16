"""A branch head opens Points from the menu, opens a merchant and redeems points after confirming."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from playwright.sync_api import expect

from tenure.customers.models import Merchant
from tenure.points import services
from tenure.points.models import PointsJournal
from tests.browser.conftest import settle, sign_in
from tests.factories import PASSWORD


def test_branch_head_redeems_points_after_confirming(page, bank, shot):
    shop = Merchant.objects.create(
        merchant_no="M-A1",
        name="朝阳便利店",
        category="general",
        discount_rate=Decimal("0.3800"),
        branch_id="S0101",
        opened_on=dt.date(2020, 1, 1),
        updated_on=dt.date(2026, 1, 28),
    )
    for day, points in ((dt.date(2026, 1, 10), 80), (dt.date(2026, 2, 10), 40)):
        services._post(services.merchant_account(shop), "earn", points, day, f"test:earn:{day}")

    sign_in(page, "head_a", PASSWORD)
    page.click("[data-testid=nav-insight] summary")  # the analysis pages are one menu group
    page.click("nav >> text=积分")
    expect(page.locator("[data-testid=points-list]")).to_contain_text("朝阳便利店")
    expect(page.locator("[data-testid=points-outstanding]")).to_have_text("120")
    expect(page.locator("[data-testid=points-chart] canvas")).to_have_count(1)
    shot(page, "40-points-list")
    page.locator("[data-testid=points-list] >> text=朝阳便利店").click()
    expect(page.locator("#merchantname")).to_contain_text("朝阳便利店")
    expect(page.locator("[data-testid=points-balance]")).to_have_text("120")

    page.fill("#id_points", "100")
    page.fill("#id_reward", "POS 打印纸一箱")
    page.click("text=核对兑换")
    expect(page.locator("[data-testid=redeem-confirm]")).to_contain_text("从 120 变为 20")
    settle(page)
    assert not PointsJournal.objects.filter(kind="redeem").exists()  # nothing until confirmed
    shot(page, "41-points-redeem-confirm")
    page.click("[data-testid=redeem-confirm-button]")
    expect(page.locator("[role=status]").first).to_contain_text("已兑换 100 积分")
    expect(page.locator("[data-testid=points-balance]")).to_have_text("20")
    expect(page.locator("[data-testid=statement-lines]")).to_contain_text("POS 打印纸一箱")
    assert "/redeem/" not in page.url  # POST-redirect-GET: a reload does not post again
    page.reload()
    expect(page.locator("[data-testid=points-balance]")).to_have_text("20")
    settle(page)
    assert PointsJournal.objects.filter(kind="redeem").count() == 1
    shot(page, "42-points-redeemed")
    assert not page.console_errors, page.console_errors
