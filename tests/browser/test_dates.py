"""Date fields read as the page's language writes dates: a browser's own date input follows the
browser's locale (mm/dd/yyyy on a Chinese page in an English browser) and could not show Django's
Chinese date format at all (2026/12/07), so Chinese pages came up with empty date fields."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import browser_tab, sign_in
from tests.factories import PASSWORD


@pytest.mark.parametrize(("locale", "weekday"), [("zh-CN", "周一"), ("en-US", "Mon")])
def test_a_date_field_shows_yyyy_mm_dd_and_a_calendar_in_the_pages_language(
    browser, live_server, bank, locale, weekday
):
    with browser_tab(browser, live_server, locale=locale) as tab:
        sign_in(tab, "rm_a", PASSWORD)
        tab.goto(tab.base + "/work/tasks/new/")
        due = tab.locator("input[name=due_on]")
        today = timezone.localdate()
        expect(due).to_have_value(today.isoformat())  # shown, not blank, and not 12/07/2026
        due.click()
        calendar = tab.locator(".flatpickr-calendar.open")
        expect(calendar).to_be_visible()
        expect(calendar.locator(".flatpickr-weekday").first).to_have_text(weekday)  # weeks start on Monday
        calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15").first.click()
        expect(due).to_have_value(f"{today:%Y-%m}-15")
        assert tab.console_errors == []
