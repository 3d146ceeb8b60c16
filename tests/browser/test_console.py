"""The administration console in a real browser (issue 29 item 5): the administrator creates an RM,
hands them a customer, deactivates them with a successor, and the book moves; no console page
scrolls sideways on a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tenure.core.models import AuditEntry
from tenure.customers.models import Customer
from tenure.org.models import Staff
from tests.browser.conftest import browser_tab, settle, sign_in
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}


def test_admin_creates_an_rm_and_deactivates_them_and_the_book_moves(page, bank, shot):
    sign_in(page, "admin", PASSWORD)
    page.click("[data-testid=nav-settings] summary")  # the settings are one menu group
    page.click("nav.mainnav a[href='/console/']")
    page.click("[data-testid=staff-new]")
    form = page.locator("[data-testid=staff-create-form]")
    form.locator("input[name=username]").fill("rm_new")
    form.locator("input[name=full_name]").fill("周新")
    form.locator("input[name=employee_no]").fill("E310")
    form.locator("select[name=branch]").select_option("S0101")
    form.locator("input[name=roles][value=rm]").check()
    shot(page, "console-01-new")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=initial-password]")).to_have_text(re.compile(r"^(\w{4}-){3}\w{4}$"))
    shot(page, "console-02-created")
    settle(page)
    new_rm = Staff.objects.get(username="rm_new")
    assert new_rm.must_change_password
    Customer.objects.filter(customer_no="C0000001").update(rm_id="E310")  # the extract gives them a customer

    page.click("[data-testid=staff-created] a.button")  # Done: the new member of staff's page
    page.click("[data-testid=deactivate-link]")
    form = page.locator("[data-testid=deactivate-form]")
    form.locator("select[name=successor]").select_option(str(bank.staff["rm_a"].pk))
    form.locator("input[name=reason]").fill("transferred to another bank")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=to-successor]")).to_contain_text("1")
    shot(page, "console-03-review")
    page.click("[data-testid=confirm-deactivate]")
    expect(page.locator(".alert.info")).to_be_visible()
    shot(page, "console-04-done")
    settle(page)
    new_rm.refresh_from_db()
    assert not new_rm.is_active
    assert Customer.objects.get(customer_no="C0000001").rm_id == "E101"
    assert AuditEntry.objects.filter(action="staff.create", object_id="E310").exists()
    assert AuditEntry.objects.filter(action="staff.deactivate", object_id="E310", actor_name="admin").exists()
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_console_page_scrolls_sideways_on_a_phone(browser, live_server, bank, shot, language):
    Staff.objects.filter(username="admin").update(language=language)
    rm = bank.staff["rm_a"].pk
    paths = ["/console/", "/console/staff/new/", f"/console/staff/{rm}/", f"/console/staff/{rm}/deactivate/",
             "/console/branches/", "/console/imports/", "/console/runs/", "/console/config/"]  # fmt: skip
    with browser_tab(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True) as tab:
        sign_in(tab, "admin", PASSWORD)
        for path in paths:
            tab.goto(tab.base + path)
            settle(tab)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} scrolls sideways at {PHONE['width']} px: {width} px wide"
        shot(tab, f"console-phone-staff-{language}")
