"""Results, scoping (pages, export, API), callback tasks, the churn signal input and the wallet input."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tenure.churn.alerts import SURVEY_COLUMNS
from tenure.churn.signals import satisfaction_decline
from tenure.surveys.answering import answer_submit
from tenure.surveys.models import CallbackTask
from tenure.surveys.selectors import results, survey_scores_for_signals
from tests.surveys.conftest import customer_value, issue


def answer(invitation, *, perf: int, imp: int = 4, nps: int | None = None, when=None, comment: str = ""):
    """Answer every rating of the invitation's survey: importance `imp`, everything else `perf`."""
    questions = list(invitation.wave.survey.questions.all())
    values: dict[int, object] = {}
    for q in questions:
        if q.kind == "rating":
            values[q.pk] = imp if q.aspect == "importance" else perf
        elif q.kind == "nps" and nps is not None:
            values[q.pk] = nps
        elif q.kind == "text" and comment:
            values[q.pk] = comment
    return answer_submit(invitation=invitation, questions=questions, values=values, language="zh-hans", now=when)


@pytest.fixture
def answered(bank, templates):
    """A relationship wave to everyone; Wang Fang (S0101) and Zhao Min (S0201, foreign to B01) answer."""
    issued = issue("relationship", bank.staff["service"])
    by_customer = {i.customer.customer_no: i for i, _ in issued.links}
    answer(by_customer["C0000001"], perf=5, nps=10, comment="等太久了，电话13812345678")
    answer(by_customer["C0000009"], perf=2, nps=3)
    return issued


def test_results_bank_wide_for_service(bank, answered):
    r = results(answered.wave.survey, bank.staff["service"])
    assert (r.invited, r.responses, r.response_rate) == (4, 2, 50.0)
    assert (r.nps.promoters, r.nps.detractors, r.nps.score) == (1, 1, 0.0)
    assert len(r.ipa.points) == 11
    point = r.ipa.points[0]
    assert point.importance == 4 and point.performance == pytest.approx(3.5)
    assert point.performance_ratio == pytest.approx(0.875)
    assert {s["key"] for s in r.breakdowns["branch"]} == {"S0101", "S0201"}
    assert r.comments == ["等太久了，电话138****5678"]


def test_results_of_a_branch_head_cover_the_subtree_only(bank, answered):
    r = results(answered.wave.survey, bank.staff["head_a"])
    assert (r.invited, r.responses, r.nps.score) == (3, 1, 100.0)
    assert {s["key"] for s in r.breakdowns["branch"]} == {"S0101"}


