"""The RM's workbench in a real browser (issue 23): a task on the home page is opened, the visit is
logged, the task leaves the list and the plan coverage moves; and no workbench page scrolls
sideways on a 390 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tenure.engagement.models import Source, Task, TaskStatus
from tenure.org.models import Staff
from tests.browser.conftest import browser_tab, settle, sign_in
from tests.engagement.test_tasks import value
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}


def _task(bank, customer: str, source: str, *, days: int = 0, title: str = "") -> Task:
    """An open task of rm_a, due `days` from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return Task.objects.create(
        key=f"{source}:{customer}:{day}", source=source, customer=bank.customers[customer],
        owner=bank.staff["rm_a"], title=title or source, due_on=day, created_on=day,
    )  # fmt: skip


def _no_sideways_scroll(tab, path: str) -> None:
    tab.goto(tab.base + path)
    settle(tab)
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} scrolls sideways at {PHONE['width']} px: {width} px wide"


def test_see_a_task_log_the_visit_and_the_coverage_moves(page, bank, shot):
    value(bank.customers["wang"], "diamond")  # a visit a month and a call every two weeks: 2 planned contacts
    task = _task(bank, "wang", Source.PLAN_VISIT, title="每月拜访")
    sign_in(page, "rm_a", PASSWORD)
    rows = page.locator("[data-testid=tasks] [data-testid=task]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王芳")
    expect(page.locator("[data-testid=kpi-today]")).to_have_text("1")
    expect(page.locator("[data-testid=kpi-coverage]")).to_have_text("0.0 %")
    shot(page, "workbench-01-home")

    rows.first.locator("a.button").click()
    expect(page).to_have_url(f"{page.base}/work/tasks/{task.pk}/")
    form = page.locator("[data-testid=complete-form]")
    expect(form.locator("select[name=channel] option")).to_have_count(1)  # a planned visit is finished by a visit
    form.locator("textarea[name=summary]").fill("上门拜访，客户满意")
    shot(page, "workbench-02-task")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{page.base}/")
    expect(page.locator("[data-testid=tasks] [data-testid=task]")).to_have_count(0)
    expect(page.locator("[data-testid=kpi-today]")).to_have_text("0")
    expect(page.locator("[data-testid=kpi-coverage]")).to_have_text("100.0 %")  # the visit counts as the call too
    shot(page, "workbench-03-done")
    settle(page)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.interaction is not None
    assert task.interaction.channel == "visit" and task.interaction.summary == "上门拜访，客户满意"
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_workbench_page_scrolls_sideways_on_a_phone(browser, live_server, bank, shot, language):
    value(bank.customers["wang"], "diamond")
    value(bank.customers["wanglei"], "gold", "important")
    task = _task(bank, "wang", Source.CHURN_ALERT, days=-3, title="资产一个月下降 40 %，请尽快联系客户并了解原因")
    task.value_at_risk = 12345678.9
    task.save(update_fields=["value_at_risk"])
    _task(bank, "wanglei", Source.PLAN_CALL, days=2)
    _task(bank, "wanglei", Source.GREETING, days=5, title="生日")
    Staff.objects.filter(username__in=["rm_a", "head_a"]).update(language=language)  # English words are longer
    with browser_tab(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True) as tab:
        sign_in(tab, "rm_a", PASSWORD)
        for path in ("/", "/work/tasks/", f"/work/tasks/{task.pk}/"):
            _no_sideways_scroll(tab, path)
        shot(tab, f"workbench-phone-task-{language}")
    with browser_tab(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True) as tab:
        sign_in(tab, "head_a", PASSWORD)
        _no_sideways_scroll(tab, "/")
        expect(tab.locator("[data-testid=team-work]")).to_be_visible()
        _no_sideways_scroll(tab, "/work/tasks/")
        shot(tab, f"workbench-phone-team-tasks-{language}")
