"""The 360° page and the customer search on a 390 × 844 phone: nothing scrolls sideways, for an RM and
for the lobby role; tables become cards; the tabs work by plain links (issue 23, items 7 and 8)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser_tab, settle, sign_in
from tests.factories import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
FITS = "() => document.documentElement.scrollWidth"


@pytest.fixture
def phone(browser, live_server):
    with browser_tab(browser, live_server, **PHONE) as tab:
        yield tab


def _fits(page) -> None:
    settle(page)
    width = page.evaluate(FITS)
    assert width <= 390, f"{page.url}: the page is {width} px wide on a 390 px screen"


@pytest.mark.parametrize("username", ["rm_a", "lobby_a"])
def test_the_360_page_and_search_fit_a_phone(phone, lake, shot, username):
    wang = lake.customers["wang"]
    sign_in(phone, username, PASSWORD)
    phone.goto(f"{phone.base}/customers/{wang.pk}/")
    expect(phone.locator("[data-testid=snapshot]")).to_be_visible()
    _fits(phone)
    shot(phone, f"23-360-phone-{username}")
    tabs = [a.get_attribute("href") for a in phone.locator("[data-testid=tabs] a").all()]
    for href in tabs:
        phone.goto(f"{phone.base}/customers/{wang.pk}/{href}")
        _fits(phone)
    phone.goto(f"{phone.base}/customers/?view=all")
    expect(phone.locator("[data-testid=results]")).to_contain_text("王芳")
    _fits(phone)
    # a table marked "cards" is one card per row: its header row is hidden
    expect(phone.locator("[data-testid=results] thead")).to_be_hidden()
    assert not phone.console_errors, phone.console_errors


def test_the_rm_walks_the_tabs_to_the_transactions(page, lake):
    wang = lake.customers["wang"]
    sign_in(page, "rm_a", PASSWORD)
    page.goto(f"{page.base}/customers/{wang.pk}/")
    page.click("[data-testid=tab-transactions]")
    assert page.url.endswith("?tab=transactions")
    cells = page.locator("[data-testid=txn-account]")
    expect(cells.first).to_contain_text("活期储蓄")
    expect(page.locator("[data-testid=transactions]")).not_to_contain_text("A-wang-cur")
    page.click("[data-testid=tab-accounts]")
    expect(page.locator("[data-testid=accounts]")).to_contain_text("稳健理财")
    assert not page.console_errors, page.console_errors
