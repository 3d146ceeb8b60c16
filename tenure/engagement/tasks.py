"""Making, finishing, reassigning and escalating tasks (docs/workbench.md).

`tasks_generate(day)` runs in `tenure daily`: each source names its tasks by a key (the source
record, and the due date for plan contacts), so generating again for the same business date
creates nothing new, and a task whose source was closed elsewhere (an alert acted on, a handoff
done) is closed with it. Writes are bulk inserts that ignore existing keys: 1M customers in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier, CustomerValue
from tenure.churn.models import Alert
from tenure.complaints.models import OPEN_STATUSES, Complaint
from tenure.contacts.models import Interaction
from tenure.contacts.services import interaction_record
from tenure.core.audit import audit
from tenure.core.calendar import add_working_days, is_working_day
from tenure.customers.models import Customer, ExternalHolding
from tenure.customers.selectors import maturities_between
from tenure.engagement import plans
from tenure.engagement.greetings import Kind, greetings_between
from tenure.engagement.models import Source, Task, TaskStatus
from tenure.org.models import Staff
from tenure.org.scoping import in_their_rm_book
from tenure.org.selectors import branch_heads
from tenure.retention.models import Campaign, CampaignMember, Handoff
from tenure.surveys.models import CallbackTask, Response

HORIZON_DAYS = 7  # tasks appear this many days before they are due (the workbench's week)
MATURITY_NOTICE_DAYS = 7  # a maturity's reminder is due this many days before it
ESCALATE_AFTER_WORKING_DAYS = 2
DETRACTOR_NPS_MAX = 6
RECENT_DAYS = 30  # survey answers older than this make no task (a first run does not flood the list)
CAMPAIGN_CONTACT_WORKING_DAYS = 5  # a treated campaign member is called within a working week
BATCH = 5000

SOURCE_WEIGHT = {
    Source.CHURN_ALERT: 50,
    Source.COMPLAINT: 45,
    Source.HANDOFF: 40,
    Source.FOLLOW_UP: 35,
    Source.CALLBACK: 35,
    Source.DETRACTOR: 30,
    Source.MATURITY: 30,
    Source.COMPETITOR_MATURITY: 30,
    Source.PLAN_VISIT: 20,
    Source.PLAN_CALL: 15,
    Source.GREETING: 5,
    Source.LONG_WAIT: 35,
    Source.CAMPAIGN: 40,
    Source.OFFER_FOLLOW_UP: 25,
    Source.OFFER_CAMPAIGN: 30,
    Source.OWN: 25,
}
TIER_WEIGHT: dict[str, int] = {
    AssetTier.DIAMOND: 40,
    AssetTier.BLACK_GOLD: 30,
    AssetTier.PLATINUM: 20,
    AssetTier.GOLD: 10,
    AssetTier.STANDARD: 0,
}
PLAN_SOURCE = {"visit": Source.PLAN_VISIT, "call": Source.PLAN_CALL}
# The interaction channels that may finish a planned contact.
FINISHING_CHANNELS = {
    Source.PLAN_VISIT: plans.CHANNELS_OF_KIND["visit"],
    Source.PLAN_CALL: plans.CHANNELS_OF_KIND["call"],
}
GREETING_KINDS = (Kind.BIRTHDAY, Kind.LUNAR_BIRTHDAY, Kind.ANNIVERSARY)


@dataclass(frozen=True)
class Draft:
    """A task to insert unless its key exists."""

    key: str
    source: str
    customer_no: str
    due_on: dt.date
    title: str = ""  # free text only; the rest goes in `params` (engagement.display)
    params: dict[str, Any] = field(default_factory=dict)
    source_id: str = ""
    owner_id: int | None = None  # None: the customer's RM, when the customer is in their book
    value_at_risk: Decimal = Decimal("0")


class TaskError(ValueError):
    """A task action that cannot be done as asked (one line for the user)."""


# --- generation ---


def tasks_generate(day: dt.date) -> dict[str, Any]:
    """Make the tasks of business date `day` from every source and close those closed at source.
    Returns the number created per source, closed at source and escalated."""
    owners = _book_owners()
    tiers = dict(CustomerValue.objects.values_list("customer_id", "asset_tier").iterator(chunk_size=BATCH))
    created: dict[str, int] = {}
    for source, drafts in _sources(day):
        created[source] = _insert(drafts, day, owners, tiers)
    closed = _close_at_source()
    escalated = tasks_escalate(day)
    return {
        "business_date": day.isoformat(),
        "created": dict(sorted(created.items())),
        "closed_at_source": closed,
        "escalated": escalated,
    }


def tasks_add(drafts: Iterable[Draft], day: dt.date) -> int:
    """Insert tasks another app worked out (each with its owner) unless their keys exist; returns
    the number created. Used by steps of the daily run outside this app (queues' long waits)."""
    drafts = list(drafts)
    numbers = [d.customer_no for d in drafts]
    tiers = dict(CustomerValue.objects.filter(customer_id__in=numbers).values_list("customer_id", "asset_tier"))
    return _insert(iter(drafts), day, {}, tiers)


def tasks_close_at_source(source: str, source_ids: Iterable[str]) -> int:
    """Close the open tasks of `source` whose record another app settled (an offer campaign measured:
    its call tasks are over); returns the number closed."""
    ids = list(source_ids)
    return Task.objects.filter(status=TaskStatus.OPEN, source=source, source_id__in=ids).update(
        status=TaskStatus.CLOSED_AT_SOURCE, done_at=timezone.now()
    )


def _sources(day: dt.date) -> Iterator[tuple[str, Iterator[Draft]]]:
    yield "plan", _plan_contacts(day)
    yield Source.FOLLOW_UP, _follow_ups(day)
    yield Source.CHURN_ALERT, _churn_alerts()
    yield Source.COMPLAINT, _complaints(day)
    yield Source.CALLBACK, _callbacks()
    yield Source.DETRACTOR, _detractors(day)
    yield Source.HANDOFF, _handoffs()
    yield Source.MATURITY, _own_maturities(day)
    yield Source.COMPETITOR_MATURITY, _competitor_maturities(day)
    yield Source.GREETING, _greetings(day)
    yield Source.CAMPAIGN, _campaign_targets()


def _book_owners() -> dict[str, int]:
    """Customer number → the id of their RM, for customers in an active RM's book."""
    rows = (
        Customer.objects.filter(in_their_rm_book(), rm__is_active=True)
        .values_list("customer_no", "rm__id")
        .order_by()
        .iterator(chunk_size=BATCH)
    )
    return dict(rows)


def _insert(drafts: Iterator[Draft], day: dt.date, owners: dict[Any, int], tiers: dict[Any, str]) -> int:
    created = 0
    batch: list[Task] = []
    for draft in drafts:
        priority = SOURCE_WEIGHT[Source(draft.source)] + TIER_WEIGHT.get(tiers.get(draft.customer_no, ""), 0)
        batch.append(
            Task(
                key=draft.key,
                source=draft.source,
                source_id=draft.source_id,
                customer_id=draft.customer_no,
                owner_id=draft.owner_id or owners.get(draft.customer_no),
                title=draft.title,
                params=draft.params,
                due_on=draft.due_on,
                priority=priority,
                value_at_risk=draft.value_at_risk,
                created_on=day,
            )
        )
        if len(batch) >= BATCH:
            created += _write(batch)
            batch = []
    return created + (_write(batch) if batch else 0)


def _write(batch: list[Task]) -> int:
    keys = [task.key for task in batch]
    existing = set(Task.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [task for task in batch if task.key not in existing]
    Task.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _plan_contacts(day: dt.date) -> Iterator[Draft]:
    """Planned visits and calls due within the horizon, for customers with no such task open."""
    plan = plans.active_plan()
    known = CustomerValue.objects.filter(customer__in=Customer.objects.values("customer_no"))
    planned_rows = known.values_list("customer_id", "asset_tier", "value_level").order_by()
    rows = [
        row
        for row in planned_rows.iterator(chunk_size=BATCH)
        if any(kind in plans.RM_KINDS for kind in plan.intervals(row[1], row[2]))
    ]
    last = plans.last_contacts()
    open_kinds = set(
        Task.objects.filter(status=TaskStatus.OPEN, source__in=PLAN_SOURCE.values()).values_list(
            "customer_id", "source"
        )
    )
    horizon = day + dt.timedelta(days=HORIZON_DAYS)
    days: dict[Any, dict[str, int]] = {number: plan.intervals(tier, level) for number, tier, level in rows}
    for due in plans.due_contacts(rows, plan, day, last):
        source = PLAN_SOURCE.get(due.kind)
        if source is None or due.due_on > horizon or (due.customer_no, source) in open_kinds:
            continue
        params = {"days": days[due.customer_no][due.kind], "first": (due.customer_no, due.kind) not in last}
        yield Draft(f"{source}:{due.customer_no}:{due.due_on}", source, due.customer_no, due.due_on, params=params)


def _follow_ups(day: dt.date) -> Iterator[Draft]:
    horizon = day + dt.timedelta(days=HORIZON_DAYS)
    rows = Interaction.objects.filter(follow_up_on__lte=horizon).select_related("customer", "staff").order_by("pk")
    for note in rows.iterator(chunk_size=BATCH):
        if note.follow_up_on is None:  # never, by the query; says so to mypy
            continue
        owner = note.staff_id if note.staff is not None and note.staff.is_active else None
        yield Draft(
            f"follow_up:{note.pk}",
            Source.FOLLOW_UP,
            note.customer.customer_no,
            note.follow_up_on,
            note.next_step[:200],
            source_id=str(note.pk),
            owner_id=owner,
        )


def _churn_alerts() -> Iterator[Draft]:
    rows = Alert.objects.exclude(status=Alert.Status.CLOSED).select_related("customer", "owner").order_by("pk")
    for alert in rows.iterator(chunk_size=BATCH):
        owner = alert.owner_id if alert.owner is not None and alert.owner.is_active else None
        yield Draft(
            f"churn_alert:{alert.pk}",
            Source.CHURN_ALERT,
            alert.customer.customer_no,
            alert.due_on,
            params={"cause": alert.cause},
            source_id=str(alert.pk),
            owner_id=owner,
            value_at_risk=Decimal(str(round(alert.value_at_risk, 2))),
        )


def _complaints(day: dt.date) -> Iterator[Draft]:
    """An open complaint of a customer: their RM reassures them before the resolution is due."""
    rows = Complaint.objects.filter(status__in=OPEN_STATUSES, customer__isnull=False).select_related("customer")
    for complaint in rows.order_by("pk").iterator(chunk_size=BATCH):
        if complaint.customer is None:  # never, by the query
            continue
        due = min(timezone.localtime(complaint.resolve_due_at).date(), add_working_days(day, 1))
        yield Draft(
            f"complaint:{complaint.pk}",
            Source.COMPLAINT,
            complaint.customer.customer_no,
            due,
            params={"reference": complaint.reference or str(complaint.pk)},
            source_id=str(complaint.pk),
        )


def _callbacks() -> Iterator[Draft]:
    rows = CallbackTask.objects.filter(status=CallbackTask.Status.OPEN).select_related("customer", "assigned_to")
    for callback in rows.order_by("pk").iterator(chunk_size=BATCH):
        owner = callback.assigned_to_id if callback.assigned_to is not None and callback.assigned_to.is_active else None
        yield Draft(
            f"callback:{callback.pk}",
            Source.CALLBACK,
            callback.customer.customer_no,
            add_working_days(timezone.localtime(callback.created_at).date(), 2),
            source_id=str(callback.pk),
            owner_id=owner,
        )


def _detractors(day: dt.date) -> Iterator[Draft]:
    """Survey answers of 0–6 on recommending the bank that came with a comment: the customer said
    what is wrong, and somebody should call (before, such a comment reached nobody)."""
    commented = Q(answers__text__gt="")
    rows = (
        Response.objects.filter(
            nps__lte=DETRACTOR_NPS_MAX, submitted_at__date__gte=day - dt.timedelta(days=RECENT_DAYS)
        )
        .filter(commented)
        .distinct()
        .select_related("customer")
        .order_by("pk")
    )
    for response in rows.iterator(chunk_size=BATCH):
        yield Draft(
            f"detractor:{response.pk}",
            Source.DETRACTOR,
            response.customer.customer_no,
            add_working_days(timezone.localtime(response.submitted_at).date(), 2),
            params={"nps": response.nps},
            source_id=str(response.pk),
        )


def _handoffs() -> Iterator[Draft]:
    rows = Handoff.objects.filter(done_at__isnull=True).select_related("customer", "to_staff").order_by("pk")
    for handoff in rows.iterator(chunk_size=BATCH):
        owner = handoff.to_staff_id if handoff.to_staff is not None and handoff.to_staff.is_active else None
        yield Draft(
            f"handoff:{handoff.pk}",
            Source.HANDOFF,
            handoff.customer.customer_no,
            add_working_days(timezone.localtime(handoff.created_at).date(), 1),
            params={"topic": handoff.topic},
            source_id=str(handoff.pk),
            owner_id=owner,
        )


def _own_maturities(day: dt.date) -> Iterator[Draft]:
    """A reminder `MATURITY_NOTICE_DAYS` before each own time deposit or wealth product matures: the
    moment to offer the next product before the money leaves (amount: the latest balance)."""
    last = day + dt.timedelta(days=HORIZON_DAYS + MATURITY_NOTICE_DAYS)
    for maturity in maturities_between(Customer.objects.all(), day + dt.timedelta(days=1), last):
        yield Draft(
            f"maturity:{maturity.account.account_id}:{maturity.date}", Source.MATURITY, maturity.customer.customer_no,
            maturity.date - dt.timedelta(days=MATURITY_NOTICE_DAYS),
            params={"product": maturity.product.name, "date": maturity.date.isoformat()},
            source_id=maturity.account.account_id, value_at_risk=maturity.amount or Decimal("0"),
        )  # fmt: skip


def _competitor_maturities(day: dt.date) -> Iterator[Draft]:
    """A reminder `MATURITY_NOTICE_DAYS` before each known competitor maturity, whatever the
    extract's cadence (the churn signal fires only in the week after a month-end import)."""
    last = day + dt.timedelta(days=HORIZON_DAYS + MATURITY_NOTICE_DAYS)
    rows = ExternalHolding.objects.filter(maturity_date__gt=day, maturity_date__lte=last).select_related("product")
    for holding in rows.order_by("pk").iterator(chunk_size=BATCH):
        if holding.maturity_date is None:  # never, by the query
            continue
        yield Draft(
            f"competitor_maturity:{holding.holding_id}:{holding.maturity_date}",
            Source.COMPETITOR_MATURITY,
            holding.customer_id,
            holding.maturity_date - dt.timedelta(days=MATURITY_NOTICE_DAYS),
            params={"product": holding.product.name, "date": holding.maturity_date.isoformat()},
            source_id=holding.holding_id,
            value_at_risk=holding.amount,
        )


def _greetings(day: dt.date) -> Iterator[Draft]:
    """Personal greetings (birthdays, the anniversary with the bank) of customers in an RM's book;
    festival greetings go to everybody through the communications outbox, not as RM tasks."""
    book = Customer.objects.filter(in_their_rm_book(), rm__is_active=True)
    for greeting in greetings_between(book, day, day + dt.timedelta(days=HORIZON_DAYS)):
        if greeting.kind in GREETING_KINDS:
            yield Draft(
                f"greeting:{greeting.customer}:{greeting.kind}:{greeting.date}",
                Source.GREETING,
                greeting.customer,
                greeting.date,
                params={"kind": greeting.kind},
            )


def _campaign_targets() -> Iterator[Draft]:
    """The treated members of a retention campaign not yet measured: their RM calls them within a
    working week of the campaign's start. The control group gets no task (that is the comparison)."""
    rows = (
        CampaignMember.objects.filter(group=CampaignMember.Group.TREATED, campaign__measured_at__isnull=True)
        .values_list("campaign_id", "campaign__name", "campaign__created_at", "customer__customer_no", "probability")
        .order_by("campaign_id", "customer_id")
    )
    starts: dict[int, dt.date] = {}
    for campaign_id, name, created_at, customer_no, probability in rows.iterator(chunk_size=BATCH):
        if campaign_id not in starts:
            starts[campaign_id] = add_working_days(timezone.localtime(created_at).date(), CAMPAIGN_CONTACT_WORKING_DAYS)
        yield Draft(
            f"campaign:{campaign_id}:{customer_no}",
            Source.CAMPAIGN,
            customer_no,
            starts[campaign_id],
            params={"campaign": name, "probability": round(probability, 4)},
            source_id=str(campaign_id),
        )


def _close_at_source() -> int:
    """Close open tasks whose source is settled elsewhere (alert closed, complaint resolved, …)."""
    settled = {
        Source.CHURN_ALERT: Alert.objects.filter(status=Alert.Status.CLOSED),
        Source.COMPLAINT: Complaint.objects.exclude(status__in=OPEN_STATUSES),
        Source.CALLBACK: CallbackTask.objects.filter(status=CallbackTask.Status.DONE),
        Source.HANDOFF: Handoff.objects.filter(done_at__isnull=False),
        Source.CAMPAIGN: Campaign.objects.filter(measured_at__isnull=False),
    }
    closed = 0
    for source, done in settled.items():
        open_ids = Task.objects.filter(status=TaskStatus.OPEN, source=source).values_list("source_id", flat=True)
        ids = [int(pk) for pk in open_ids]
        for start in range(0, len(ids), BATCH):
            finished = [str(pk) for pk in done.filter(pk__in=ids[start : start + BATCH]).values_list("pk", flat=True)]
            closed += Task.objects.filter(status=TaskStatus.OPEN, source=source, source_id__in=finished).update(
                status=TaskStatus.CLOSED_AT_SOURCE, done_at=timezone.now()
            )
    return closed


def tasks_escalate(day: dt.date) -> int:
    """On a Chinese working day, open tasks overdue by `ESCALATE_AFTER_WORKING_DAYS` working days go
    to the branch head answerable for the customer's branch (once; the owner keeps the task)."""
    if not is_working_day(day):
        return 0
    heads = branch_heads()
    overdue = (
        Task.objects.filter(status=TaskStatus.OPEN, escalated_to=None, due_on__lt=day)
        .values_list("pk", "due_on", "owner_id", "customer__branch_id")
        .order_by("pk")
    )
    by_due: dict[dt.date, bool] = {}
    chosen: dict[int, list[int]] = defaultdict(list)  # head → tasks; one UPDATE per batch, not per task
    for pk, due_on, owner_id, branch_code in overdue.iterator(chunk_size=BATCH):
        if due_on not in by_due:
            by_due[due_on] = add_working_days(due_on, ESCALATE_AFTER_WORKING_DAYS) <= day
        head = heads.get(str(branch_code))  # the branch code (the stubs take the key for an int)
        if by_due[due_on] and head is not None and head.pk != owner_id:
            chosen[head.pk].append(pk)
    escalated = 0
    with transaction.atomic():
        for head_id, ids in chosen.items():
            for start in range(0, len(ids), BATCH):
                batch = Task.objects.filter(pk__in=ids[start : start + BATCH], escalated_to=None)
                escalated += batch.update(escalated_to_id=head_id, escalated_on=day)
        if escalated:
            audit(
                action="task.escalate",
                actor=None,
                object_type="task",
                object_id=day.isoformat(),
                detail={"tasks": escalated},
            )
    return escalated


# --- actions of staff ---


def task_complete(
    *, by: Staff, task: Task, channel: str, summary: str, follow_up_on: dt.date | None = None, next_step: str = ""
) -> Task:
    """Finish `task` by recording the contact that did it: one interaction, the task done, one
    transaction. A planned visit is finished by a visit, a planned call by a call, video call or visit."""
    allowed = FINISHING_CHANNELS.get(Source(task.source))
    if allowed is not None and channel not in allowed:
        raise TaskError(str(_("A planned contact is finished by a contact of its kind (a visit, or a call).")))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if not locked.is_open:
            raise TaskError(str(_("This task is already closed.")))
        interaction = interaction_record(
            by=by,
            customer=locked.customer,
            channel=channel,
            summary=summary,
            next_step=next_step,
            follow_up_on=follow_up_on,
        )
        locked.status, locked.done_at, locked.done_by, locked.interaction = (
            TaskStatus.DONE,
            timezone.now(),
            by,
            interaction,
        )
        locked.save(update_fields=["status", "done_at", "done_by", "interaction"])
        audit(
            action="task.complete",
            actor=by,
            object_type="task",
            object_id=locked.pk,
            customer_no=locked.customer_id,
            detail={"source": locked.source, "interaction": interaction.pk},
        )
    return locked


def task_create(*, by: Staff, customer: Customer, title: str, due_on: dt.date, form_key: str) -> Task:
    """A task staff write themselves (call back, bring a form, …), owned by them. `form_key` comes
    with the form, so a double submit makes one task."""
    with transaction.atomic():
        task, created = Task.objects.get_or_create(
            key=f"own:{form_key}",
            defaults={
                "source": Source.OWN, "customer": customer, "owner": by, "title": title[:200], "due_on": due_on,
                "priority": SOURCE_WEIGHT[Source.OWN], "created_on": timezone.localdate(),
            },
        )  # fmt: skip
        if created:
            audit(
                action="task.create", actor=by, object_type="task", object_id=task.pk,
                customer_no=customer.customer_no, detail={"due_on": due_on.isoformat()},
            )  # fmt: skip
    return task


def task_reassign(*, by: Staff, task: Task, to: Staff, reason: str) -> Task:
    """Give an open task to another active member of staff (the view checks both are in scope), audited."""
    if not to.is_active:
        raise TaskError(str(_("Tasks go to active staff only.")))
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if not locked.is_open:
            raise TaskError(str(_("This task is already closed.")))
        previous = locked.owner_id
        locked.owner = to
        locked.save(update_fields=["owner"])
        audit(
            action="task.reassign",
            actor=by,
            object_type="task",
            object_id=locked.pk,
            customer_no=locked.customer_id,
            detail={"from": previous, "to": to.pk, "reason": reason[:200]},
        )
    return locked


def tasks_follow_book(
    sender, *, customer_nos: list[str], from_staff: Staff | None, to_staff: Staff | None, **kwargs
) -> int:
    """Receiver of `customers.services.BOOK_MOVED` (inside the move's transaction): the open tasks
    `from_staff` owns for the moved customers go with them (to nobody when they went to the pool)."""
    moved = Task.objects.filter(status=TaskStatus.OPEN, customer_id__in=customer_nos)
    moved = moved.filter(owner=from_staff) if from_staff is not None else moved.filter(owner=None)
    return moved.update(owner=to_staff)


def tasks_hand_over(sender, *, staff: Staff, successor: Staff, **kwargs) -> dict[str, int]:
    """Receiver of `org.services.STAFF_DEACTIVATED`: the leaver's open tasks the book move did not
    take (other customers' follow-ups, callbacks) go to the successor; the count joins the audit row."""
    return {"tasks": Task.objects.filter(status=TaskStatus.OPEN, owner=staff).update(owner=successor)}
