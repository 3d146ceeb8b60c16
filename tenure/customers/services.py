"""Writes concerning customers: revealing a masked identifier (with a reason, audited), and book
management — moving customers between RMs, handing a leaver's book to a successor, and keeping
Tenure's moves against the core-banking extract (docs/book.md)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.core.audit import audit
from tenure.customers.book import assignable_rms
from tenure.customers.display import ACCOUNT_FIELDS, CUSTOMER_FIELDS, clear_value
from tenure.customers.models import (
    CHOSEN_REASONS,
    Account,
    CoreStatus,
    Customer,
    MoveReason,
    MoveSource,
    RevealReason,
    RmAssignment,
)
from tenure.org.models import Role, Staff
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import customers_for

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

REVEAL_SECONDS = 60
MIN_REASON_LENGTH = 4


@dataclass(frozen=True)
class Revealed:
    field: str
    value: str
    expires_at: dt.datetime


@transaction.atomic
def customer_unmask(
    *,
    by: Staff,
    customer: Customer,
    field: str,
    reason_code: str,
    reason: str = "",
    account: Account | None = None,
    ip: str | None = None,
) -> Revealed:
    """Reveal one identifier of a customer (or of one of their accounts) for 60 seconds.

    `reason_code` is a `RevealReason` (compliance counts reveals by it); `reason` is free text,
    required for "other". `customer` and `account` must come from a scoped selector. The audit
    entry is written in the same transaction: no entry, no value.
    """
    if not has_perm(by, Perm.UNMASK):
        raise PermissionDenied(_("Your role may not reveal personal data."))
    if reason_code not in RevealReason.values:
        raise ValidationError(_("Please choose a reason."))
    reason = " ".join(reason.split())
    if reason_code == RevealReason.OTHER and len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(_("Please give a reason of at least %(n)d characters.") % {"n": MIN_REASON_LENGTH})
    target: Customer | Account = customer
    if account is not None:
        if account.customer_id != customer.customer_no or field not in ACCOUNT_FIELDS:
            raise ValidationError(_("This field cannot be revealed."))
        target = account
    elif field not in CUSTOMER_FIELDS:
        raise ValidationError(_("This field cannot be revealed."))
    audit(
        action="customer.unmask",
        actor=by,
        object_type="account" if account is not None else "customer",
        object_id=account.account_id if account is not None else customer.pk,
        customer_no=customer.customer_no,
        reason=reason,
        detail={"field": field, "reason_code": reason_code},
        ip_address=ip,
    )
    return Revealed(field, clear_value(target, field), timezone.now() + dt.timedelta(seconds=REVEAL_SECONDS))


# --- Book management (docs/book.md) ---

# Sent inside the transaction of every change of RM Tenure makes (a move, a pool distribution, a
# deactivation's hand-over, a later core-banking change that replaces a move), once per previous RM,
# with keyword arguments `from_staff` (Staff, or None for the pool), `to_staff` (Staff, or None: to
# the pool), `customer_nos` (list of customer numbers) and `by` (Staff, or None for an import).
# Receivers move what follows the book (the engagement app: the open tasks of those customers).
BOOK_MOVED = Signal()

MAX_BATCH = 500  # customers per move: one confirmation page, one audit row


@dataclass(frozen=True)
class MoveResult:
    """What a move did: the customers moved, those already with that RM, and whether the form's key
    had been used before (then nothing moved now)."""

    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repeated: bool = False


def customers_move_check(
    *, by: Staff, customers: Sequence[Customer], to_rm: Staff | None, reason: str, note: str
) -> str:
    """The refusals of `customers_move`, without moving anything (the review page shows them before
    the confirmation); returns the note as it will be stored."""
    if not has_perm(by, Perm.BOOK_MANAGE):
        raise PermissionDenied
    if not customers:
        raise ValidationError(_("Tick at least one customer."))
    if len(customers) > MAX_BATCH:
        raise ValidationError(_("Move at most %(n)d customers at a time.") % {"n": MAX_BATCH})
    numbers = {c.customer_no for c in customers}
    if customers_for(by).filter(customer_no__in=sorted(numbers)).count() != len(numbers):
        raise PermissionDenied
    note = " ".join(note.split())[:200]
    if reason not in CHOSEN_REASONS:
        raise ValidationError(_("Choose a reason from the list."))
    if reason == MoveReason.OTHER and len(note) < MIN_REASON_LENGTH:
        raise ValidationError(_("Please explain the reason in at least %(n)d characters.") % {"n": MIN_REASON_LENGTH})
    if to_rm is None or not assignable_rms(by).filter(pk=to_rm.pk).exists():
        raise ValidationError(_("Choose an active relationship manager of your branches."))
    outside = [c for c in customers if not _holds(to_rm, c)]
    if outside:
        raise ValidationError(
            _("%(rm)s works at %(branch)s and cannot hold customers of other branches: %(names)s.")
            % {
                "rm": to_rm,
                "branch": to_rm.home_branch.label if to_rm.home_branch else "—",
                "names": ", ".join(c.name for c in outside[:5]) + ("…" if len(outside) > 5 else ""),
            }
        )
    return note


def customers_move(
    *,
    by: Staff,
    customers: Sequence[Customer],
    to_rm: Staff,
    reason: str,
    note: str = "",
    key: str = "",
    ip: str | None = None,
) -> MoveResult:
    """Move `customers` (from a scoped selector) to the active RM `to_rm` of `by`'s subtree, with a
    chosen reason, in one transaction with one audit row naming how many and which.

    Refused: PermissionDenied without `Perm.BOOK_MANAGE` or for a customer out of `by`'s scope;
    ValidationError for no customers or more than MAX_BATCH, a reason not on the list, "other"
    without a note, an RM who is inactive or outside `by`'s subtree, or a customer `to_rm` cannot
    hold (outside their home branch's subtree: in nobody's book). The same `key` twice moves once;
    customers already with `to_rm` are left alone (no history row).
    """
    note = customers_move_check(by=by, customers=customers, to_rm=to_rm, reason=reason, note=note)
    numbers = sorted({c.customer_no for c in customers})
    if key and RmAssignment.objects.filter(key=key).exists():
        return _repeated(key)
    try:
        with transaction.atomic():
            locked = list(Customer.objects.select_for_update().filter(customer_no__in=numbers).order_by("pk"))
            unchanged = [c.customer_no for c in locked if c.rm_id == to_rm.employee_no]
            moving = [c for c in locked if c.rm_id != to_rm.employee_no]
            froms = _reassign(moving, to_rm, by=by, reason=reason, note=note, key=key, source=MoveSource.TENURE)
            if moving:
                audit(
                    action="customer.rm.move",
                    actor=by,
                    object_type="staff",
                    object_id=to_rm.employee_no or "",
                    customer_no=moving[0].customer_no if len(moving) == 1 else "",
                    reason=note or str(MoveReason(reason).label),
                    detail={
                        "reason": reason,
                        "to": to_rm.employee_no,
                        "count": len(moving),
                        "customers": [c.customer_no for c in moving],
                        "from": {(no or "pool"): len(nos) for no, nos in froms.items()},
                        "unchanged": unchanged,
                    },
                    ip_address=ip,
                )
    except IntegrityError:  # the same key, committed by a simultaneous request after the check above
        return _repeated(key)
    return MoveResult(moved=[c.customer_no for c in moving], unchanged=unchanged)


def _repeated(key: str) -> MoveResult:
    moved = RmAssignment.objects.filter(key=key).order_by("customer_id").values_list("customer_id", flat=True)
    return MoveResult(moved=[str(number) for number in moved], repeated=True)


def _holds(rm: Staff | None, customer: Customer) -> bool:
    """Whether `customer` would be in `rm`'s book (`tenure.org.scoping.in_their_rm_book`)."""
    return rm is not None and rm.home_branch is not None and customer.branch.path.startswith(rm.home_branch.path)