def test_results_page_export_and_permissions(bank, answered, login):
    survey = answered.wave.survey
    client = login(bank.staff["head_a"])
    page = client.get(f"/surveys/{survey.pk}/results/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="survey-data"' in text and 'data-testid="ipa-chart"' in text and "<script>" not in text
    assert "浦东支行" not in text  # the foreign branch's row is not shown
    export = client.get(f"/surveys/{survey.pk}/results.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "NPS" in cells and "赵敏" not in cells
    assert client.get(f"/surveys/{survey.pk}/").status_code == 403  # building is for service/admin
    for who in ("rm_a", "lobby_a", "norole"):
        client = login(bank.staff[who])
        assert client.get(f"/surveys/{survey.pk}/results/").status_code == 403
        assert client.get("/surveys/").status_code == 403


def test_builder_adds_a_question_and_issues_a_wave_with_a_masked_link_file(bank, templates, login):
    client = login(bank.staff["service"])
    assert (
        client.post("/surveys/new/", {"code": "branch-visit", "title_zh": "网点体验", "title_en": "Visit"}).status_code
        == 302
    )
    from tenure.surveys.models import Survey

    survey = Survey.objects.get(code="branch-visit")
    added = client.post(
        f"/surveys/{survey.pk}/",
        {
            "kind": "rating",
            "text_zh": "等候时间",
            "scale": 7,
            "attribute": "fast_service",
            "aspect": "performance",
            "required": "on",
        },
    )
    assert added.status_code == 302 and survey.questions.get().scale == 7
    bad = client.post(
        f"/surveys/{survey.pk}/",
        {"kind": "single", "text_zh": "渠道", "scale": 5, "choices_text": "一个 | only"},
    )
    assert bad.status_code == 200 and survey.questions.count() == 1
    links = client.post(
        f"/surveys/{survey.pk}/waves/new/",
        {
            "name": "W1",
            "channel": "sms",
            "branches": ["S0101"],
            "touchpoint_days": 90,
            "size": 0,
            "cap_days": 90,
            "valid_days": 14,
        },
    )
    body = b"".join(links.streaming_content).decode("utf-8-sig")
    assert links.status_code == 200 and "138****5678" in body and "13812345678" not in body
    assert body.count("/p/s/") == 2 and "王芳" not in body


def test_api_lists_surveys_and_scoped_masked_responses(bank, answered, login):
    client = login(bank.staff["head_a"])
    surveys = client.get("/api/v1/surveys/").json()
    assert "relationship" in {s["code"] for s in surveys["results"]}
    responses = client.get("/api/v1/survey-responses/").json()["results"]
    assert [r["customer"] for r in responses] == ["C0000001"]
    comment = next(a["value"] for a in responses[0]["answers"] if a["question"] == "comment")
    assert "13812345678" not in comment and "138****5678" in comment
    assert client.get("/api/v1/survey-responses/?customer=C0000009").json()["results"] == []
    assert client.get("/api/v1/survey-responses/?wave=99999999999999999999").status_code == 400  # not a crash
    assert login(bank.staff["rm_a"]).get("/api/v1/survey-responses/").status_code == 403


def test_scores_for_the_churn_signal_have_the_expected_columns(bank, templates):
    service = bank.staff["service"]
    day = timezone.localdate()
    first = issue("relationship", service, branches=["S0101"], now=timezone.now() - dt.timedelta(days=120))
    second = issue("relationship", service, branches=["S0101"], name="W2")
    wang_1 = next(i for i, _ in first.links if i.customer.customer_no == "C0000001")
    wang_2 = next(i for i, _ in second.links if i.customer.customer_no == "C0000001")
    answer(wang_1, perf=5, when=timezone.now() - dt.timedelta(days=110))
    answer(wang_2, perf=2)
    frame = survey_scores_for_signals(day)
    empty = pd.DataFrame({k: pd.Series(dtype=v) for k, v in SURVEY_COLUMNS.items()})  # what raise_alerts builds
    assert frame.dtypes.to_dict() == empty.dtypes.to_dict()
    assert list(frame.columns) == list(SURVEY_COLUMNS)
    assert frame.score.tolist() == [10.0, 2.0]  # perf 5 -> 10, perf 2 -> 2.5 on 0-10, whole points
    hits = satisfaction_decline(frame, {"drop": 2}, day)
    assert hits.customer_no.tolist() == ["C0000001"]
    none = survey_scores_for_signals(day - dt.timedelta(days=200))
    assert none.empty and none.dtypes.to_dict() == empty.dtypes.to_dict()


def test_branch_decline_creates_callbacks_for_key_customers_for_the_branch_head(bank, templates, login):
    service = bank.staff["service"]
    customer_value(bank.customers["wang"], level="key")
    customer_value(bank.customers["wanglei"], tier="gold", level="small")
    before = issue("relationship", service, now=timezone.now() - dt.timedelta(days=100), name="Q1")
    after = issue("relationship", service, name="Q2")
    for inv, _ in before.links:
        answer(inv, perf=5)
    for inv, _ in after.links:
        answer(inv, perf=2 if inv.customer.branch_id == "S0101" else 5)
    from tenure.surveys.services import callbacks_for_decline

    result = callbacks_for_decline(wave=after.wave, min_responses=1)
    assert result == {"branches": ["S0101"], "created": 1}
    task = CallbackTask.objects.get()
    assert task.customer.customer_no == "C0000001" and task.assigned_to == bank.staff["head_a"]
    assert callbacks_for_decline(wave=after.wave, min_responses=1)["created"] == 0  # idempotent
    home = login(bank.staff["head_a"]).get("/").content.decode()
    assert 'data-testid="callbacks"' in home and "C0000001" in home
    # An RM cannot work callbacks; the branch head closes it with what the customer said.
    rm_b = login(bank.staff["rm_b"])
    assert rm_b.post(f"/surveys/callbacks/{task.pk}/done/", {"note": "x"}).status_code == 403
    head = login(bank.staff["head_a"])
    assert head.post(f"/surveys/callbacks/{task.pk}/done/", {"note": "客户等候太久"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.note == "客户等候太久"


def test_foreign_callback_answers_404(bank, templates, login):
    after = issue("relationship", bank.staff["service"], branches=["S0201"], name="B")
    task = CallbackTask.objects.create(customer=bank.foreign, wave=after.wave, branch_code="S0201", reason="r")
    assert login(bank.staff["head_a"]).post(f"/surveys/callbacks/{task.pk}/done/", {"note": "x"}).status_code == 404
    assert "C0000009" not in login(bank.staff["head_a"]).get("/surveys/callbacks/").content.decode()
    assert "C0000009" in login(bank.staff["service"]).get("/surveys/callbacks/").content.decode()


def test_reported_assets_feed_share_of_wallet(bank, templates, settings):
    """Loyalty's share of wallet sees an answer as soon as it is submitted, from the database: no
    file passes between the two apps."""
    import pyarrow as pa

    from tenure import lake
    from tenure.loyalty.wallet import share_of_wallet
    from tenure.surveys.selectors import reported_total_assets

    assert reported_total_assets().empty
    issued = issue("nps-loyalty", bank.staff["service"], branches=["S0101"])
    inv = issued.links[0][0]
    no = inv.customer.customer_no
    questions = list(inv.wave.survey.questions.all())
    assets = next(q for q in questions if q.tag == "total_financial_assets")
    nps_q = next(q for q in questions if q.kind == "nps")
    answer_submit(invitation=inv, questions=questions, values={nps_q.pk: 8, assets.pk: "1m_3m"}, language="en")
    table = reported_total_assets()
    assert table.to_dict("records") == [{"customer_no": no, "total_financial_assets": 2_000_000.0}]
    assert isinstance(table, pd.DataFrame)
    day = dt.date(2025, 4, 30)
    features = pa.table({"customer_no": [no], "aum": [500_000.0], "competitor_amount": [0.0]})
    lake.write_output("features", day, features, run_key="k", config_version=1)
    shares = share_of_wallet(pd.Series([no]), day)
    assert shares.to_dict("records") == [
        {"customer_no": no, "aum": 500_000.0, "wallet": 2_000_000.0, "source": "survey", "share": 0.25}
    ]
    assert not [p for p in settings.TENURE_HOME.rglob("*.csv")]  # nothing handed over through a file


def test_the_360_page_lists_the_customers_answers_with_masked_comments(bank, answered, login):
    client = login(bank.staff["rm_a"])
    html = client.get(f"/surveys/customers/{bank.customers['wang'].pk}/panel/").content.decode()
    assert 'data-testid="surveys-panel"' in html and "138****5678" in html and "13812345678" not in html
    assert client.get(f"/surveys/customers/{bank.customers['zhao'].pk}/panel/").status_code == 404
    empty = client.get(f"/surveys/customers/{bank.customers['wanglei'].pk}/panel/").content.decode()
    assert "No survey answers" in empty or "暂无" in empty
