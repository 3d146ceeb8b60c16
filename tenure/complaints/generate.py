"""Synthetic complaints for the demo bank: about 1 in 25 customers (docs/complaints.md), deterministic per seed.

Each complaint gets a channel, severity, product type (one the customer holds), one of the root
causes with realistic weights, a description, a timeline through the lifecycle with the handling
steps, and a resolution time. Planted effect (documented in docs/complaints.md): customers who
later leave (by the same AUM rule as the recovery page) had their complaints resolved slower, so
the recovery page shows the pattern of docs/complaints.md on the demo bank. Nothing here goes through the
per-complaint services (bulk inserts for speed); one audit entry records the run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from tenure import lake
from tenure.complaints.escalation import BRANCH_HEAD, HEAD_OFFICE
from tenure.complaints.models import Complaint, ComplaintEvent, ComplaintStep, RootCause, Status, Step
from tenure.complaints.report import retention_outcomes
from tenure.complaints.services import reference_for
from tenure.complaints.sla import due_times, head_office_due
from tenure.core.audit import audit
from tenure.customers.models import Account, Customer
from tenure.org.models import Staff

CAUSE_WEIGHTS = {
    "product_mismatch": 0.28,
    "unclear_explanation": 0.2,
    "manners": 0.17,
    "promise_broken": 0.14,
    "staff_knowledge": 0.13,
    "first_complaint_mishandled": 0.08,
}
CHANNELS = {"counter": 0.35, "phone": 0.3, "app": 0.15, "web": 0.1, "letter": 0.03, "regulator": 0.07}
SEVERITIES = {"low": 0.3, "medium": 0.45, "high": 0.2, "critical": 0.05}
# Resolution speed: customers who stay vs customers who later leave (the planted effect).
SPEED_P = {"stays": (0.35, 0.45, 0.15, 0.05), "leaves": (0.1, 0.3, 0.4, 0.2)}
REPEAT_SHARE = 0.15
DESCRIPTIONS = {
    "product_mismatch": [
        "理财产品收益远低于宣传的预期。",
        "定期存款提前支取损失利息，没想到这么多。",
        "信用卡分期手续费比想象的高。",
    ],
    "staff_knowledge": ["柜员说不清基金赎回几天到账，来回问了三次。", "客户经理不了解提前还款的规定，答复有误。"],
    "unclear_explanation": [
        "办理业务时没有说明年费，扣款后才知道。",
        "理财产品风险等级没有解释清楚。",
        "转账限额的规则没人讲明白。",
    ],
    "manners": ["大堂经理态度生硬，不耐烦。", "电话客服打断我说话，语气不好。", "排队时工作人员玩手机，无人理睬。"],
    "promise_broken": [
        "说好三个工作日回电，一直没有消息。",
        "承诺的礼品和优惠没有兑现。",
        "答应减免的手续费仍被收取。",
    ],
    "first_complaint_mishandled": ["上次投诉至今没有处理结果，再次投诉。", "第一次反映问题被敷衍了事。"],
}


def _pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return np.array(keys)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """From the first month-end in the lake (or a year back) to `as_of`."""
    files = lake.current_partitions("balances")
    start = lake.month_end_partitions(files, 600)[0] if files else None
    first = lake.partition_date(start) if start else as_of - dt.timedelta(days=365)
    last = as_of - dt.timedelta(days=1)
    return min(first, last), last


def _draw(rng: np.random.Generator, customers: pd.DataFrame, rate: float, as_of: dt.date) -> pd.DataFrame:
    """Which customers complain, when, how, about what (no outcome yet)."""
    n = max(1, round(rate * len(customers)))
    who = customers.iloc[np.sort(rng.choice(len(customers), size=min(n, len(customers)), replace=False))]
    again = who[rng.random(len(who)) < REPEAT_SHARE]
    frame = pd.concat([who, again], ignore_index=True)
    start, end = _window(as_of)
    span = (end - start).days
    offsets = rng.integers(0, span + 1, len(frame))
    seconds = rng.integers(8 * 3600, 20 * 3600, len(frame))
    tz = timezone.get_current_timezone()
    received = [
        max(
            dt.datetime.combine(start + dt.timedelta(days=int(o)), dt.time()), dt.datetime.combine(onboarded, dt.time())
        )
        + dt.timedelta(seconds=int(s))
        for o, s, onboarded in zip(offsets, seconds, frame.onboarded_on, strict=True)
    ]
    frame["received_at"] = pd.to_datetime(received).tz_localize(tz)
    frame["cause"] = _pick(rng, CAUSE_WEIGHTS, len(frame))
    frame["channel"] = _pick(rng, CHANNELS, len(frame))
    frame["severity"] = _pick(rng, SEVERITIES, len(frame))
    frame["product_type"] = [kinds[rng.integers(len(kinds))] if kinds else "" for kinds in frame.kinds]
    frame["description"] = [DESCRIPTIONS[c][rng.integers(len(DESCRIPTIONS[c]))] for c in frame.cause]
    return frame.sort_values("received_at", kind="stable").reset_index(drop=True)


def _outcomes(rng: np.random.Generator, frame: pd.DataFrame, horizon_days: int) -> np.ndarray:
    retained = retention_outcomes(frame, horizon_days)
    leaves = retained.notna().to_numpy() & ~retained.fillna(True).astype(bool).to_numpy()
    speeds = np.array(["within_1_day", "within_sla", "late", "unresolved"])
    return np.where(
        leaves, rng.choice(speeds, len(frame), p=SPEED_P["leaves"]), rng.choice(speeds, len(frame), p=SPEED_P["stays"])
    )


class _Builder:
    """Turns one drawn complaint into its row, timeline and steps, stopping at `now`."""

    def __init__(self, rng: np.random.Generator, now: dt.datetime, causes: dict[str, int], owners: dict[str, int]):
        self.rng, self.now, self.causes, self.owners = rng, now, causes, owners
        self.events: list[tuple[int, ComplaintEvent]] = []
        self.steps: list[tuple[int, ComplaintStep]] = []

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(hours=float(self.rng.uniform(low, high)))

    def build(self, k: int, r, speed: str, horizon_days: int) -> Complaint:
        received = r.received_at.to_pydatetime()
        ack_due, resolve_due = due_times(r.severity, received)
        owner = self.owners.get(r.rm_id)
        c = Complaint(
            customer_id=r.id,
            branch_id=r.branch_id,
            channel=r.channel,
            product_type=r.product_type,
            root_cause_id=self.causes[r.cause],
            severity=r.severity,
            description=r.description,
            owner_id=owner,
            received_at=received,
            ack_due_at=ack_due,
            resolve_due_at=resolve_due,
        )
        ack_span = (ack_due - received).total_seconds() / 3600
        acked = received + (
            self.hours(1.5 * ack_span, 3 * ack_span)
            if self.rng.random() < 0.1
            else self.hours(0.1 * ack_span, 0.9 * ack_span)
        )
        if speed == "within_1_day":
            resolved = received + self.hours(2, 23)
        elif speed == "within_sla":
            resolved = received + self.hours(24, max(25.0, (resolve_due - received).total_seconds() / 3600))
        elif speed == "late":
            resolved = resolve_due + self.hours(24, 15 * 24)
        else:  # still unresolved when retention is observed: resolved long after, if at all by now
            resolved = received + dt.timedelta(days=horizon_days) + self.hours(5 * 24, 60 * 24)
        acked = min(acked, resolved - dt.timedelta(minutes=30))
        investigating = acked + (resolved - acked) / 3
        timeline = [(Status.ACKNOWLEDGED, acked), (Status.INVESTIGATING, investigating)]
        followed = resolved + self.hours(24, 5 * 24)
        timeline += [
            (Status.RESOLVED, resolved),
            (Status.FOLLOWED_UP, followed),
            (Status.CLOSED, followed + self.hours(2, 48)),
        ]
        self.event(k, ComplaintEvent.Kind.CREATED, received, to_status=Status.RECEIVED)
        previous = Status.RECEIVED
        for status, at in timeline:
            if at > self.now:
                break
            self.transition(k, c, previous, status, at, speed)
            previous = status
        c.status = previous
        self.escalate(k, c, min(resolved, self.now))
        return c

    def event(self, k: int, kind: str, at: dt.datetime, **fields) -> None:
        self.events.append((k, ComplaintEvent(kind=kind, at=at, by_name="system", **fields)))

    def step(self, k: int, step: str, at: dt.datetime, note: str = "", rating: int | None = None) -> None:
        self.steps.append((k, ComplaintStep(step=step, done_at=at, note=note, rating=rating, done_by_id=None)))
        self.event(k, ComplaintEvent.Kind.STEP, at, step=step, note=f"{rating}/5" if rating else "")

    def transition(self, k: int, c: Complaint, previous: str, status: str, at: dt.datetime, speed: str) -> None:
        if status == Status.ACKNOWLEDGED:
            c.acknowledged_at = at
            self.step(k, Step.APOLOGISE, at)
            self.step(k, Step.LISTEN, at)
        elif status == Status.INVESTIGATING:
            c.fact_who, c.fact_what, c.fact_when = "客户本人", c.description[:60], f"{c.received_at:%Y-%m-%d}"
            c.fact_where, c.fact_why = str(c.get_channel_display()), "见根本原因"
            self.step(k, Step.FACTS, at)
            if c.severity in ("high", "critical") and self.rng.random() < 0.3:
                self.step(k, (Step.CHANGE_PERSON, Step.CHANGE_PLACE, Step.CHANGE_TIME)[self.rng.integers(3)], at)
        elif status == Status.RESOLVED:
            c.resolved_at, c.resolution = at, "已向客户说明并处理。"
            self.step(k, Step.REPLY, at)
        elif status == Status.FOLLOWED_UP:
            c.followed_up_at = at
            low, high = (4, 6) if speed in ("within_1_day", "within_sla") else (1, 4)
            self.step(k, Step.FOLLOW_UP, at, rating=int(self.rng.integers(low, high)))
        elif status == Status.CLOSED:
            c.closed_at = at
        self.event(k, ComplaintEvent.Kind.TRANSITION, at, from_status=previous, to_status=status)

    def escalate(self, k: int, c: Complaint, until: dt.datetime) -> None:
        """Past its deadline before it was resolved (or by now): the escalations it went through."""
        if until <= c.resolve_due_at:
            return
        ho_due = head_office_due(c.severity, c.resolve_due_at)
        c.escalation_level = HEAD_OFFICE if until > ho_due else BRANCH_HEAD
        c.escalated_at = ho_due if c.escalation_level == HEAD_OFFICE else c.resolve_due_at
        self.event(k, ComplaintEvent.Kind.ESCALATED, c.escalated_at, level=c.escalation_level)


def complaints_generate(
    *, rate: float = 0.04, seed: int = 42, as_of: dt.date | None = None, horizon_days: int = 90
) -> dict:
    """Create the synthetic complaints once; a bank that already has complaints is left alone."""
    if Complaint.objects.exists():
        return {"created": 0, "skipped": "complaints already exist"}
    as_of = as_of or timezone.localdate()
    rows = list(Customer.objects.order_by("id").values_list("id", "customer_no", "branch_id", "rm_id", "onboarded_on"))
    if not rows:
        return {"created": 0, "skipped": "no customers"}
    customers = pd.DataFrame(rows, columns=["id", "customer_no", "branch_id", "rm_id", "onboarded_on"])
    kinds: dict[str, list[str]] = defaultdict(list)
    # customer__customer_no is the key's own column (to_field): no join, and typed as the str it is.
    accounts = Account.objects.values_list("customer__customer_no", "product__product_type").order_by("id")
    for customer_no, kind in accounts:
        if kind not in kinds[customer_no]:
            kinds[customer_no].append(kind)
    customers["kinds"] = customers.customer_no.map(lambda no: kinds.get(no, []))
    rng = np.random.default_rng(seed)
    frame = _draw(rng, customers, rate, as_of)
    speeds = _outcomes(rng, frame, horizon_days)
    now = timezone.make_aware(dt.datetime.combine(as_of, dt.time(18, 0)))
    causes = dict(RootCause.objects.values_list("code", "id"))
    staff = Staff.objects.filter(employee_no__isnull=False).values_list("employee_no", "id")
    owners = {employee_no: pk for employee_no, pk in staff if employee_no is not None}  # all, by the filter
    builder = _Builder(rng, now, causes, owners)
    complaints = [
        builder.build(k, r, s, horizon_days) for k, (r, s) in enumerate(zip(frame.itertuples(), speeds, strict=True))
    ]
    with transaction.atomic():
        created = Complaint.objects.bulk_create(complaints, batch_size=1000)
        for c in created:
            c.reference = reference_for(c)
        Complaint.objects.bulk_update(created, ["reference"], batch_size=1000)
        for k, event in builder.events:
            event.complaint_id = created[k].pk
        ComplaintEvent.objects.bulk_create([e for _k, e in builder.events], batch_size=2000)
        for k, step in builder.steps:
            step.complaint_id = created[k].pk
        ComplaintStep.objects.bulk_create([s for _k, s in builder.steps], batch_size=2000)
        summary = {
            "created": len(created),
            "customers": int(frame.id.nunique()),
            "rate": rate,
            "seed": seed,
            "as_of": as_of.isoformat(),
            "open": sum(c.status in ("received", "acknowledged", "investigating") for c in created),
        }
        audit(action="complaint.generate", object_type="complaint", detail=summary)
    return summary
