"""SLA deadlines on the Chinese working calendar and idempotent escalation."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.complaints.escalation import escalate_due
from tenure.complaints.lifecycle import complaint_transition
from tenure.complaints.models import ComplaintEvent
from tenure.complaints.sla import due_times, head_office_due
from tenure.core.calendar import holidays_seed
from tests.complaints.conftest import aware


@pytest.fixture
def calendar(db):
    holidays_seed()


@pytest.mark.parametrize(
    ("severity", "received", "ack", "resolve"),
    [
        # Friday → the weekend does not count: Mon, Tue, Wed.
        ("high", aware(2025, 6, 13, 16, 0), aware(2025, 6, 13, 20, 0), dt.date(2025, 6, 18)),
        # National Day 1–8 Oct 2025 are holidays; Saturday 11 Oct is an adjusted working day:
        # Thu 9, Fri 10, Sat 11, Mon 13, Tue 14.
        ("medium", aware(2025, 9, 30, 10, 0), aware(2025, 10, 1, 10, 0), dt.date(2025, 10, 14)),
        # Received on the adjusted working Saturday itself: the next working day is Monday 13 Oct.
        ("critical", aware(2025, 10, 11, 9, 30), aware(2025, 10, 11, 11, 30), dt.date(2025, 10, 13)),
        # Sunday 28 Sep 2025 is a working day too (调休), so a Saturday complaint counts it.
        ("critical", aware(2025, 9, 27, 9, 0), aware(2025, 9, 27, 11, 0), dt.date(2025, 9, 28)),
        # Low: 10 working days across the Spring Festival 2025 (28 Jan–4 Feb off, Sun 26 Jan and Sat 8 Feb worked).
        # Sun 26, Mon 27, Wed 5, Thu 6, Fri 7, Sat 8, Mon 10, Tue 11, Wed 12, Thu 13.
        ("low", aware(2025, 1, 24, 9, 0), aware(2025, 1, 26, 9, 0), dt.date(2025, 2, 13)),
    ],
)
def test_deadlines_follow_the_working_calendar(calendar, severity, received, ack, resolve):
    ack_due, resolve_due = due_times(severity, received)
    assert ack_due == ack
    assert resolve_due == aware(resolve.year, resolve.month, resolve.day, 23, 59, 59)


def test_settings_override_a_severity(calendar, settings):
    settings.TENURE_COMPLAINTS_SLA = {"low": {"resolve_working_days": 1}}
    assert due_times("low", aware(2025, 6, 13, 9, 0))[1].date() == dt.date(2025, 6, 16)
    assert due_times("low", aware(2025, 6, 13, 9, 0))[0] == aware(2025, 6, 15, 9, 0)  # ack hours kept


def test_head_office_deadline_counts_further_working_days(calendar):
    # medium: 3 working days after the resolve deadline (Tue 14 Oct 2025) → Fri 17 Oct.
    assert head_office_due("medium", aware(2025, 10, 14, 23, 59, 59)).date() == dt.date(2025, 10, 17)


def test_escalation_to_branch_head_then_head_office_is_idempotent(calendar, bank, file_complaint):
    complaint = file_complaint("wang", severity="medium", received_at=aware(2025, 9, 30, 10, 0))
    complaint_transition(complaint, "acknowledged", bank.staff["rm_a"], at=aware(2025, 9, 30, 11, 0))

    assert escalate_due(now=aware(2025, 10, 14, 12, 0)) == {"branch_head": 0, "head_office": 0}  # not yet due
    assert escalate_due(now=aware(2025, 10, 15, 9, 0)) == {"branch_head": 1, "head_office": 0}
    complaint.refresh_from_db()
    assert (complaint.escalation_level, complaint.escalated_to) == (1, bank.staff["head_a"])  # S0101 → B01's head
    assert escalate_due(now=aware(2025, 10, 15, 9, 0)) == {"branch_head": 0, "head_office": 0}
    assert escalate_due(now=aware(2025, 10, 17, 23, 0)) == {"branch_head": 0, "head_office": 0}

    assert escalate_due(now=aware(2025, 10, 18, 9, 0)) == {"branch_head": 0, "head_office": 1}
    complaint.refresh_from_db()
    assert (complaint.escalation_level, complaint.escalated_to) == (2, bank.staff["service"])
    assert escalate_due(now=aware(2025, 10, 20, 9, 0)) == {"branch_head": 0, "head_office": 0}
    assert complaint.events.filter(kind=ComplaintEvent.Kind.ESCALATED).count() == 2


def test_unacknowledged_past_the_ack_deadline_escalates_and_resolved_ones_do_not(calendar, bank, file_complaint):
    late_ack = file_complaint("li", by="rm_a2", severity="critical", received_at=aware(2025, 6, 16, 9, 0))
    resolved = file_complaint("wang", severity="critical", received_at=aware(2025, 6, 16, 9, 0))
    resolved.status = "resolved"
    resolved.save()
    assert escalate_due(now=aware(2025, 6, 16, 12, 0)) == {"branch_head": 1, "head_office": 0}
    late_ack.refresh_from_db()
    resolved.refresh_from_db()
    assert late_ack.escalation_level == 1 and resolved.escalation_level == 0


def test_the_command_runs_and_prints_json(calendar, bank, file_complaint):
    import json
    from io import StringIO

    from django.core.management import call_command

    file_complaint("wang", severity="high", received_at=aware(2025, 6, 2, 9, 0))
    out = StringIO()
    call_command("complaints", "escalate", "--at", "2025-07-01T09:00", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"branch_head": 0, "head_office": 1}
