"""The lifecycle: every legal transition works (with its timeline line and audit entry), every
illegal one is refused with a clear error, preconditions are enforced, the timeline is append-only."""

from __future__ import annotations

import itertools

import pytest

from tenure.complaints.lifecycle import TransitionError, allowed_transitions, complaint_transition
from tenure.complaints.models import AppendOnlyError, ComplaintEvent, RootCause, Status, Step
from tenure.complaints.services import complaint_step_record
from tenure.core.models import AuditEntry

FORWARD = ["received", "acknowledged", "investigating", "resolved", "followed_up", "closed"]
LEGAL = {(a, b) for a, b in itertools.pairwise(FORWARD)} | {(s, "investigating") for s in FORWARD[3:]}


def walk_to(complaint, status: str, by):
    """Take `complaint` forward to `status`, meeting each precondition on the way."""
    for target in FORWARD[FORWARD.index(complaint.status) + 1 : FORWARD.index(status) + 1]:
        if target == "resolved" and complaint.root_cause_id is None:
            complaint.root_cause = RootCause.objects.get(code="manners")
            complaint.save()
        if target == "followed_up" and not complaint.steps.filter(step=Step.FOLLOW_UP).exists():
            complaint_step_record(complaint=complaint, by=by, step=Step.FOLLOW_UP, rating=4)
        complaint = complaint_transition(complaint, target, by)
    return complaint


def test_the_table_is_the_documented_one():
    assert {(s, t) for s in FORWARD for t in allowed_transitions(s)} == LEGAL


@pytest.mark.parametrize(("start", "target"), sorted(LEGAL))
def test_every_legal_transition_works(bank, file_complaint, start, target):
    by = bank.staff["rm_a"]
    complaint = walk_to(file_complaint("wang"), start, by)
    before = complaint.events.count()
    reopening = start in ("resolved", "followed_up", "closed") and target == "investigating"
    complaint = complaint_transition(complaint, target, by, "again") if reopening else walk_to(complaint, target, by)
    assert complaint.status == target
    last = complaint.events.order_by("-id").first()
    assert complaint.events.count() > before and last.to_status == target and last.by_name == "rm_a"
    assert AuditEntry.objects.filter(action="complaint.transition", object_id=str(complaint.pk)).exists()
    if reopening:
        assert last.kind == ComplaintEvent.Kind.REOPENED and complaint.reopened_count == 1
        assert complaint.resolved_at is None and complaint.closed_at is None


@pytest.mark.parametrize(("start", "target"), sorted(set(itertools.product(FORWARD, FORWARD)) - LEGAL))
def test_every_illegal_transition_is_refused(bank, file_complaint, start, target):
    by = bank.staff["rm_a"]
    complaint = walk_to(file_complaint("wang"), start, by)
    events = complaint.events.count()
    with pytest.raises(TransitionError, match="cannot move to"):
        complaint_transition(complaint, target, by)
    complaint.refresh_from_db()
    assert complaint.status == start and complaint.events.count() == events


def test_unknown_status_is_refused(bank, file_complaint):
    with pytest.raises(TransitionError):
        complaint_transition(file_complaint("wang"), "archived", bank.staff["rm_a"])


def test_resolving_needs_a_root_cause_and_following_up_needs_the_rating(bank, file_complaint):
    by = bank.staff["rm_a"]
    complaint = walk_to(file_complaint("wang"), "investigating", by)
    with pytest.raises(TransitionError, match="root cause"):
        complaint_transition(complaint, Status.RESOLVED, by)
    complaint.root_cause = RootCause.objects.get(code="promise_broken")
    complaint.save()
    complaint = complaint_transition(complaint, Status.RESOLVED, by)
    with pytest.raises(TransitionError, match="follow-up"):
        complaint_transition(complaint, Status.FOLLOWED_UP, by)
    with pytest.raises(ValueError, match="1 to 5"):
        complaint_step_record(complaint=complaint, by=by, step=Step.FOLLOW_UP, rating=None)
    complaint_step_record(complaint=complaint, by=by, step=Step.FOLLOW_UP, rating=2, note="还是不满意")
    assert complaint_transition(complaint, Status.FOLLOWED_UP, by).status == Status.FOLLOWED_UP
    assert complaint.steps.get(step=Step.FOLLOW_UP).rating == 2


def test_acknowledging_assigns_an_unowned_complaint(bank, file_complaint):
    complaint = file_complaint(None, by="service", channel="web", contact_name="张三", contact_mobile="13900001111")
    complaint.owner = None
    complaint.save()
    complaint = complaint_transition(complaint, Status.ACKNOWLEDGED, bank.staff["service"])
    assert complaint.owner == bank.staff["service"] and complaint.acknowledged_at is not None


def test_a_step_is_recorded_once_and_the_timeline_is_append_only(bank, file_complaint):
    by = bank.staff["rm_a"]
    complaint = file_complaint("wang")
    complaint_step_record(complaint=complaint, by=by, step=Step.APOLOGISE)
    with pytest.raises(ValueError, match="already"):
        complaint_step_record(complaint=complaint, by=by, step=Step.APOLOGISE)
    event = complaint.events.first()
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        complaint.events.all().delete()
    with pytest.raises(AppendOnlyError):
        complaint.events.update(note="x")


def test_recording_the_five_facts_ticks_the_checklist(bank, file_complaint):
    from tenure.complaints.services import complaint_update_details

    complaint = file_complaint("wang")
    facts = {f"fact_{k}": "x" for k in ("who", "what", "when", "where")}
    complaint_update_details(complaint=complaint, by=bank.staff["rm_a"], changes=facts)
    assert not complaint.steps.filter(step=Step.FACTS).exists()
    complaint_update_details(complaint=complaint, by=bank.staff["rm_a"], changes={"fact_why": "系统故障"})
    assert complaint.steps.filter(step=Step.FACTS).exists()