def _reassign(
    customers: Sequence[Customer],
    to_rm: Staff | None,
    *,
    by: Staff | None,
    reason: str,
    note: str,
    key: str,
    source: str,
) -> dict[str | None, list[str]]:
    """Give `customers` (locked) to `to_rm` (None: the pool): one history row each, the pending move
    each may have superseded, `BOOK_MOVED` per previous RM. Returns previous RM → customer numbers.
    The caller holds the transaction and writes the audit row."""
    if not customers:
        return {}
    target = to_rm.employee_no if to_rm is not None else None
    numbers = [c.customer_no for c in customers]
    pending = {
        a.customer_id: a for a in RmAssignment.objects.filter(customer_id__in=numbers, core_status=CoreStatus.PENDING)
    }
    now = timezone.now()
    rows = []
    froms: dict[str | None, list[str]] = defaultdict(list)
    for customer in customers:
        previous = pending.get(customer.customer_no)
        core_rm = previous.core_rm if previous is not None else (customer.rm_id or "")
        rows.append(
            RmAssignment(
                customer_id=customer.customer_no,
                from_rm_id=customer.rm_id,
                to_rm_id=target,
                reason=reason,
                note=note,
                source=source,
                by=by,
                at=now,
                key=key,
                core_rm=core_rm,
                # Back to the RM the core names: nothing for the core to catch up on.
                core_status=CoreStatus.CONFIRMED if core_rm == (target or "") else CoreStatus.PENDING,
            )
        )
        froms[customer.rm_id].append(customer.customer_no)
    RmAssignment.objects.filter(pk__in=[a.pk for a in pending.values()]).update(core_status=CoreStatus.SUPERSEDED)
    RmAssignment.objects.bulk_create(rows, batch_size=1000)
    Customer.objects.filter(customer_no__in=numbers).update(rm_id=target)
    staff = {s.employee_no: s for s in Staff.objects.filter(employee_no__in=[n for n in froms if n])}
    for from_no, nos in froms.items():
        BOOK_MOVED.send(
            sender=Customer, from_staff=staff.get(from_no) if from_no else None, to_staff=to_rm, customer_nos=nos, by=by
        )
    return froms


