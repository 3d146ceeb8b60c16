"""The retention lottery (docs/churn.md): "if your AUM is back at last month's level this month,
you enter the draw" — cheap to run and it brings money back.

Invitation: every open alert of a configured cause (default `aum_drop`) invites its customer once,
with `target_aum` = AUM at the month-end before the alert's business date (the level before the
fall) and a deadline `months_to_return` month-ends later. At each nightly date the rule compares
the pipeline features' AUM with the target, set-based over all open entries.

Draw (`lottery_draw`): a branch head (their subtree) or head office (the whole bank) draws a month's
winners among the entries that became eligible in that month. The order of the tickets is fixed by a
seed made from the draw's id and date and kept with it, so the draw can be recomputed by anyone
(`draw_order`) and run again without changing anything; the prize notices go through the outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.analytics.dates import month_end_back
from tenure.churn.config import churn_config
from tenure.churn.dataset import features_frame
from tenure.churn.models import Alert
from tenure.core.audit import audit
from tenure.lake import connect
from tenure.org.models import Branch, Staff
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import sees_all
from tenure.retention.models import LotteryDraw, LotteryEntry, LotteryWinner
from tenure.retention.signals import LOTTERY_DRAWN

AUM = ["customer_no", "aum"]
MAX_PRIZES = 1000


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


class DrawRefused(ValueError):
    """A draw that cannot be made (month not over, no ticket holders, no scope); the message says why."""


def draw_branch(user: Staff) -> Branch | None:
    """The subtree a member of staff draws for: the whole bank (the root branch) for head office, else
    their home branch."""
    if sees_all(user):
        return Branch.objects.filter(parent__isnull=True).order_by("path").first()
    return user.home_branch


def _month_end(period: dt.date) -> dt.date:
    return month_end_back(period, 0)


def ticket_holders(*, branch: Branch, period: dt.date) -> QuerySet[LotteryEntry]:
    """Entries of customers of `branch`'s subtree that became eligible in the month of `period`, less
    those that already won a draw of that month (a ticket wins once, whoever drew)."""
    start = period.replace(day=1)
    return LotteryEntry.objects.filter(
        status=LotteryEntry.Status.ELIGIBLE,
        checked_on__gte=start,
        checked_on__lte=_month_end(start),
        customer__branch__path__startswith=branch.path,
    ).exclude(wins__draw__period=start)


def draw_periods(*, branch: Branch, today: dt.date) -> list[dt.date]:
    """Months that are over, have ticket holders in `branch`'s subtree and no draw of it yet, newest first."""
    drawn = set(LotteryDraw.objects.filter(branch=branch).values_list("period", flat=True))
    days = LotteryEntry.objects.filter(
        status=LotteryEntry.Status.ELIGIBLE,
        checked_on__lt=today.replace(day=1),
        customer__branch__path__startswith=branch.path,
    ).values_list("checked_on", flat=True)
    months = {d.replace(day=1) for d in days.distinct() if d is not None}
    return sorted(months - drawn, reverse=True)


def draw_seed(draw_id: int, period: dt.date, branch_code: str, drawn_on: dt.date) -> str:
    """The draw's seed: from its id, month, branch and date, nothing else (so it can be recomputed)."""
    return hashlib.sha256(f"lottery:{draw_id}:{period:%Y-%m}:{branch_code}:{drawn_on.isoformat()}".encode()).hexdigest()


def draw_order(seed: str, entry_ids: Sequence[int]) -> list[int]:
    """The tickets in the order drawn: by the SHA-256 of the seed and the entry id. It depends on no
    library's random generator or row order, so a verifier gets the same from the kept seed."""
    return sorted(entry_ids, key=lambda pk: hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest())


def lottery_draw(
    *, period: dt.date, prizes: int, by: Staff, today: dt.date | None = None, ip: str | None = None
) -> tuple[LotteryDraw, bool]:
    """Draw `prizes` winners of the month of `period` among the ticket holders of the drawer's scope,
    store them and queue their prize notices, in one audited transaction. A month is drawn once per
    scope: drawing it again returns the first draw unchanged (`created` False)."""
    if not has_perm(by, Perm.LOTTERY_DRAW):
        raise PermissionDenied
    branch = draw_branch(by)
    if branch is None:
        raise DrawRefused(_("You have no branch to draw for."))
    period, today = period.replace(day=1), today or timezone.localdate()
    done = LotteryDraw.objects.filter(period=period, branch=branch).first()
    if done is not None:
        return done, False
    if period >= today.replace(day=1):
        raise DrawRefused(_("A month is drawn once it is over: its tickets may still come in."))
    if not 1 <= prizes <= MAX_PRIZES:
        raise DrawRefused(_("The number of prizes must be between 1 and %(max)d.") % {"max": MAX_PRIZES})
    try:
        with transaction.atomic():
            pool = list(ticket_holders(branch=branch, period=period).order_by("pk").values_list("pk", flat=True))
            if not pool:
                raise DrawRefused(_("Nobody in your scope has a ticket for this month."))
            draw = LotteryDraw.objects.create(
                period=period, branch=branch, prizes=prizes, tickets=len(pool), drawn_on=today, drawn_by=by
            )
            draw.seed = draw_seed(draw.pk, period, branch.code, today)
            draw.save(update_fields=["seed"])
            chosen = draw_order(draw.seed, pool)[:prizes]
            LotteryWinner.objects.bulk_create(
                [LotteryWinner(draw=draw, entry_id=pk, rank=rank) for rank, pk in enumerate(chosen, 1)]
            )
            by_pk = LotteryEntry.objects.select_related("customer").in_bulk(chosen)
            winners = [by_pk[pk] for pk in chosen]
            LOTTERY_DRAWN.send(sender=LotteryDraw, draw=draw, name=f"{period:%Y-%m}-{draw.pk}", winners=winners, by=by)
            audit(
                action="retention.lottery.draw",
                actor=by,
                object_type="lottery_draw",
                object_id=draw.pk,
                detail={
                    "period": f"{period:%Y-%m}",
                    "branch": branch.code,
                    "prizes": prizes,
                    "tickets": len(pool),
                    "seed": draw.seed,
                    "winners": [w.customer.customer_no for w in winners],
                },
                ip_address=ip,
            )
    except IntegrityError:  # drawn at the same moment by someone else: theirs stands
        return LotteryDraw.objects.get(period=period, branch=branch), False
    return draw, True
