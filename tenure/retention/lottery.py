"""The retention lottery (docs/churn.md): "if your AUM is back at last month's level this month,
you enter the draw" — cheap to run and it brings money back.

Invitation: every open alert of a configured cause (default `aum_drop`) invites its customer once,
with `target_aum` = AUM at the month-end before the alert's business date (the level before the
fall) and a deadline `months_to_return` month-ends later. At each nightly date the rule compares
the pipeline features' AUM with the target, set-based over all open entries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from django.db import transaction

from tenure.analytics.features import month_end_back
from tenure.churn.config import churn_config
from tenure.churn.dataset import features_frame
from tenure.churn.models import Alert
from tenure.core.audit import audit
from tenure.lake import connect
from tenure.retention.models import LotteryEntry

AUM = ["customer_no", "aum"]


def lottery_rule(entries: pd.DataFrame, aum: pd.Series, day: dt.date) -> pd.Series:
    """New status per entry (columns customer_no, target_aum, deadline; `aum` indexed by customer_no).

    eligible when AUM at `day` ≥ target; expired when past the deadline without; else invited.
    """
    now = entries.customer_no.map(aum).astype("float64")
    back = now >= entries.target_aum.astype("float64")
    late = pd.to_datetime(entries.deadline) < pd.Timestamp(day)
    status = pd.Series(LotteryEntry.Status.INVITED, index=entries.index)
    status[late & ~back] = LotteryEntry.Status.EXPIRED
    status[back] = LotteryEntry.Status.ELIGIBLE
    return status


def _invite(con, day: dt.date, p: dict) -> list[LotteryEntry]:
    """Entries for open alerts of the lottery causes not yet invited (target: AUM the month-end before)."""
    alerts = Alert.objects.filter(cause__in=p["causes"], business_date__lte=day).exclude(status=Alert.Status.CLOSED)
    known = set(LotteryEntry.objects.values_list("customer_id", "invited_on"))
    fresh = sorted(
        {
            a
            for a in alerts.values_list("customer_id", "customer__customer_no", "business_date")
            if (a[0], a[2]) not in known
        }
    )
    entries = []
    for raised_on in sorted({a[2] for a in fresh}):  # one features read per alert date, not per customer
        before = features_frame(con, month_end_back(raised_on, 1), AUM).set_index("customer_no").aum
        deadline = month_end_back(raised_on, -p["months_to_return"])
        for customer_id, customer_no, _raised in (a for a in fresh if a[2] == raised_on):
            target = before.get(customer_no)
            if target is not None and not pd.isna(target):
                entries.append(
                    LotteryEntry(
                        customer_id=customer_id,
                        invited_on=raised_on,
                        target_aum=Decimal(str(target)),
                        deadline=deadline,
                    )
                )
    return entries


def lottery_evaluate(*, day: dt.date, by=None) -> dict:
    """Invite customers with an open AUM-drop alert, then mark who is back at their target (audited)."""
    p = churn_config()["lottery"]
    con = connect()
    invited = _invite(con, day, p)
    with transaction.atomic():
        LotteryEntry.objects.bulk_create(invited, ignore_conflicts=True)
        open_entries = LotteryEntry.objects.filter(status=LotteryEntry.Status.INVITED, invited_on__lt=day)
        rows = pd.DataFrame(
            open_entries.values_list("pk", "customer__customer_no", "target_aum", "deadline"),
            columns=["pk", "customer_no", "target_aum", "deadline"],
        )
        counts = {"invited": len(invited), "eligible": 0, "expired": 0}
        if not rows.empty:
            aum = features_frame(con, day, AUM).set_index("customer_no").aum
            rows["status"] = lottery_rule(rows, aum, day)
            rows["aum"] = rows.customer_no.map(aum)
            done = rows[rows.status != LotteryEntry.Status.INVITED]
            LotteryEntry.objects.bulk_update(
                [
                    LotteryEntry(
                        pk=pk,
                        status=status,
                        checked_on=day,
                        aum_at_check=None if pd.isna(now) else Decimal(str(round(now, 2))),
                    )
                    for pk, status, now in zip(done.pk, done.status, done.aum, strict=True)
                ],
                ["status", "checked_on", "aum_at_check"],
                batch_size=2000,
            )
            counts.update({str(k): int(v) for k, v in done.status.value_counts().items()})
        audit(
            action="retention.lottery.evaluate",
            actor=by,
            object_type="lottery",
            detail={"business_date": day.isoformat(), **counts},
        )
    return {"business_date": day.isoformat(), **counts}
