"""Tasks: made from every source once per business date, closed at source, escalated on Chinese
working days, finished by logging the contact, reassigned by the branch head (docs/workbench.md)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from tenure.analytics.models import CustomerValue
from tenure.churn.models import Alert
from tenure.contacts.models import Interaction
from tenure.contacts.services import interaction_record
from tenure.core.models import AuditEntry, Holiday
from tenure.engagement import plans
from tenure.engagement.display import task_summary
from tenure.engagement.models import Source, Task, TaskStatus
from tenure.engagement.tasks import TaskError, task_complete, task_reassign, tasks_escalate, tasks_generate
from tenure.retention.models import Campaign, CampaignMember, Handoff
from tests.analytics.helpers import customer_value

D = dt.date
DAY = D(2026, 2, 20)  # a Friday
pytestmark = pytest.mark.django_db


def value(customer, tier: str, level: str = "ordinary") -> CustomerValue:
    """The published tier and level of one customer (as the nightly writes them)."""
    return customer_value(customer.customer_no, customer.branch_id, asset_tier=tier, value_level=level)


def contacted(customer, staff, channel: str, on: dt.date) -> Interaction:
    note = interaction_record(by=staff, customer=customer, channel=channel, summary="met")
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    Interaction.objects.filter(pk=note.pk).update(created_at=at)
    return note


def tasks_of(source: str) -> list[Task]:
    return list(Task.objects.filter(source=source).order_by("customer_id", "due_on"))


# --- the plan ---


def test_a_customer_gets_the_shorter_interval_of_tier_and_level():
    plan = plans.Plan(version=1, rules=plans.DEFAULT_RULES)
    assert plan.intervals("diamond", "ordinary") == {"visit": 30, "call": 14}
    assert plan.intervals("gold", "important") == {"call": 45, "message": 60}  # level 45 beats tier 90
    assert plan.intervals("standard", "small") == {"message": 90}  # digital only: no RM call
    assert plan.intervals("standard", "key") == {"message": 90, "visit": 30, "call": 14}


def test_due_dates_are_last_contact_plus_interval_and_spread_when_never_contacted():
    plan = plans.Plan(version=1, rules=plans.DEFAULT_RULES)
    last = {("C1", "visit"): D(2026, 1, 1), ("C1", "call"): D(2026, 2, 10)}
    due = {d.kind: d for d in plans.due_contacts([("C1", "diamond", "ordinary")], plan, DAY, last)}
    assert due["visit"].due_on == D(2026, 1, 31) and not due["visit"].covered  # 30 days after 1 January
    assert due["call"].due_on == D(2026, 2, 24) and due["call"].covered  # 14 days after 10 February
    # Never called: the customer's own day of the 14-day cycle (cycles from Monday 2000-01-03), never
    # before the day asked, and the same day whenever asked up to it; not covered.
    due_c2 = plans.first_due("C2", 14, DAY)
    assert DAY <= due_c2 < DAY + dt.timedelta(days=14)
    assert {plans.first_due("C2", 14, due_c2 - dt.timedelta(days=n)) for n in range(14)} == {due_c2}
    assert plans.first_due("C2", 14, due_c2 + dt.timedelta(days=1)) == due_c2 + dt.timedelta(days=14)
    # The day itself is fixed by the customer number: 14 days on it is the same weekday.
    assert (due_c2 - D(2000, 1, 3)).days % 14 == (plans.first_due("C2", 14, D(2030, 5, 6)) - D(2000, 1, 3)).days % 14
    spread = {plans.first_due(f"C{n}", 14, DAY) for n in range(200)}
    assert len(spread) == 14  # two hundred customers fill every day of the cycle


def test_plan_rules_are_validated_and_saved_as_audited_versions(bank):
    bad = json.loads(json.dumps(plans.DEFAULT_RULES))
    bad["tiers"]["diamond"]["call"] = 0
    with pytest.raises(plans.PlanError, match="tiers.diamond.call"):
        plans.plan_save(by=bank.staff["admin"], rules=bad, note="")
    assert plans.active_plan().version == 1
    good = json.loads(json.dumps(plans.DEFAULT_RULES))
    good["tiers"]["gold"] = {"call": 30}
    saved = plans.plan_save(by=bank.staff["admin"], rules=good, note="more calls for gold")
    assert saved.version == 2 and plans.active_plan().intervals("gold", "ordinary") == {"call": 30}
    assert AuditEntry.objects.filter(action="contact_plan.save", object_id="2").count() == 1


# --- generation ---


def test_generation_makes_each_source_once_per_business_date(bank):
    wang, li = bank.customers["wang"], bank.customers["li"]
    value(wang, "diamond")
    value(li, "standard")  # digital only: no planned visit or call
    contacted(wang, bank.staff["rm_a"], "visit", D(2026, 1, 5))  # visit due 4 Feb (overdue); call due 19 Jan
    note = interaction_record(
        by=bank.staff["rm_a"], customer=wang, channel="phone", summary="asked about rates",
        next_step="send the rate sheet", follow_up_on=D(2026, 2, 23),
    )  # fmt: skip
    Handoff.objects.create(customer=li, topic="loan", from_staff=bank.staff["lobby_a"], to_staff=bank.staff["rm_a2"])
    wealth = bank.accounts["A-wang-wm"]
    wealth.maturity_date = D(2026, 3, 3)
    wealth.save()

    first = tasks_generate(DAY)
    own = tasks_of(Source.MATURITY)
    assert [(t.source_id, t.due_on, t.owner) for t in own] == [("A-wang-wm", D(2026, 2, 24), bank.staff["rm_a"])]
    assert first["created"][Source.FOLLOW_UP] == 1 and first["created"][Source.HANDOFF] == 1
    # wang's and zhao's competitor products mature 1 March: reminders due 7 days before, inside the
    # 14-day look-ahead (a week of notice plus the workbench's week).
    assert first["created"][Source.COMPETITOR_MATURITY] == 2
    plan_tasks = tasks_of(Source.PLAN_VISIT) + tasks_of(Source.PLAN_CALL)
    # The phone call today covers the call (due 6 March: beyond the week); the visit is overdue.
    assert [(t.source, t.customer_id, t.due_on) for t in plan_tasks] == [
        ("plan_visit", wang.customer_no, D(2026, 2, 4))
    ]
    assert plan_tasks[0].owner == bank.staff["rm_a"]
    follow = tasks_of(Source.FOLLOW_UP)[0]
    assert (follow.due_on, follow.title, follow.source_id) == (D(2026, 2, 23), "send the rate sheet", str(note.pk))
    handoff = tasks_of(Source.HANDOFF)[0]
    assert handoff.owner == bank.staff["rm_a2"] and handoff.customer_id == li.customer_no
    maturity = tasks_of(Source.COMPETITOR_MATURITY)[0]  # wang's
    assert maturity.customer_id == wang.customer_no and maturity.owner == bank.staff["rm_a"]
    assert maturity.due_on == D(2026, 2, 22) and maturity.value_at_risk == Decimal("200000.00")
    assert maturity.priority > tasks_of(Source.PLAN_VISIT)[0].priority - 10  # diamond weighs on both

    total = Task.objects.count()
    again = tasks_generate(DAY)
    assert set(again["created"].values()) == {0} and Task.objects.count() == total


def test_a_task_closed_at_its_source_closes_and_an_open_plan_task_is_not_doubled(bank):
    li = bank.customers["li"]
    value(li, "diamond")
    handoff = Handoff.objects.create(customer=li, topic="wealth", to_staff=bank.staff["rm_a2"])
    day = plans.first_due(li.customer_no, 30, DAY)  # the never-visited customer's visit is due that day
    tasks_generate(day)
    visits = tasks_of(Source.PLAN_VISIT)
    handoff.done_at = timezone.now()
    handoff.save()
    # Forty days on, a new cycle gives a new due day: still one open planned visit.
    summary = tasks_generate(day + dt.timedelta(days=40))
    assert summary["closed_at_source"] == 1
    assert Task.objects.get(source=Source.HANDOFF).status == TaskStatus.CLOSED_AT_SOURCE
    assert len(visits) == 1 and Task.objects.filter(source=Source.PLAN_VISIT, status=TaskStatus.OPEN).count() == 1


def test_treated_campaign_members_get_a_call_and_the_control_group_none(bank):
    wang, li = bank.customers["wang"], bank.customers["li"]
    campaign = Campaign.objects.create(
        name="春季挽留",
        branch=wang.branch,
        control_share=0.5,
        seed=1,
        business_date=DAY,
        created_by=bank.staff["head_a"],
    )
    Campaign.objects.filter(pk=campaign.pk).update(created_at=timezone.make_aware(dt.datetime(2026, 2, 20, 9)))
    CampaignMember.objects.create(campaign=campaign, customer=wang, group="treated", probability=0.42)
    CampaignMember.objects.create(campaign=campaign, customer=li, group="control", probability=0.40)

    summary = tasks_generate(DAY)
    (task,) = tasks_of(Source.CAMPAIGN)
    # Friday 20 Feb + 5 working days = Friday 27 Feb (no holiday in between).
    assert (task.customer_id, task.due_on, task.owner) == (wang.customer_no, D(2026, 2, 27), bank.staff["rm_a"])
    assert summary["created"][Source.CAMPAIGN] == 1 and tasks_generate(DAY)["created"][Source.CAMPAIGN] == 0
    with translation.override("en"):
        assert task_summary(task) == "Retention campaign “春季挽留”: churn risk 42%"

    Campaign.objects.filter(pk=campaign.pk).update(measured_at=timezone.now())  # measured: the calls are over
    assert tasks_generate(DAY + dt.timedelta(days=1))["closed_at_source"] == 1
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CLOSED_AT_SOURCE


def test_the_cli_prints_one_json_line(bank):
    value(bank.customers["wang"], "diamond")
    out = io.StringIO()
    call_command("tasks", "generate", "--date", "2026-02-20", "--json", stdout=out)
    line = json.loads(out.getvalue())
    assert line["business_date"] == "2026-02-20" and line["created"]["plan"] >= 1
    assert set(line) == {"business_date", "created", "closed_at_source", "escalated"}


# --- escalation ---


def _overdue_task(bank, due: dt.date) -> Task:
    return Task.objects.create(
        key=f"t:{due}", source=Source.PLAN_CALL, customer=bank.customers["wang"], owner=bank.staff["rm_a"],
        title="call", due_on=due, created_on=due,
    )  # fmt: skip


def test_overdue_tasks_escalate_to_the_branch_head_on_working_days_only(bank):
    Holiday.objects.update_or_create(day=D(2025, 10, 1), defaults={"name": "国庆节", "is_working_day": False})
    Holiday.objects.update_or_create(day=D(2025, 9, 28), defaults={"name": "国庆调休", "is_working_day": True})
    task = _overdue_task(bank, D(2025, 9, 25))  # a Thursday
    assert tasks_escalate(D(2025, 9, 26)) == 0  # one working day overdue
    assert tasks_escalate(D(2025, 9, 27)) == 0  # Saturday: nobody escalates on a day off
    assert tasks_escalate(D(2025, 10, 1)) == 0  # National Day, however overdue
    assert tasks_escalate(D(2025, 9, 28)) == 1  # a Sunday made a working day (调休): two working days overdue
    task.refresh_from_db()
    assert task.escalated_to == bank.staff["head_a"] and task.escalated_on == D(2025, 9, 28)
    assert tasks_escalate(D(2025, 9, 29)) == 0  # once


# --- staff actions ---


def test_finishing_a_planned_visit_needs_a_visit_and_records_it(bank):
    task = _overdue_task(bank, DAY)
    task.source = Source.PLAN_VISIT
    task.save()
    with pytest.raises(TaskError):
        task_complete(by=bank.staff["rm_a"], task=task, channel="phone", summary="called instead")
    done = task_complete(by=bank.staff["rm_a"], task=task, channel="visit", summary="visited at home")
    assert done.status == TaskStatus.DONE and done.interaction.channel == "visit"
    assert done.interaction.customer == bank.customers["wang"]
    with pytest.raises(TaskError):
        task_complete(by=bank.staff["rm_a"], task=task, channel="visit", summary="twice")
    assert Interaction.objects.filter(customer=bank.customers["wang"]).count() == 1
    assert AuditEntry.objects.filter(action="task.complete", object_id=str(task.pk)).count() == 1


def test_reassigning_is_audited_and_only_to_active_staff(bank):
    task = _overdue_task(bank, DAY)
    gone = bank.staff["rm_a2"]
    gone.is_active = False
    gone.save()
    with pytest.raises(TaskError):
        task_reassign(by=bank.staff["head_a"], task=task, to=gone, reason="holiday")
    gone.is_active = True
    gone.save()
    task_reassign(by=bank.staff["head_a"], task=task, to=gone, reason="rm_a on leave")
    task.refresh_from_db()
    assert task.owner == gone
    entry = AuditEntry.objects.get(action="task.reassign")
    assert entry.detail["reason"] == "rm_a on leave" and entry.detail["to"] == gone.pk


def test_an_own_maturity_carries_the_latest_balance_as_value_at_risk(lake):
    from tests.factories import balance_of

    wealth = lake.accounts["A-wang-wm"]
    wealth.maturity_date = D(2026, 3, 3)
    wealth.save()
    tasks_generate(DAY)
    task = Task.objects.get(source=Source.MATURITY)
    assert task.value_at_risk == balance_of("A-wang-wm", 12)  # the last of the 13 month-ends


def test_tasks_follow_a_moved_book_and_a_leavers_tasks_go_to_the_successor(bank):
    from tenure.customers.models import MoveReason
    from tenure.customers.services import customers_move
    from tenure.org.services import staff_deactivate
    from tests.customers.book_fixtures import add_rm

    rm_c = add_rm("rm_c", "E105", "S0101")
    moved = _overdue_task(bank, DAY)  # wang's, owned by rm_a
    customers_move(by=bank.staff["head_a"], customers=[bank.customers["wang"]], to_rm=rm_c, reason=MoveReason.REBALANCE)
    moved.refresh_from_db()
    assert moved.owner == rm_c
    callback = Task.objects.create(
        key="callback:1", source=Source.CALLBACK, customer=bank.customers["li"], owner=bank.staff["rm_a"],
        title="call", due_on=DAY, created_on=DAY,
    )  # fmt: skip
    handed = staff_deactivate(by=bank.staff["head_a"], staff=bank.staff["rm_a"], successor=rm_c, reason="retired")
    callback.refresh_from_db()
    assert callback.owner == rm_c and handed["tasks"] == 1
    assert AuditEntry.objects.get(action="staff.deactivate").detail["tasks"] == 1


def test_a_task_line_is_worked_out_in_the_readers_language(bank):
    from django.utils import translation

    from tenure.engagement.display import task_summary

    Alert.objects.create(
        customer=bank.customers["wang"], cause="aum_drop", severity="high", detail="727755", business_date=DAY,
        owner=bank.staff["rm_a"], due_on=DAY,
    )  # fmt: skip
    value(bank.customers["wang"], "diamond")
    tasks_generate(plans.first_due(bank.customers["wang"].customer_no, 30, DAY))  # the first visit's due day
    alert = Task.objects.get(source=Source.CHURN_ALERT)
    visit = Task.objects.get(source=Source.PLAN_VISIT)
    maturity = Task.objects.filter(source=Source.COMPETITOR_MATURITY).first()
    with translation.override("en"):
        assert task_summary(alert) == "AUM down vs last month"  # the cause's label, not the raw detail
        assert task_summary(visit) == "First contact under the plan (every 30 days)"
        assert task_summary(maturity).startswith("工银理财 matures on")
    with translation.override("zh-hans"):
        assert task_summary(alert) == "AUM 较上月下降"
