"""Customers, their accounts and cards, the product catalogue and acquiring merchants.

Resident ID, mobile, account and card numbers are encrypted at rest; each has a blind-index
column (`*_bidx`, HMAC) for exact-match search without decrypting the table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenure.core.fields import EncryptedTextField
from tenure.customers.pinyin import pinyin_keys
from tenure.org.models import Branch


class CustomerType(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    CORPORATE = "corporate", _("Corporate")
    MERCHANT = "merchant", _("Merchant")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class RiskTolerance(models.TextChoices):
    C1 = "C1", _("C1 conservative")
    C2 = "C2", _("C2 cautious")
    C3 = "C3", _("C3 balanced")
    C4 = "C4", _("C4 growth")
    C5 = "C5", _("C5 aggressive")


class ProductType(models.TextChoices):
    CURRENT = "current", _("Current account")
    SAVINGS = "savings", _("Savings")
    TIME_DEPOSIT = "time_deposit", _("Time deposit")
    WEALTH = "wealth", _("Wealth management")
    FUND = "fund", _("Fund")
    INSURANCE = "insurance", _("Insurance")
    LOAN = "loan", _("Loan")
    CREDIT_CARD = "credit_card", _("Credit card")


class RiskRating(models.TextChoices):
    R1 = "R1", "R1"
    R2 = "R2", "R2"
    R3 = "R3", "R3"
    R4 = "R4", "R4"
    R5 = "R5", "R5"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    FROZEN = "frozen", _("Frozen")
    CLOSED = "closed", _("Closed")


class MerchantCategory(models.TextChoices):
    """The acquiring categories (docs/data-formats.md)."""

    GENERAL = "general", _("General")
    WHOLESALE = "wholesale", _("Wholesale")
    DINING = "dining", _("Dining & entertainment")
    AUTO_REALTY = "auto_realty", _("Cars & property")
    LIVELIHOOD = "livelihood", _("Public livelihood")


OWN_BANK = "BANK"


class Product(models.Model):
    """A product of this bank (issuer "BANK") or of a named competitor."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    product_type = models.CharField(_("type"), max_length=16, choices=ProductType.choices)
    risk_rating = models.CharField(_("risk rating"), max_length=2, choices=RiskRating.choices)
    term_months = models.PositiveIntegerField(_("term (months)"), null=True, blank=True)
    rate = models.DecimalField(_("rate (% p.a.)"), max_digits=7, decimal_places=4, null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=64, default=OWN_BANK)
    maturity_date = models.DateField(_("maturity date"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name

    @property
    def is_competitor(self) -> bool:
        return self.issuer != OWN_BANK


# The consent flags the extract carries, in the order pages and the API show them.
CONSENT_FIELDS = (
    "consent_sms",
    "consent_email",
    "consent_phone",
    "consent_push",
    "consent_marketing",
    "consent_profiling",
)


class Customer(models.Model):
    customer_no = models.CharField(_("customer number"), max_length=32, unique=True)
    customer_type = models.CharField(_("type"), max_length=16, choices=CustomerType.choices)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    # Search keys derived from `name` (tenure.customers.pinyin): "wangfang" and "wf" for 王芳.
    name_pinyin = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=30, blank=True, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    lunar_birthday = models.BooleanField(_("birthday kept by the lunar calendar"), default=False)
    id_number = EncryptedTextField(_("resident ID number"), blank=True)
    id_number_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    mobile = EncryptedTextField(_("mobile"), blank=True)
    mobile_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    risk_tolerance = models.CharField(_("risk tolerance"), max_length=2, choices=RiskTolerance.choices, blank=True)
    # The day the extract's risk tolerance was assessed; None: unknown, which counts as expired (docs/offers.md).
    risk_assessed_on = models.DateField(_("risk assessed on"), null=True, blank=True)
    consent_sms = models.BooleanField(_("SMS consent"), default=False)
    consent_email = models.BooleanField(_("e-mail consent"), default=False)
    consent_phone = models.BooleanField(_("phone consent"), default=False)
    consent_push = models.BooleanField(_("app push consent"), default=False)
    consent_marketing = models.BooleanField(_("marketing consent"), default=False)
    # PIPL art. 24: a customer may refuse automated profiling; they are then never scored.
    consent_profiling = models.BooleanField(_("profiling consent"), default=True)
    onboarded_on = models.DateField(_("onboarding date"))
    branch = models.ForeignKey(
        Branch, to_field="code", db_column="branch_code", on_delete=models.PROTECT, related_name="customers"
    )
    rm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        to_field="employee_no",
        db_column="rm_employee_no",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="book",
        verbose_name=_("relationship manager"),
    )
    updated_on = models.DateField(_("last business date updated"))

    class Meta:
        ordering = ["customer_no"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        # The few who refused profiling, found without reading a million customers (churn scoring).
        indexes = [
            models.Index(
                fields=["customer_no"], name="customer_refused_profiling", condition=Q(consent_profiling=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_no} {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)


class Account(models.Model):
    """An account or card held by a customer. `account_id` is core banking's internal key."""

    account_id = models.CharField(_("account key"), max_length=32, unique=True)
    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    product = models.ForeignKey(
        Product, to_field="code", db_column="product_code", on_delete=models.PROTECT, related_name="accounts"
    )
    account_number = EncryptedTextField(_("account number"), blank=True)
    account_number_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    card_number = EncryptedTextField(_("card number"), blank=True)
    card_number_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    opened_on = models.DateField(_("opened"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices)
    # The current term's end (time deposits, term wealth products); the extract's word, never derived.
    maturity_date = models.DateField(_("maturity date"), null=True, blank=True)
    # Agreed for this account (a deposit keeps its opening day's rate); None: the product's rate applies.
    rate = models.DecimalField(_("rate (% p.a.)"), max_digits=7, decimal_places=4, null=True, blank=True)
    updated_on = models.DateField(_("last business date updated"))

    class Meta:
        ordering = ["account_id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        # Maturities due in a window (customers.selectors.maturities_between), without reading every account.
        indexes = [
            models.Index(fields=["maturity_date"], name="account_maturing", condition=Q(maturity_date__isnull=False))
        ]

    def __str__(self) -> str:
        return self.account_id

    @property
    def effective_rate(self):
        """% per year: the account's agreed rate, else its product's (None when neither is known)."""
        return self.rate if self.rate is not None else self.product.rate


class Merchant(models.Model):
    """An acquiring merchant; earns loyalty points by card volume (docs/points.md)."""

    merchant_no = models.CharField(_("merchant number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merchants",
    )
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=MerchantCategory.choices)
    discount_rate = models.DecimalField(_("discount rate (%)"), max_digits=6, decimal_places=4)
    capped = models.BooleanField(_("capped"), default=False)
    cap_amount = models.DecimalField(_("cap amount"), max_digits=10, decimal_places=2, null=True, blank=True)
    branch = models.ForeignKey(
        Branch,
        to_field="code",
        db_column="branch_code",
        on_delete=models.PROTECT,
        related_name="merchants",
        verbose_name=_("acquiring branch"),
    )
    opened_on = models.DateField(_("opened"))
    updated_on = models.DateField(_("last business date updated"))

    class Meta:
        ordering = ["merchant_no"]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return f"{self.merchant_no} {self.name}"


class ExternalHolding(models.Model):
    """A competitor product a customer is known to hold (from RM notes or surveys)."""

    holding_id = models.CharField(_("holding key"), max_length=32, unique=True)
    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.PROTECT,
        related_name="external_holdings",
    )
    product = models.ForeignKey(
        Product, to_field="code", db_column="product_code", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    bought_on = models.DateField(_("bought on"))
    maturity_date = models.DateField(_("maturity date"), null=True, blank=True)
    updated_on = models.DateField(_("last business date updated"))

    class Meta:
        ordering = ["holding_id"]
        verbose_name = _("competitor holding")
        verbose_name_plural = _("competitor holdings")

    def __str__(self) -> str:
        return f"{self.holding_id} {self.product_id}"


class MoveReason(models.TextChoices):
    """Why a customer changed RM. The first ones are chosen on the book page; the last two are set by
    Tenure (a deactivation's hand-over, a change the core-banking extract made)."""

    REBALANCE = "rebalance", _("Balancing the RMs' books")
    POOL = "pool", _("Assigning an unassigned customer")
    RM_LEFT = "rm_left", _("The RM left or changed role")
    CUSTOMER_REQUEST = "customer_request", _("At the customer's request")
    SERVICE_RECOVERY = "service_recovery", _("Service recovery: a change of person")
    SPECIALIST = "specialist", _("Served by a specialist for their tier")
    OTHER = "other", _("Other (explained in the note)")
    DEACTIVATION = "deactivation", _("Staff member deactivated: handed to the successor")
    CORE_IMPORT = "core_import", _("Changed in the core-banking extract")


# The reasons a person may choose; the others are Tenure's own.
CHOSEN_REASONS = tuple(r for r in MoveReason if r not in (MoveReason.DEACTIVATION, MoveReason.CORE_IMPORT))


class RevealReason(models.TextChoices):
    """Why a masked identifier was revealed: a code compliance can count, plus free text for "other"."""

    CUSTOMER_CALL = "customer_call", _("Customer called, identity verified")
    TRANSACTION = "transaction", _("Transaction in progress")
    COMPLAINT = "complaint", _("Complaint handling")
    OTHER = "other", _("Other")


class MoveSource(models.TextChoices):
    TENURE = "tenure", _("Moved in Tenure")
    IMPORT = "import", _("Core-banking extract")


class CoreStatus(models.TextChoices):
    """Where a move made in Tenure stands against the core-banking extract (docs/book.md)."""

    PENDING = "pending", _("Not yet in the core-banking extract")
    CONFIRMED = "confirmed", _("Confirmed by the core-banking extract")
    OVERRIDDEN = "overridden", _("Replaced by a later change in the core-banking system")
    SUPERSEDED = "superseded", _("Followed by another move in Tenure")


class RmAssignment(models.Model):
    """One change of a customer's RM: the history on the 360° page and the base of the import rule.

    `to_rm` empty: the customer went to their branch's unassigned pool. A move made in Tenure stays
    `pending` until an extract names its RM (confirmed) or names a third RM (overridden: the core made
    a newer decision); while the extract still names `core_rm`, the RM Tenure's move chose is kept and
    `core_disagrees_on` says since which business date the two disagree.
    """

    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.CASCADE,
        related_name="rm_assignments",
    )
    from_rm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        to_field="employee_no",
        db_column="from_employee_no",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    to_rm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        to_field="employee_no",
        db_column="to_employee_no",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=MoveReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=MoveSource.choices, default=MoveSource.TENURE)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # The submitting form's key: the same form sent twice moves nothing twice.
    key = models.CharField(max_length=64, blank=True)
    core_status = models.CharField(_("core banking"), max_length=12, choices=CoreStatus.choices, blank=True)
    # The RM the core-banking extract named when Tenure made the move (employee no.; blank: none).
    core_rm = models.CharField(max_length=32, blank=True)
    core_disagrees_on = models.DateField(_("core banking disagrees since"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("RM assignment")
        verbose_name_plural = _("RM assignments")
        constraints = [
            models.UniqueConstraint(fields=["key", "customer"], condition=~Q(key=""), name="rm_assignment_once_per_key")
        ]
        indexes = [
            models.Index(fields=["customer", "at"], name="rm_assignment_customer_at"),
            models.Index(fields=["key"], name="rm_assignment_key", condition=~Q(key="")),
            models.Index(fields=["customer"], name="rm_assignment_pending", condition=Q(core_status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_rm_id or '-'} → {self.to_rm_id or '-'}"
