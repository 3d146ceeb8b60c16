"""The survey builder: creating a survey, adding, moving and removing questions until a wave is
issued, audited (in the same transaction as the change), managers only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tenure.core.models import AuditEntry
from tenure.surveys.models import Question, Survey
from tests.surveys.conftest import issue


@pytest.fixture
def survey(bank, templates):
    return Survey.objects.get(code="relationship")


def codes(survey: Survey) -> list[str]:
    return list(survey.questions.values_list("code", flat=True))


FIXED = "已发放调查批次，题目不能再修改。"  # the pages speak Chinese first


def change(client, question: Question, action: str, *, follow: bool = True):
    return client.post(reverse("surveys:question_change", args=[question.pk]), {"action": action}, follow=follow)


NEW_QUESTION = {
    "kind": "rating",
    "text_zh": "网点停车是否方便？",
    "text_en": "Parking?",
    "scale": 5,
    "required": "on",
}


def add(client, survey: Survey, data: dict | None = None, *, follow: bool = True):
    return client.post(reverse("surveys:detail", args=[survey.pk]), data or NEW_QUESTION, follow=follow)


class AuditDown(Exception):
    pass


@pytest.fixture
def break_audit(monkeypatch):
    """Call it (after logging in: a login is audited too) and every audit write fails, whichever
    module calls `audit`."""

    class Entries:
        @staticmethod
        def create(**fields):
            raise AuditDown

    class BrokenAuditEntry:
        objects = Entries

    return lambda: monkeypatch.setattr("tenure.core.audit.AuditEntry", BrokenAuditEntry)


def test_a_question_moves_down_and_up_and_each_move_is_audited(bank, survey, login):
    client = login(bank.staff["service"])
    first, second, third = codes(survey)[:3]

    change(client, survey.questions.get(code=first), "down")
    assert codes(survey)[:3] == [second, first, third]
    change(client, survey.questions.get(code=third), "up")
    assert codes(survey)[:3] == [second, third, first]
    assert list(survey.questions.values_list("position", flat=True)) == list(range(1, survey.questions.count() + 1))
    moves = AuditEntry.objects.filter(action="survey.question.move", object_id=str(survey.pk))
    assert [m.detail for m in moves.order_by("pk")] == [
        {"question": first, "position": 2},
        {"question": third, "position": 2},
    ]


def test_moving_past_either_end_changes_nothing(bank, survey, login):
    client = login(bank.staff["service"])
    before = codes(survey)

    change(client, survey.questions.get(code=before[0]), "up")
    change(client, survey.questions.get(code=before[-1]), "down")

    assert codes(survey) == before
    assert not AuditEntry.objects.filter(action="survey.question.move").exists()


def test_a_removed_question_is_gone_and_audited(bank, survey, login):
    client = login(bank.staff["service"])
    removed = codes(survey)[1]

    page = change(client, survey.questions.get(code=removed), "remove")

    assert removed not in codes(survey)
    assert "题目已删除。" in page.content.decode()
    assert AuditEntry.objects.get(action="survey.question.remove").detail == {"question": removed}


def test_after_a_wave_the_questions_stay_as_respondents_saw_them(bank, survey, login):
    issue("relationship", bank.staff["service"])
    client = login(bank.staff["service"])
    before = codes(survey)

    moved = change(client, survey.questions.get(code=before[0]), "down")
    removed = change(client, survey.questions.get(code=before[1]), "remove")

    assert codes(survey) == before
    for page in (moved, removed):
        assert page.status_code == 200
        assert FIXED in page.content.decode()
    detail = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert 'data-testid="question-actions"' not in detail
    assert not AuditEntry.objects.filter(action__in=["survey.question.move", "survey.question.remove"]).exists()


def test_the_builder_offers_the_actions_and_only_managers_may_use_them(bank, survey, login):
    page = login(bank.staff["service"]).get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert page.count('data-testid="question-actions"') == survey.questions.count()
    question = survey.questions.first()

    response = change(login(bank.staff["rm_a"]), question, "remove", follow=False)

    assert response.status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_an_unknown_action_is_refused(bank, survey, login):
    question = survey.questions.first()
    response = change(login(bank.staff["service"]), question, "x", follow=False)
    assert response.status_code == 400


def test_a_question_is_edited_in_place_with_its_options_as_lines_of_text(bank, templates, login):
    client = login(bank.staff["service"])
    survey = Survey.objects.get(code="nps-loyalty")
    question = survey.questions.filter(kind="single").first()
    url = reverse("surveys:question_edit", args=[question.pk])
    first = question.choices[0]
    form = client.get(url).content.decode()
    assert f"{first['zh']} | {first['en']}" in form
    assert f"{first['code']}|" not in form and question.code not in form  # no codes to read or type
    before = codes(survey)

    page = client.post(
        url,
        {
            "kind": question.kind,
            "text_zh": "您主要在哪家银行办理业务？",
            "text_en": "Main bank?",
            "scale": 5,
            "required": "on",
            "choices_text": "工商银行 | ICBC\n网商银行 | MYbank | 2,500\n其他 | Other",
        },
        follow=True,
    )

    question.refresh_from_db()
    assert "题目已保存。" in page.content.decode()
    assert (question.text_zh, question.text_en) == ("您主要在哪家银行办理业务？", "Main bank?")
    # Unchanged options keep their codes; the new one gets a fresh code and its number.
    assert [c["code"] for c in question.choices] == ["icbc", "o1", "other"]
    assert question.choices[1] == {"code": "o1", "zh": "网商银行", "en": "MYbank", "value": 2500.0}
    assert codes(survey) == before  # keeps its place
    entry = AuditEntry.objects.get(action="survey.question.edit")
    assert entry.detail["question"] == question.code and "text_zh" in entry.detail["fields"]


def test_a_choice_question_needs_two_different_options(bank, survey, login):
    client = login(bank.staff["service"])
    data = {"kind": "single", "text_zh": "渠道", "scale": 5}

    one = add(client, survey, {**data, "choices_text": "柜台 | Counter"}, follow=False)
    twice = add(client, survey, {**data, "choices_text": "柜台 | Counter\n柜台 | Desk"}, follow=False)

    assert one.status_code == twice.status_code == 200
    assert "请至少提供两个选项。" in one.content.decode()
    assert not survey.questions.filter(text_zh="渠道").exists()


def test_an_attribute_is_chosen_by_its_label_or_named_new(bank, survey, login):
    client = login(bank.staff["service"])
    page = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert "服务处理迅速及时、等候时间最短" in page  # the attribute offered by its label
    rating = {"kind": "rating", "text_zh": "等候时间", "scale": 7, "aspect": "performance", "required": "on"}

    add(client, survey, {**rating, "attribute": "fast_service"})
    add(client, survey, {**rating, "text_zh": "停车", "attribute_new": "停车方便"})
    refused = add(client, survey, {**rating, "text_zh": "无属性"}, follow=False)

    assert survey.questions.get(text_zh="等候时间").attribute == "fast_service"
    assert survey.questions.get(text_zh="停车").attribute == "停车方便"
    assert refused.status_code == 200 and not survey.questions.filter(text_zh="无属性").exists()


def test_after_a_wave_a_question_cannot_be_edited(bank, survey, login):
    issue("relationship", bank.staff["service"])
    client = login(bank.staff["service"])
    question = survey.questions.first()
    url = reverse("surveys:question_edit", args=[question.pk])

    assert FIXED in client.get(url, follow=True).content.decode()
    refused = client.post(url, {"kind": question.kind, "text_zh": "改过的", "scale": question.scale}, follow=True)

    assert FIXED in refused.content.decode()

    question.refresh_from_db()
    assert question.text_zh != "改过的"


def test_a_question_is_added_last_and_audited(bank, survey, login):
    client = login(bank.staff["service"])
    before = codes(survey)

    page = add(client, survey)

    assert "题目已添加。" in page.content.decode()
    new = survey.questions.last()
    assert codes(survey) == [*before, new.code] and new.text_zh == NEW_QUESTION["text_zh"]
    assert new.code == f"q{len(before) + 1}"  # given by the form, never typed
    entry = AuditEntry.objects.get(action="survey.question.add")
    assert entry.object_id == str(survey.pk) and entry.detail == {"question": new.code, "kind": "rating"}


def test_after_a_wave_no_question_can_be_added(bank, survey, login):
    issue("relationship", bank.staff["service"])
    client = login(bank.staff["service"])
    before = codes(survey)

    page = add(client, survey)

    assert page.status_code == 200 and FIXED in page.content.decode()
    assert codes(survey) == before
    assert not AuditEntry.objects.filter(action="survey.question.add").exists()
    assert 'data-testid="question-form"' not in page.content.decode()  # not offered either


def test_a_question_whose_audit_fails_is_not_stored(bank, survey, login, break_audit):
    client = login(bank.staff["service"])
    before = codes(survey)
    break_audit()

    with pytest.raises(AuditDown):
        add(client, survey)

    assert codes(survey) == before


def test_a_survey_is_created_and_audited(bank, login):
    client = login(bank.staff["service"])

    page = client.post(reverse("surveys:new"), {"code": "branch-visit", "title_zh": "网点体验"}, follow=True)

    survey = Survey.objects.get(code="branch-visit")
    assert page.status_code == 200 and survey.created_by == bank.staff["service"]
    assert AuditEntry.objects.filter(action="survey.create", object_id=str(survey.pk)).exists()


def test_a_survey_whose_audit_fails_is_not_stored(bank, login, break_audit):
    client = login(bank.staff["service"])
    break_audit()

    with pytest.raises(AuditDown):
        client.post(reverse("surveys:new"), {"code": "branch-visit", "title_zh": "网点体验"})

    assert not Survey.objects.filter(code="branch-visit").exists()