def book_hand_over(sender, *, staff: Staff, successor: Staff, by: Staff, reason: str, **kwargs) -> dict[str, Any]:
    """Receiver of `tenure.org.services.STAFF_DEACTIVATED`: the leaver's book goes to the successor.

    Customers the successor cannot hold (outside their home branch's subtree) go to the unassigned
    pool of their branch instead, counted apart. A successor without the RM role cannot take a book.
    """
    if not staff.employee_no:
        return {"customers": 0, "to_pool": 0}
    book = list(
        Customer.objects.select_for_update(of=("self",))
        .select_related("branch")
        .filter(rm__employee_no=staff.employee_no)
    )
    if not book:
        return {"customers": 0, "to_pool": 0}
    if not successor.is_active or not successor.employee_no or not successor.has_role(Role.RM):
        raise ValidationError(
            _("%(name)s keeps a book of %(n)d customers: choose an active relationship manager as the successor.")
            % {"name": staff, "n": len(book)}
        )
    kept = [c for c in book if _holds(successor, c)]
    pooled = [c for c in book if not _holds(successor, c)]
    note = reason[:200]
    _reassign(kept, successor, by=by, reason=MoveReason.DEACTIVATION, note=note, key="", source=MoveSource.TENURE)
    _reassign(pooled, None, by=by, reason=MoveReason.DEACTIVATION, note=note, key="", source=MoveSource.TENURE)
    return {
        "customers": len(kept),
        "to_pool": len(pooled),
        "customer_nos": [c.customer_no for c in kept],
        "pooled_nos": [c.customer_no for c in pooled],
    }


@dataclass(frozen=True)
class ImportCheck:
    """What an import did to moves made in Tenure (docs/book.md, "When the core-banking extract
    disagrees"): confirmed, kept against the extract, replaced by a newer core decision."""

    confirmed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)


