"""Writes of the queues app: long waits of key customers become tasks for the lobby manager.

A step of the daily run (`ops/daily.py`) for the latest imported business date: every key
customer (see `selectors.KEY_TIERS`, `KEY_LAYER`) on that date's queue tickets who waited longer
than the target, or left without being served, gets one task, owned by a lobby manager of the
branch where they waited (spread over several by the customer number), else the branch head
answerable for it. The task's key names the business date and the customer, so running the step
again for the same date creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from tenure import lake
from tenure.analytics.models import ValueLevel
from tenure.analytics.selectors import published_tiers
from tenure.core.calendar import add_working_days
from tenure.engagement.models import Source
from tenure.engagement.tasks import Draft, tasks_add
from tenure.org.models import Role, Staff
from tenure.org.selectors import branch_head_for
from tenure.queues import compute, selectors
from tenure.queues.rules import active_target

DUE_WORKING_DAYS = 2  # the lobby manager calls the customer within two working days


def _owner(branch_code: str, customer_no: str, lobby: dict[str, list[Staff]]) -> Staff | None:
    if branch_code not in lobby:
        lobby[branch_code] = list(
            Staff.objects.filter(groups__name=Role.LOBBY, is_active=True, home_branch__code=branch_code).order_by("id")
        )
    managers = lobby[branch_code]
    if managers:
        return managers[zlib.crc32(customer_no.encode()) % len(managers)]
    return branch_head_for(branch_code)


def long_waits_to_tasks(day: dt.date) -> dict[str, Any]:
    """Tasks for the key customers who waited too long in the queue tickets of business date `day`.
    Returns the counts, or why nothing was looked at."""
    summary: dict[str, Any] = {"business_date": day.isoformat()}
    if not any(d == day for d, _ in lake.vouched_partitions(selectors.TABLE)):
        return summary | {"skipped": "no queue tickets imported for this business date"}
    tickets = compute.Tickets(
        [lake.partition_file(selectors.TABLE, day)], dt.datetime.min, dt.datetime.max, branch_codes=None, threads=1
    )
    target = active_target().minutes
    key = [
        number
        for number, (tier, level) in published_tiers(tickets.customers()).items()
        if tier in selectors.KEY_TIERS or level == ValueLevel.KEY
    ]
    waits = tickets.waited_longer(key, target)
    due = add_working_days(day, DUE_WORKING_DAYS)
    lobby: dict[str, list[Staff]] = {}
    drafts = []
    for wait in waits:
        owner = _owner(wait["branch_code"], wait["customer_no"], lobby)
        minutes = wait["wait_minutes"]
        drafts.append(
            Draft(
                key=f"long_wait:{day.isoformat()}:{wait['customer_no']}",
                source=Source.LONG_WAIT,
                customer_no=wait["customer_no"],
                due_on=due,
                source_id=wait["branch_code"],
                owner_id=owner.pk if owner else None,
                params={
                    "branch": wait["branch_code"],
                    "minutes": None if minutes is None else round(minutes, 1),
                    "target": target,
                    "walked_away": minutes is None,  # left every time: no wait to report
                    "date": wait["issued_at"].date().isoformat(),
                },
            )
        )
    created = tasks_add(drafts, day)
    return summary | {
        "key_customers_queued": len(key),
        "waited_too_long": len(waits),
        "tasks_created": created,
        "target_minutes": target,
    }
