"""Writes concerning customers: revealing a masked identifier (with a reason, audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.core.audit import audit
from tenure.customers.display import ACCOUNT_FIELDS, CUSTOMER_FIELDS, clear_value
from tenure.customers.models import Account, Customer
from tenure.org.permissions import Perm, has_perm

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
    by,
    customer: Customer,
    field: str,
    reason: str,
    account: Account | None = None,
    ip: str | None = None,
) -> Revealed:
    """Reveal one identifier of a customer (or of one of their accounts) for 60 seconds.

    `customer` and `account` must come from a scoped selector. The audit entry is written in the
    same transaction: no entry, no value.
    """
    if not has_perm(by, Perm.UNMASK):
        raise PermissionDenied(_("Your role may not reveal personal data."))
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
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
        detail={"field": field},
        ip_address=ip,
    )
    return Revealed(field, clear_value(target, field), timezone.now() + dt.timedelta(seconds=REVEAL_SECONDS))
