"""What a customer's identifiers look like on any screen, API response or export: masked.

The one place that turns model values into displayable ones, so no page or serializer reads an
encrypted field directly. Clear values leave the server only through `services.customer_unmask`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from tenure.core.masking import mask_account, mask_card, mask_email, mask_mobile, mask_resident_id
from tenure.customers.models import Account, Customer

CUSTOMER_FIELDS: dict[str, Callable[[str | None], str]] = {
    "mobile": mask_mobile,
    "id_number": mask_resident_id,
    "email": mask_email,
}
ACCOUNT_FIELDS: dict[str, Callable[[str | None], str]] = {
    "account_number": mask_account,
    "card_number": mask_card,
}


def masked_customer_identifiers(customer: Customer) -> dict[str, str]:
    """{"mobile": "138****5678", "id_number": "110***********123X", "email": "z***@example.com"}."""
    return {field: mask(getattr(customer, field)) for field, mask in CUSTOMER_FIELDS.items()}


def masked_account_numbers(account: Account) -> dict[str, str]:
    return {field: mask(getattr(account, field)) for field, mask in ACCOUNT_FIELDS.items()}


def clear_value(obj: Customer | Account, field: str) -> str:
    """The clear value of an unmaskable field (the caller has checked permission and audited)."""
    fields = CUSTOMER_FIELDS if isinstance(obj, Customer) else ACCOUNT_FIELDS
    if field not in fields:
        raise ValueError(f"{field} cannot be unmasked")
    return getattr(obj, field) or ""


# Code lists of the extract format (tenure/ingest/schema.py) as staff read them.
CHANNEL_LABELS = {
    "counter": _("Counter"),
    "atm": _("ATM"),
    "mobile": _("Mobile banking"),
    "online": _("Online banking"),
    "pos": _("POS"),
    "agent": _("Agent"),
}
TXN_TYPE_LABELS = {
    "deposit": _("Deposit"),
    "withdrawal": _("Withdrawal"),
    "transfer_in": _("Transfer in"),
    "transfer_out": _("Transfer out"),
    "purchase": _("Purchase"),
    "payroll": _("Payroll"),
    "interest": _("Interest"),
    "fee": _("Fee"),
    "repayment": _("Repayment"),
    "refund": _("Refund"),
    "product_buy": _("Product purchase"),
    "product_redeem": _("Product redemption"),
}
