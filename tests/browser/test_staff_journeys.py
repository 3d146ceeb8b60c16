"""The staff journeys of issue 4 in a real browser, with screenshots of the key pages."""

from __future__ import annotations

from playwright.sync_api import expect

from tenure.core.models import AuditEntry
from tests.browser.conftest import browser_tab, sign_in
from tests.factories import PASSWORD


def test_login_and_home(page, lake, shot):
    sign_in(page, "rm_a", PASSWORD)
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("[data-testid=tier-chart] canvas")).to_have_count(1)
    shot(page, "01-home-rm")
    assert not page.console_errors, page.console_errors


def test_lockout_message(page, bank, shot, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, "rm_a", "not-the-password")
    expect(page.locator("[data-testid=locked-out]")).to_be_visible()
    expect(page.locator("[role=alert]")).to_contain_text("锁定")
    shot(page, "02-locked-out")


def test_search_by_mobile_and_open_the_360_page(page, lake, shot):
    sign_in(page, "lobby_a", PASSWORD)
    page.fill("#lobby-q", "13812345678")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=results]")).to_contain_text("王芳")
    expect(page.locator("[data-testid=searched-for]")).to_contain_text("138****5678")
    assert "13812345678" not in page.url and "13812345678" not in page.content()
    shot(page, "03-search-by-mobile")
    page.click("text=王芳")
    expect(page.locator("#custname")).to_contain_text("王芳")
    # The lobby's reduced 360° view: the snapshot and the handoff, no accounts or transactions.
    expect(page.locator("[data-testid=snap-task]")).to_be_visible()
    expect(page.locator("[data-testid=tab-accounts]")).to_have_count(0)
    shot(page, "04-customer-360")
    page.context.clear_cookies()  # log out: the RM sees the accounts and transactions tabs
    sign_in(page, "rm_a", PASSWORD)
    page.goto(f"{page.base}/customers/{lake.customers['wang'].pk}/?tab=accounts")
    expect(page.locator("[data-testid=aum-chart] canvas")).to_have_count(1)
    expect(page.locator("[data-testid=holdings-chart] canvas")).to_have_count(1)
    page.goto(f"{page.base}/customers/{lake.customers['wang'].pk}/?tab=transactions")
    expect(page.locator("[data-testid=transactions]")).to_be_visible()
    assert not page.console_errors, page.console_errors


def test_unmask_with_reason_then_see_it_in_the_audit_log(page, lake, shot, browser, live_server):
    wang = lake.customers["wang"]
    sign_in(page, "rm_a", PASSWORD)
    page.goto(f"{page.base}/customers/{wang.pk}/")
    mobile = page.locator("#mask-mobile")
    mobile.locator("summary").click()
    mobile.locator("select[name=reason_code]").select_option("customer_call")
    mobile.locator("input[name=reason]").fill("客户来电，核实身份")
    mobile.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=revealed-mobile]")).to_contain_text("13812345678")
    shot(page, "05-unmasked")  # settles the page
    assert AuditEntry.objects.filter(action="customer.unmask", actor_name="rm_a").count() == 1

    with browser_tab(browser, live_server) as auditor:
        sign_in(auditor, "compliance", PASSWORD)
        auditor.goto(f"{live_server.url}/audit/")
        auditor.select_option("#id_action", "customer.unmask")
        auditor.click("text=筛选")
        table = auditor.locator("[data-testid=audit]")
        expect(table).to_contain_text("rm_a")
        expect(table).to_contain_text("客户来电，核实身份")
        expect(table).to_contain_text("C0000001")
        shot(auditor, "06-audit-log")


def test_switch_language(page, lake, shot):
    sign_in(page, "head_a", PASSWORD)
    expect(page.locator("h1")).to_contain_text("概览")
    page.click("[data-testid=lang-switch]")
    expect(page.locator("h1")).to_contain_text("overview")
    expect(page.locator("[data-testid=team]")).to_be_visible()
    shot(page, "07-branch-home-en")
    page.click("[data-testid=lang-switch]")
    expect(page.locator("h1")).to_contain_text("概览")


def test_api_docs_render_offline(page, bank, shot):
    sign_in(page, "analyst", PASSWORD)
    page.goto(page.base + "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15000)
    shot(page, "08-api-docs")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_tablet_width(page, lake, shot):
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(page, "rm_a", PASSWORD)
    page.goto(f"{page.base}/customers/{lake.customers['wang'].pk}/?tab=accounts")
    expect(page.locator("[data-testid=aum-chart] canvas")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"horizontal scroll on a tablet: {width}px"
    shot(page, "09-customer-360-tablet")
