"""A customer answers a survey on a phone-sized screen (Playwright + Debian chromium), and the
service officer reads the results with the importance–performance chart. Screenshots go where the
other browser tests put theirs (TENURE_HOME/test-artefacts/screenshots/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tenure.surveys.models import Response
from tests.browser.conftest import browser_tab, settle, sign_in
from tests.factories import PASSWORD
from tests.surveys.conftest import issue, templates  # noqa: F401

# Lives with the other browser tests so it shares their one chromium (a second Playwright in the
# same process fails); the browser marker and the skip without chromium come from that conftest.


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized, touch tab (360 × 740, like a small Android phone)."""
    with browser_tab(
        browser,
        live_server,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    ) as tab:
        yield tab


def test_answer_a_survey_on_a_phone(phone, bank, templates, shot):  # noqa: F811
    issued = issue("nps-loyalty", bank.staff["service"], branches=["S0101"])
    invitation, token = issued.links[0]
    phone.goto(f"{phone.base}/p/s/{token}/")
    expect(phone.locator("h1")).to_have_text("客户推荐与忠诚度调查")
    # Fits the screen: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.click("[data-testid=survey-submit]")  # nothing answered yet: errors, nothing stored
    expect(phone.locator("[data-testid=survey-errors]")).to_be_visible()
    settle(phone)
    assert Response.objects.count() == 0
    phone.click("[data-testid=survey-lang]")
    expect(phone.locator("h1")).to_have_text("Recommendation and loyalty survey")
    for q in invitation.wave.survey.questions.all():
        if q.kind == "nps":
            phone.locator(f"#q{q.pk} label", has_text="9").first.tap()
        elif q.kind == "rating":
            phone.locator(f"#q{q.pk} label").nth(3).tap()
    phone.fill("textarea", "Branch queues are long on Mondays.")
    shot(phone, "surveys-01-phone-answering")
    phone.click("[data-testid=survey-submit]")
    expect(phone.locator("[data-testid=survey-thanks]")).to_contain_text("Thank you")
    shot(phone, "surveys-02-phone-thanks")  # settles the page
    response = Response.objects.get()
    assert response.nps == 9 and response.language == "en"
    phone.goto(f"{phone.base}/p/s/{token}/")
    expect(phone.locator("[data-testid=survey-thanks]")).to_contain_text("Already answered")
    phone.goto(f"{phone.base}/p/s/not-a-real-token-at-all/")
    expect(phone.locator("[data-testid=survey-invalid]")).to_be_visible()
    assert not [e for e in phone.console_errors if "404" not in e], phone.console_errors


def test_results_page_draws_the_quadrant_chart(page, bank, templates, shot):  # noqa: F811
    from tenure.surveys.answering import answer_submit

    issued = issue("relationship", bank.staff["service"])
    for n, (invitation, _) in enumerate(issued.links):
        questions = list(invitation.wave.survey.questions.all())
        values = {
            q.pk: (5 - (q.pk + n) % 3 if q.aspect == "importance" else 2 + (q.pk * 7 + n) % 4)
            for q in questions
            if q.kind == "rating"
        }
        values.update({q.pk: 6 + 2 * n for q in questions if q.kind == "nps"})
        answer_submit(invitation=invitation, questions=questions, values=values, language="zh-hans")
    sign_in(page, "service", PASSWORD)
    page.goto(f"{page.base}/surveys/{issued.wave.survey_id}/results/")
    expect(page.locator("[data-testid=ipa-chart] canvas")).to_have_count(1)
    expect(page.locator("[data-testid=ipa-table] tbody tr")).to_have_count(11)
    shot(page, "surveys-03-results")
    assert not page.console_errors, page.console_errors
