"""The scorecard, drill-down and star pages and the API, as each role sees them: an RM their own,
a branch head the subtree, head office every branch; foreign figures never show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenure.performance.compute import Month
from tenure.performance.models import StarAward
from tenure.performance.services import scorecards_compute
from tests.performance.test_scorecards import JAN, TODAY, month  # noqa: F401

URL = reverse("performance:scorecard")


@pytest.fixture
def computed(month):  # noqa: F811
    scorecards_compute(month=JAN, today=TODAY)
    return month


def test_an_rm_sees_their_own_scorecard_only(computed, login):
    client = login(computed.staff["rm_a"])
    page = client.get(URL).content.decode()
    assert 'data-testid="kpi-book"' in page and "scorecard-rms" not in page
    query = {"month": "2026-01", "figure": "book", "rm": "E201"}
    drill = client.get(reverse("performance:drill"), query).content.decode()
    assert "王芳" in drill and "赵敏" not in drill and "李娜" not in drill
    api = client.get("/api/v1/scorecards/", {"period": "2026-01"}).json()
    assert [row["rm"] for row in api["results"]] == ["E101"]


def test_a_branch_head_sees_the_subtree_and_its_pool(computed, login):
    client = login(computed.staff["head_a"])
    page = client.get(URL, {"sort": "-book"}).content.decode()
    assert 'data-testid="rm-E101"' in page and 'data-testid="rm-pool:S0101"' in page
    assert "rm-E201" not in page
    assert client.get(URL, {"branch": "B02"}).status_code == 404
    rows = client.get("/api/v1/scorecards/", {"period": "2026-01"}).json()["results"]
    assert sorted(str(r["rm"]) for r in rows) == ["E101", "E102", "None"]
    lost = client.get(reverse("performance:drill"), {"month": "2026-01", "figure": "lost"}).content.decode()
    assert "王磊" in lost and "王芳" not in lost


def test_the_rm_table_is_paged_in_its_sort_order_with_the_total_on_every_page(computed, login, monkeypatch):
    monkeypatch.setattr("tenure.performance.views.PER_PAGE", 2)  # a bank has thousands of RMs
    client = login(computed.staff["analyst"])
    first = client.get(URL, {"sort": "-book"}).content.decode()
    second = client.get(URL, {"sort": "-book", "page": 2}).content.decode()
    shown = [
        [key for key in ("E101", "E102", "E201", "pool:S0101") if f'data-testid="rm-{key}"' in page]
        for page in (first, second)
    ]
    assert len(shown[0]) == 2 and shown[1] and not set(shown[0]) & set(shown[1])
    assert 'data-testid="rm-total"' in first and 'data-testid="rm-total"' in second
    assert "sort=-book&amp;page=2" in first.replace("sort=%2Dbook", "sort=-book")  # the pager keeps the order


def test_head_office_sees_every_branch(computed, login):
    client = login(computed.staff["analyst"])
    page = client.get(URL).content.decode()
    assert 'data-testid="branch-B01"' in page and 'data-testid="branch-B02"' in page
    export = client.get(reverse("performance:scorecard_export"), {"month": "2026-01"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_roles_without_the_permission_are_refused(computed, login):
    for name in ("lobby_a", "compliance", "norole"):
        assert login(computed.staff[name]).get(URL).status_code == 403
    assert login(computed.staff["analyst"]).get(reverse("performance:star_rules")).status_code == 403


def test_bad_months_are_a_404_and_a_bad_period_a_400(computed, login):
    client = login(computed.staff["analyst"])
    assert client.get(URL, {"month": "2026-13"}).status_code == 404
    assert client.get(URL, {"month": "2025-02"}).status_code == 404
    assert client.get("/api/v1/scorecards/", {"period": "nope"}).status_code == 400


def test_the_star_page_shows_the_formula_and_the_export(computed, login):
    StarAward.objects.all().delete()
    from tenure.performance import stars

    stars.star_rules_save(by=computed.staff["admin"], rules={**stars.DEFAULT_RULES, "min_book": 1}, note="test")
    scorecards_compute(month=Month.parse("2026-01"), today=TODAY)
    award = StarAward.objects.get(branch_code="")
    assert award.winner.employee_no in {"E101", "E102", "E201"}
    client = login(computed.staff["rm_a"])
    page = client.get(reverse("performance:stars")).content.decode()
    assert 'data-testid="star-bank"' in page and "star-B02" not in page and "Σ" in page
    assert client.get(reverse("performance:stars_export")).status_code == 200


def test_the_admin_edits_the_weighting_and_a_bad_number_names_its_field(computed, login):
    client = login(computed.staff["admin"])
    url = reverse("performance:star_rules")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"w_nps": "lots", "min_book": "5", "min_answers": "5", "note": "x"})
    assert bad.status_code == 400 and "weights.nps" in bad.content.decode()
    form = {f"w_{k}": "1" for k in ("aum_growth", "nps")} | {"min_book": "5", "min_answers": "5", "note": "simpler"}
    assert client.post(url, form).status_code == 302
