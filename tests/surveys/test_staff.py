"""Staff surveys (issue 26 item 6, seed 000 内部顾客): one single-use link per member of staff in scope,
e-mailed or listed for the branch head; anonymous answers; results per branch only from five answers."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from tenure.org.models import Branch, Staff
from tenure.org.services import staff_set_roles
from tenure.surveys.models import StaffInvitation, StaffResponse, Survey
from tenure.surveys.sampling import StaffRule
from tenure.surveys.services import StaffIssued, staff_wave_issue
from tests.factories import password_hash
from tests.surveys.conftest import full_answers

TELLERS = ["柜员甲", "柜员乙", "柜员丙", "柜员丁", "柜员戊"]
FIXED = "已发放调查批次，题目不能再修改。"


@pytest.fixture
def staff_survey(db) -> Survey:
    return Survey.objects.get(code="staff-satisfaction")  # seeded by migration 0003


@pytest.fixture
def tellers(bank) -> list[Staff]:
    """Five more people at 朝阳支行 (S0101), the first two with an e-mail address."""
    return people("S0101", TELLERS, emails=2)


def in_subtree(code: str) -> set[str]:
    path = Branch.objects.get(code=code).path
    return {s.username for s in Staff.objects.filter(is_active=True, home_branch__path__startswith=path)}


def people(branch: str, names: list[str], *, emails: int = 0) -> list[Staff]:
    """Lobby staff at `branch`, the first `emails` of them with an e-mail address."""
    made = []
    for n, name in enumerate(names):
        username = f"{branch}-{n}"
        staff = Staff.objects.create(
            username=username,
            password=password_hash(),
            home_branch_id=branch,
            full_name=name,
            email=f"{username}@bank.example" if n < emails else "",
        )
        staff_set_roles(staff, ["lobby"])
        made.append(staff)
    return made


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def answer(client, issued: StaffIssued, branch: str, count: int, nps: int) -> None:
    links = [link for link in issued.links if link.invitation.branch_code == branch][:count]
    assert len(links) == count
    for link in links:
        data = full_answers(issued.wave.survey, nps=nps)
        data[f"q{issued.wave.survey.questions.get(code='comment').pk}"] = f"{branch} 建议 {link.staff.pk}"
        assert 'data-testid="survey-thanks"' in client.post(f"/p/s/{token_of(link.url)}/", data).content.decode()


def test_a_staff_wave_invites_each_member_of_staff_in_the_branches_once(bank, tellers, staff_survey, login):
    client = login(bank.staff["service"])

    response = client.post(
        reverse("surveys:wave_new", args=[staff_survey.pk]),
        {"name": "2026 年度", "branches": ["B01"], "valid_days": 14},
    )

    expected = in_subtree("B01")
    invited = StaffInvitation.objects.filter(wave__survey=staff_survey)
    assert set(invited.values_list("staff__username", flat=True)) == expected and len(expected) == 10
    assert invited.values("token_hash").distinct().count() == len(expected)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
    listed = [row for row in rows if row[2] and "/p/s/" in row[2]]
    assert len(rows) == 10 and len(listed) == 8  # the two with an e-mail address are not listed with a link
    assert {row[1] for row in listed} >= set(TELLERS[2:]) and {row[0] for row in listed} <= {
        "北京分行",
        "朝阳支行",
        "海淀支行",
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["S0101-0@bank.example", "S0101-1@bank.example"]
    assert all("/p/s/" in m.body for m in mail.outbox) and any(TELLERS[0] in m.body for m in mail.outbox)


def test_roles_narrow_the_wave_and_an_issuer_invites_within_their_scope_only(bank, tellers, staff_survey):
    rms = staff_wave_issue(survey=staff_survey, by=bank.staff["service"], name="RM", rule=StaffRule(roles=["rm"]))
    head = staff_wave_issue(survey=staff_survey, by=bank.staff["head_a"], name="B01", rule=StaffRule())

    assert {link.staff.username for link in rms.links} == {"rm_a", "rm_a2", "rm_b"}
    assert {link.staff.username for link in head.links} == in_subtree("B01")


def test_answers_are_anonymous_and_a_branch_under_five_answers_is_not_shown(bank, tellers, staff_survey, login, client):
    issued = staff_wave_issue(survey=staff_survey, by=bank.staff["service"], name="W", rule=StaffRule())
    answer(client, issued, "S0101", 5, nps=10)
    answer(client, issued, "S0201", 1, nps=0)  # would pull eNPS to 66.7 if it were counted

    page = login(bank.staff["service"]).get(reverse("surveys:results", args=[staff_survey.pk])).content.decode()
    export = client.get(reverse("surveys:export", args=[staff_survey.pk]))
    cells = [
        str(v) for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for v in row if v
    ]

    viewer = bank.staff["service"]  # named in the page's own user menu, as on every page
    invited = StaffInvitation.objects.exclude(staff=viewer).values_list("staff__full_name", "staff__username")
    names = {name for pair in invited for name in pair}
    assert set(TELLERS) <= names
    for name in names - {""}:
        assert name not in page and not any(name in cell for cell in cells), name
    assert 'data-testid="enps">100.0<' in page  # 5 promoters at 朝阳支行; 浦东支行's detractor not counted
    # Every branch but 朝阳支行 (总行, 北京分行, 海淀支行, 浦东支行) has fewer than five answers.
    assert page.count('data-testid="hidden-branch"') == 4 and "浦东支行" in page
    assert "S0101 建议" in page and "S0201 建议" not in page  # comments of the hidden branch stay hidden
    assert not any("S0201 建议" in cell for cell in cells) and any("少于 5" in c or "fewer than 5" in c for c in cells)
    # Nothing stored leads from an answer to a person: no link to staff or invitation, no time of day.
    related = {f.related_model for f in StaffResponse._meta.get_fields() if f.is_relation}
    assert Staff not in related and StaffInvitation not in related
    assert not {"submitted_at", "language"} & {f.name for f in StaffResponse._meta.get_fields()}


def test_four_answers_show_no_figure_at_all(bank, tellers, staff_survey, login, client):
    issued = staff_wave_issue(survey=staff_survey, by=bank.staff["service"], name="W", rule=StaffRule())
    answer(client, issued, "S0101", 4, nps=10)

    page = login(bank.staff["analyst"]).get(reverse("surveys:results", args=[staff_survey.pk])).content.decode()

    assert 'data-testid="enps">—<' in page and 'data-testid="k-rule"' in page
    assert "S0101 建议" not in page and 'data-testid="hidden-branch"' in page


def test_a_branch_head_sees_the_branches_of_their_subtree_only(bank, tellers, staff_survey, login, client):
    people("S0201", ["浦东甲", "浦东乙", "浦东丙", "浦东丁"])
    issued = staff_wave_issue(survey=staff_survey, by=bank.staff["service"], name="W", rule=StaffRule())
    answer(client, issued, "S0201", 5, nps=0)
    answer(client, issued, "S0101", 5, nps=10)

    page = login(bank.staff["head_a"]).get(reverse("surveys:results", args=[staff_survey.pk])).content.decode()

    assert "朝阳支行" in page and "浦东支行" not in page and 'data-testid="enps">100.0<' in page
    assert login(bank.staff["rm_a"]).get(reverse("surveys:results", args=[staff_survey.pk])).status_code == 403


def test_after_a_staff_wave_the_questions_cannot_change(bank, tellers, staff_survey, login):
    staff_wave_issue(survey=staff_survey, by=bank.staff["service"], name="W", rule=StaffRule())
    client = login(bank.staff["service"])
    question = staff_survey.questions.get(code="overall")

    edited = client.post(
        reverse("surveys:question_edit", args=[question.pk]),
        {"kind": "rating", "text_zh": "改过的", "scale": 5},
        follow=True,
    )
    added = client.post(
        reverse("surveys:detail", args=[staff_survey.pk]), {"kind": "text", "text_zh": "新题"}, follow=True
    )

    assert FIXED in edited.content.decode() and FIXED in added.content.decode()
    question.refresh_from_db()
    assert question.text_zh != "改过的" and not staff_survey.questions.filter(text_zh="新题").exists()


def test_the_preview_shows_the_questionnaire_with_nothing_to_submit(bank, staff_survey, login):
    page = login(bank.staff["service"]).get(reverse("surveys:preview", args=[staff_survey.pk])).content.decode()

    assert 'data-testid="survey-preview"' in page and " disabled>" in page
    assert all(q.text_zh in page for q in staff_survey.questions.all())
    assert login(bank.staff["rm_a"]).get(reverse("surveys:preview", args=[staff_survey.pk])).status_code == 403
