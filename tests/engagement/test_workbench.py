"""The workbench through HTTP: the RM's home lists today's tasks and the plan coverage, finishing a
task logs the contact and moves the coverage; scope, roles and the contact plan editor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tenure.core.models import AuditEntry
from tenure.engagement import plans
from tenure.engagement.models import ContactPlanRules, Source, Task, TaskStatus
from tests.engagement.test_tasks import value

pytestmark = pytest.mark.django_db


def _task(bank, *, source=Source.PLAN_VISIT, customer="wang", owner="rm_a", due=None) -> Task:
    day = due or timezone.localdate()
    return Task.objects.create(
        key=f"{source}:{customer}:{day}", source=source, customer=bank.customers[customer],
        owner=bank.staff[owner], title="Planned visit", due_on=day, created_on=day,
    )  # fmt: skip


def test_the_rm_home_is_the_workbench_and_finishing_a_task_moves_the_coverage(bank, login):
    value(bank.customers["wang"], "diamond")  # a visit a month and a call every two weeks
    task = _task(bank)
    client = login(bank.staff["rm_a"])
    home = client.get("/").content.decode()
    assert 'data-testid="task"' in home and bank.customers["wang"].name in home
    assert "0.0 %" in home  # nothing of the plan done yet: 0 of 2

    page = client.get(f"/work/tasks/{task.pk}/").content.decode()
    assert 'value="visit"' in page and 'value="phone"' not in page  # a planned visit is finished by a visit
    response = client.post(f"/work/tasks/{task.pk}/complete/", {"channel": "visit", "summary": "tea at home"})
    assert response.status_code == 302 and response.url == "/"
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.interaction.summary == "tea at home"
    home = client.get("/").content.decode()
    assert "100.0 %" in home and 'data-testid="task"' not in home  # the visit covers the call too


def test_a_wrong_channel_is_a_clear_error_and_changes_nothing(bank, login):
    task = _task(bank)
    client = login(bank.staff["rm_a"])
    response = client.post(f"/work/tasks/{task.pk}/complete/", {"channel": "phone", "summary": "called"})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.is_open and task.interaction is None


def test_a_task_out_of_scope_is_404_and_audited_and_a_colleagues_task_cannot_be_finished(bank, login):
    foreign = _task(bank, customer="zhao", owner="rm_b")
    client = login(bank.staff["rm_a"])
    assert client.get(f"/work/tasks/{foreign.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(foreign.pk)).exists()
    colleague = _task(bank, customer="wanglei", owner="rm_a2", source=Source.PLAN_CALL)
    client = login(bank.staff["head_a"])
    assert client.get(f"/work/tasks/{colleague.pk}/").status_code == 200  # the branch head sees the subtree
    other_rm = login(bank.staff["rm_a2"])
    response = other_rm.post(f"/work/tasks/{_task(bank).pk}/complete/", {"channel": "visit", "summary": "x"})
    assert response.status_code in (403, 404)  # rm_a2 (another sub-branch) may not touch rm_a's customer


def test_roles_without_tasks_are_refused(bank, login):
    for who in ("analyst", "norole"):
        assert login(bank.staff[who]).get("/work/tasks/").status_code == 403


def test_the_branch_head_reassigns_and_sees_the_team(bank, login):
    task = _task(bank, due=timezone.localdate() - dt.timedelta(days=3))
    assert login(bank.staff["rm_a"]).post(f"/work/tasks/{task.pk}/reassign/", {}).status_code == 403
    head = login(bank.staff["head_a"])
    response = head.post(
        f"/work/tasks/{task.pk}/reassign/", {"to": bank.staff["rm_a2"].pk, "reason": "rm_a is on leave"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == bank.staff["rm_a2"]
    assert AuditEntry.objects.filter(action="task.reassign", actor_name="head_a").count() == 1
    home = head.get("/").content.decode()
    assert 'data-testid="team-work"' in home and "rm_a2" in home
    foreign_rm = head.post(f"/work/tasks/{task.pk}/reassign/", {"to": bank.staff["rm_b"].pk, "reason": "x"})
    assert foreign_rm.status_code == 400  # rm_b works in another branch: not offered, refused
    task.refresh_from_db()
    assert task.owner == bank.staff["rm_a2"]


def _team_coverage(html: str) -> str:
    table = html[html.index('data-testid="team-work"') :]
    return table[table.index("rm_a") :].split("</tr>")[0]


def test_the_team_tables_coverage_follows_a_finished_visit_at_once(bank, login):
    value(bank.customers["wang"], "diamond")  # a visit a month and a call every two weeks
    task = _task(bank)
    assert "0.0 %" in _team_coverage(login(bank.staff["head_a"]).get("/").content.decode())  # kept for the next view
    finished = login(bank.staff["rm_a"]).post(f"/work/tasks/{task.pk}/complete/", {"channel": "visit", "summary": "x"})
    assert finished.status_code == 302
    assert "100.0 %" in _team_coverage(login(bank.staff["head_a"]).get("/").content.decode())  # seen at once


def _plan_post(rules: dict, **extra) -> dict:
    data = {"max_rm_contacts_per_month": rules["max_rm_contacts_per_month"], "note": "test", **extra}
    for group in ("tiers", "levels"):
        for code, row in rules[group].items():
            for kind, days in row.items():
                data[f"{group}.{code}.{kind}"] = days
    return data


def test_the_plan_editor_previews_the_workload_and_asks_before_overloading(bank, login):
    for key in ("wang", "wanglei"):
        value(bank.customers[key], "diamond")
    assert login(bank.staff["rm_a"]).get("/work/plan/").status_code == 403
    admin = login(bank.staff["admin"])
    page = admin.get("/work/plan/").content.decode()
    assert 'data-testid="workload"' in page and "rm_a" in page
    # Two diamonds of rm_a: 2 × (30.4 / 30 + 30.4 / 14) = 6.37 planned visits and calls a month.
    heavy = {**plans.DEFAULT_RULES, "max_rm_contacts_per_month": 1}
    preview = admin.post("/work/plan/", _plan_post(heavy, action="preview")).content.decode()
    assert "6.4" in preview and 'class="badge risk"' in preview  # over the limit
    admin.post("/work/plan/", _plan_post(heavy, action="save"))
    assert ContactPlanRules.objects.count() == 1  # not saved without the confirmation (v1 only)
    response = admin.post("/work/plan/", _plan_post(heavy, action="save", confirm="on"))
    assert response.status_code == 302 and plans.active_plan().rules["max_rm_contacts_per_month"] == 1
    assert AuditEntry.objects.filter(action="contact_plan.save").count() == 1


def test_the_task_api_lists_own_tasks_for_an_rm_and_the_subtree_for_the_head(bank, login):
    mine = _task(bank)
    colleague = _task(bank, customer="li", owner="rm_a2", source=Source.PLAN_CALL)
    _task(bank, customer="zhao", owner="rm_b")
    rm = login(bank.staff["rm_a"]).get("/api/v1/tasks/").json()
    assert [row["id"] for row in rm["results"]] == [mine.pk]
    assert rm["results"][0]["customer"] == bank.customers["wang"].customer_no
    head = login(bank.staff["head_a"]).get("/api/v1/tasks/?status=open").json()
    assert sorted(row["id"] for row in head["results"]) == sorted([mine.pk, colleague.pk])  # not zhao's (B02)
    # A lobby manager works only their own tasks (key customers' long waits): none of the RMs'.
    assert login(bank.staff["lobby_a"]).get("/api/v1/tasks/?status=open").json()["results"] == []


def test_a_key_customers_team_is_the_rm_the_branch_head_and_named_colleagues(bank, login):
    wang = bank.customers["wang"]
    value(wang, "platinum", "key")
    url = f"/work/customers/{wang.pk}/team/"
    card = login(bank.staff["rm_a"]).get(url).content.decode()
    assert "rm_a" in card and "head_a" in card and 'name="role"' not in card  # RMs do not edit
    assert login(bank.staff["rm_a"]).post(url, {"staff": bank.staff["rm_a2"].pk, "role": "wealth"}).status_code == 403
    head = login(bank.staff["head_a"])
    card = head.post(url, {"staff": bank.staff["rm_a2"].pk, "role": "wealth"}).content.decode()
    assert "rm_a2" in card and AuditEntry.objects.filter(action="team.add", customer_no=wang.customer_no).exists()
    refused = head.post(url, {"staff": bank.staff["rm_b"].pk, "role": "wealth"}).content.decode()
    assert "rm_b" not in refused  # a colleague of another branch is not offered and not added
    assert login(bank.staff["rm_b"]).get(url).status_code == 404


def test_a_task_typed_by_hand_looks_the_customer_up_in_scope_and_is_made_once(bank, login):
    client = login(bank.staff["rm_a"])
    form = {"title": "bring the loan form", "due_on": "2026-03-02", "form_key": "5f0c2a7e-8a55-4a39-9a1e-0f2d8f6f1d11"}
    refused = client.post("/work/tasks/new/", {**form, "customer_no": bank.foreign.customer_no})
    assert refused.status_code == 400 and "id_customer_no_error" in refused.content.decode()
    assert AuditEntry.objects.filter(action="access.denied", object_id=bank.foreign.customer_no).exists()
    assert client.post("/work/tasks/new/", {**form, "customer_no": "C9999999"}).status_code == 400
    for _ in range(2):  # a double submit
        response = client.post("/work/tasks/new/", {**form, "customer_no": bank.customers["wang"].customer_no})
        assert response.status_code == 302
    task = Task.objects.get(source=Source.OWN)
    assert (task.customer, task.owner) == (bank.customers["wang"], bank.staff["rm_a"])
    assert task.title == "bring the loan form"


def test_the_360_snapshot_shows_the_next_task_in_scope(bank, login):
    task = _task(bank, due=timezone.localdate() + dt.timedelta(days=2))
    wang = bank.customers["wang"]
    tile = login(bank.staff["rm_a"]).get(f"/work/customers/{wang.pk}/next-task/").content.decode()
    assert f"/work/tasks/{task.pk}/" in tile and "Planned visit" in tile
    empty = login(bank.staff["rm_a"]).get(f"/work/customers/{bank.customers['wanglei'].pk}/next-task/")
    assert empty.status_code == 200 and "/work/tasks/" not in empty.content.decode()
    assert login(bank.staff["rm_b"]).get(f"/work/customers/{wang.pk}/next-task/").status_code == 404
