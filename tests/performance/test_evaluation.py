"""The evaluation dashboard on the tiny bank's January: its figures are those of the owning apps'
selectors, a branch head sees their subtree only, and the XLSX holds one sheet per section."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tenure.complaints.selectors import complaint_list
from tenure.core.models import AuditEntry
from tenure.performance.evaluation import SECTIONS, dashboard
from tenure.performance.period import MAX_MONTHS, Period
from tenure.performance.services import scorecards_compute
from tenure.retention.models import Campaign, CampaignMember
from tenure.surveys.metrics import nps
from tenure.surveys.selectors import responses_for
from tests.performance.test_scorecards import JAN, TODAY, month  # noqa: F401

URL = reverse("performance:evaluation")
JANUARY = {"from": "2026-01", "to": "2026-01"}


@pytest.fixture
def evaluated(month):  # noqa: F811
    scorecards_compute(month=JAN, today=TODAY)
    return month


def _row(section, label: str) -> list:
    return next(r for r in section.rows if r[0] == label)


def test_figures_agree_with_the_survey_and_complaint_selectors(evaluated):
    for who in ("analyst", "head_a"):
        user = evaluated.staff[who]
        board = dashboard(user, Period.from_query(JANUARY))
        jan = _row(board.section("satisfaction"), "2026-01")
        answers = [r.nps for r in responses_for(user) if timezone.localtime(r.submitted_at).month == 1]
        assert (jan[3], jan[6]) == (nps(answers).n, nps(answers).score)
        received = complaint_list(user=user).filter(received_at__date__gte=dt.date(2026, 1, 1)).count()
        assert _row(board.section("complaints"), "2026-01")[1] == received == board.kpis["complaints"]
    analyst = dashboard(evaluated.staff["analyst"], Period.from_query(JANUARY))
    assert analyst.kpis["nps"] == 0.0  # one promoter, one detractor (as the scorecard's NPS)
    churn = _row(analyst.section("churn"), "2026-01")
    assert (churn[1], churn[2]) == (3, 1)  # retained, lost: the stored scorecards


def test_a_branch_head_sees_only_the_subtree(evaluated, login):
    head = dashboard(evaluated.staff["head_a"], Period.from_query(JANUARY))
    assert [r[0] for r in head.section("scorecards").rows] == ["朝阳支行", "海淀支行"]
    client = login(evaluated.staff["head_a"])
    assert client.get(URL, JANUARY | {"branch": "B02"}).status_code == 404
    page = client.get(URL, JANUARY | {"branch": "S0101"}).content.decode()
    # Li Na (海淀, S0102) is the only one with a complaint: none within 朝阳支行.
    assert 'data-testid="kpi-complaints">0<' in page
    everything = login(evaluated.staff["analyst"]).get(URL, JANUARY).content.decode()
    assert "浦东支行" in everything and 'data-testid="kpi-complaints">1<' in everything


def test_campaign_effects_against_their_control_group(evaluated):
    campaign = Campaign.objects.create(
        name="一月挽留", branch_id="B01", control_share=0.5, seed=1, business_date=dt.date(2026, 1, 5)
    )
    Campaign.objects.filter(pk=campaign.pk).update(created_at=timezone.make_aware(dt.datetime(2026, 1, 6, 9)))
    for key, group, churned in (("wang", "treated", False), ("wanglei", "control", True), ("li", "treated", True)):
        CampaignMember.objects.create(
            campaign=campaign, customer=evaluated.customers[key], group=group, probability=0.5, churned=churned
        )
    row = dashboard(evaluated.staff["analyst"], Period.from_query(JANUARY)).section("campaigns").rows[0]
    assert row[0] == "一月挽留" and (row[3], row[4]) == (2, 1)
    assert (row[5].fraction, row[6].fraction, row[7].fraction) == (0.5, 1.0, 0.5)
    assert dashboard(evaluated.staff["head_a"], Period.from_query({"from": "2026-02"})).section("campaigns").rows == []


def test_the_workbook_has_a_sheet_per_section_in_the_page_language(evaluated, login):
    client = login(evaluated.staff["analyst"])
    response = client.get(reverse("performance:evaluation_export"), JANUARY, HTTP_ACCEPT_LANGUAGE="en")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == len(SECTIONS)
    assert book.sheetnames[0] == "Satisfaction and NPS"
    header = [c.value for c in next(r for r in book["Satisfaction and NPS"].iter_rows() if r[0].value == "Month")]
    assert header[-1] == "Net promoter score"
    assert AuditEntry.objects.filter(action="evaluation.export", object_id="all").exists()
    one = client.get(reverse("performance:evaluation_export"), JANUARY | {"section": "complaints"})
    book = load_workbook(io.BytesIO(one.content))
    assert len(book.sheetnames) == 1
    assert client.get(reverse("performance:evaluation_export"), {"section": "nope"}).status_code == 404


def test_who_may_open_the_dashboard(evaluated, login):
    for name, status in (("head_a", 200), ("service", 200), ("compliance", 200), ("rm_a", 403), ("lobby_a", 403)):
        assert login(evaluated.staff[name]).get(URL, JANUARY).status_code == status
    # The "Insight" menu links each page for those who may open it.
    home = login(evaluated.staff["rm_a"]).get(reverse("performance:scorecard")).content.decode()
    assert reverse("performance:competitors") in home and f'href="{URL}"' not in home
    home = login(evaluated.staff["head_a"]).get(URL).content.decode()
    assert f'href="{URL}" class="active"' in home


@given(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 1)), st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 1)))
def test_a_period_is_whole_months_in_order_and_never_too_long(a, b):
    period = Period.from_query({"from": f"{a:%Y-%m}", "to": f"{b:%Y-%m}"})
    months = period.months
    assert 1 <= len(months) <= MAX_MONTHS and months[0] == period.first and months[-1] == period.last
    assert all(x.end + dt.timedelta(days=1) == y.start for x, y in zip(months, months[1:], strict=False))
    assert period.last.start == max(a, b).replace(day=1)
    assert Period.from_query({"from": "nonsense"}, today=dt.date(2026, 3, 9)).months[0].label == "2025-04"