def book_import_check(sender, *, rows: pa.Table, business_date: dt.date, **kwargs) -> ImportCheck:
    """Receiver of `tenure.core.signals.ROWS_UPSERTED` for the customers table, in the import's
    transaction, after the rows were written: settle each pending move made in Tenure against the
    RM the extract names for that customer.

    * The extract names the RM Tenure moved the customer to: confirmed.
    * It still names the RM the core had when Tenure moved them (the core has not caught up), or it
      predates the move: Tenure's RM is put back and the disagreement is reported (audited
      `customer.rm.core_disagrees`, logged, listed on the book page).
    * It names a third RM: the core decided later; it wins, and the history shows the change.
    """
    if sender != "customers":
        return ImportCheck()
    pending = {a.customer_id: a for a in RmAssignment.objects.filter(core_status=CoreStatus.PENDING)}
    if not pending or "customer_no" not in rows.column_names:
        return ImportCheck()
    # Loaded here: pyarrow costs a tenth of a second of every process's start-up (issue 27).
    import pyarrow as pa
    import pyarrow.compute as pc

    seen = rows.filter(pc.is_in(rows["customer_no"], value_set=pa.array(list(pending), pa.string())))
    if not seen.num_rows:
        return ImportCheck()
    named = seen["rm_employee_no"].to_pylist() if "rm_employee_no" in seen.column_names else [None] * seen.num_rows
    check = ImportCheck()
    put_back: dict[str | None, list[str]] = defaultdict(list)
    touched = []
    for number, core_now in zip(seen["customer_no"].to_pylist(), named, strict=True):
        move = pending[number]
        touched.append(move)
        core_now = core_now or ""
        if business_date < timezone.localdate(move.at):
            put_back[move.to_rm_id].append(number)  # an extract older than the move knows nothing of it
        elif core_now == (move.to_rm_id or ""):
            move.core_status = CoreStatus.CONFIRMED
            check.confirmed.append(number)
        elif core_now == move.core_rm:
            move.core_disagrees_on = move.core_disagrees_on or business_date
            put_back[move.to_rm_id].append(number)
            check.kept.append(number)
        else:
            move.core_status = CoreStatus.OVERRIDDEN
            check.overridden.append(number)
    for to_rm, numbers in put_back.items():
        Customer.objects.filter(customer_no__in=numbers).update(rm_id=to_rm)
    RmAssignment.objects.bulk_update(touched, ["core_status", "core_disagrees_on"], batch_size=1000)
    if check.overridden:
        _record_core_changes([pending[n] for n in check.overridden], business_date)
    if check.kept or check.overridden:
        audit(
            action="customer.rm.core_disagrees",
            object_type="business_date",
            object_id=business_date.isoformat(),
            detail={
                "kept": check.kept[:MAX_BATCH],
                "overridden": check.overridden[:MAX_BATCH],
                "confirmed": len(check.confirmed),
            },
        )
    if check.kept:
        logger.warning(
            "import %s: %d customers keep the RM Tenure moved them to; the extract still names their previous RM"
            " (listed on /customers/book/)",
            business_date,
            len(check.kept),
        )
    return check


def _record_core_changes(moves: list[RmAssignment], business_date: dt.date) -> None:
    """History rows for moves the core replaced (source: the extract), and `BOOK_MOVED` for them."""
    numbers = [m.customer_id for m in moves]
    now_rm: dict[str, str | None] = {
        number: (str(rm) if rm is not None else None)
        for number, rm in Customer.objects.filter(customer_no__in=numbers).values_list("customer_no", "rm_id")
    }
    RmAssignment.objects.bulk_create(
        [
            RmAssignment(
                customer_id=m.customer_id,
                from_rm_id=m.to_rm_id,
                to_rm_id=now_rm.get(m.customer_id),
                reason=MoveReason.CORE_IMPORT,
                note=business_date.isoformat(),
                source=MoveSource.IMPORT,
                by=None,
            )
            for m in moves
        ],
        batch_size=1000,
    )
    groups: dict[tuple[str | None, str | None], list[str]] = defaultdict(list)
    for m in moves:
        before = str(m.to_rm_id) if m.to_rm_id is not None else None  # the stubs type to_field keys as int
        groups[(before, now_rm.get(str(m.customer_id)))].append(str(m.customer_id))
    staff = {s.employee_no: s for s in Staff.objects.filter(employee_no__in={n for pair in groups for n in pair if n})}
    for (before, after), nos in groups.items():
        BOOK_MOVED.send(
            sender=Customer,
            from_staff=staff.get(before) if before else None,
            to_staff=staff.get(after) if after else None,
            customer_nos=nos,
            by=None,
        )
