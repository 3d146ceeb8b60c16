"""The outbox (one row per message to one customer) and the history of consent changes.

Nothing reaches a customer except from `Message`: a sender queues a row (`services.message_queue`,
idempotent on its key) and `dispatch.messages_send` sends what is due. A row holds no clear phone
number or address: those are read from the customer (the mobile from its encrypted field) at the
moment of sending, so a changed number is used and an erased one is not kept here.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenure.customers.models import Customer


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PUSH = "push", _("App push")


class Purpose(models.TextChoices):
    SERVICE = "service", _("Service")
    MARKETING = "marketing", _("Marketing")


class Kind(models.TextChoices):
    """What a message is for; each kind belongs to one purpose (`PURPOSE_OF`)."""

    REMINDER = "reminder", _("Reminder")
    STATEMENT = "statement", _("Statement")
    COMPLAINT_REPLY = "complaint_reply", _("Complaint reply")
    SURVEY = "survey", _("Survey invitation")
    OFFER = "offer", _("Offer")
    CAMPAIGN = "campaign", _("Campaign")
    GREETING = "greeting", _("Greeting")
    EDUCATION = "education", _("Customer education")
    # Approved educational content sent as a service (fraud warnings, fee explanations): no marketing consent.
    NOTICE = "notice", _("Service notice")
    LOTTERY = "lottery", _("Retention lottery")


PURPOSE_OF: dict[str, str] = {
    Kind.REMINDER: Purpose.SERVICE,
    Kind.STATEMENT: Purpose.SERVICE,
    Kind.COMPLAINT_REPLY: Purpose.SERVICE,
    Kind.SURVEY: Purpose.SERVICE,
    Kind.OFFER: Purpose.MARKETING,
    Kind.CAMPAIGN: Purpose.MARKETING,
    Kind.GREETING: Purpose.MARKETING,
    Kind.EDUCATION: Purpose.MARKETING,
    Kind.NOTICE: Purpose.SERVICE,
    Kind.LOTTERY: Purpose.MARKETING,
}


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DEFERRED = "deferred", _("Deferred")
    # Claimed by a sender (between the claim and the provider's answer). A row found here when a
    # run starts was left by a sender that died: it is sent again under the same idempotency key.
    SENDING = "sending", _("Sending")
    SUPPRESSED = "suppressed", _("Suppressed")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


DUE = (Status.QUEUED, Status.DEFERRED)
# Handed to a provider: these count for the frequency cap and de-duplication.
HANDED_OVER = (Status.SENDING, Status.SENT, Status.DELIVERED)


class Reason(models.TextChoices):
    """Why a message was suppressed, deferred or failed."""

    NO_CONSENT = "no_consent", _("No consent")
    OPTED_OUT = "opted_out", _("Opted out")
    QUIET_HOURS = "quiet_hours", _("Quiet hours")
    FREQUENCY_CAP = "frequency_cap", _("Frequency cap")
    DUPLICATE = "duplicate", _("Duplicate")
    EXPIRED = "expired", _("Expired")
    NO_ADDRESS = "no_address", _("No address")
    BOUNCING = "bouncing", _("Address bounced")
    RETRY = "retry", _("Temporary failure, will retry")
    PERMANENT = "permanent", _("Refused by the provider")
    GAVE_UP = "gave_up", _("Too many attempts")


# The reasons a message is suppressed, as `messages send --json` always prints them, in this order.
SUPPRESSION_REASONS = (
    Reason.NO_CONSENT,
    Reason.OPTED_OUT,
    Reason.QUIET_HOURS,
    Reason.FREQUENCY_CAP,
    Reason.DUPLICATE,
    Reason.EXPIRED,
    Reason.NO_ADDRESS,
    Reason.BOUNCING,
)


def _token() -> str:
    return secrets.token_urlsafe(24)


class Language(models.TextChoices):
    ZH = "zh", _("Chinese")
    EN = "en", _("English")


class Message(models.Model):
    """One message to one customer on one channel: what was said, when, and what became of it."""

    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("customer"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    template = models.CharField(_("template"), max_length=64)
    template_version = models.PositiveIntegerField(_("template version"), default=1)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # Rendered text; account, card, ID and mobile numbers in it are masked when queued.
    body = models.TextField(_("text"))
    # A statement's figures for the HTML part's table (the text part says the same in lines): a list of
    # {"caption": product and masked number, "rows": [[date, description, amount, balance], …]}, as text.
    table = models.JSONField(_("table"), default=list, blank=True)
    # The language the text is written in (the template's: Chinese when the customer's has none), so
    # a page in the other language marks it as such.
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ZH)
    scheduled_at = models.DateTimeField(_("scheduled"))
    # Not sent after this time (a reminder for a date that has passed): suppressed as expired instead.
    not_after = models.DateTimeField(_("not after"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When a sender should next look at it (scheduled time, end of quiet hours, back-off).
    next_attempt_at = models.DateTimeField(_("next attempt"))
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True, db_index=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    unsubscribe_token = models.CharField(max_length=48, unique=True, default=_token, editable=False)
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The sender's claim: due rows by time, without reading what was sent long ago.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="message_due",
                condition=Q(status__in=["queued", "deferred", "sending"]),
            ),
            models.Index(fields=["customer", "sent_at"], name="message_customer_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.template} → {self.customer_id} ({self.status})"


class ConsentField(models.TextChoices):
    """A consent flag of `customers.Customer`, by the name of its field."""

    SMS = "consent_sms", _("SMS consent")
    EMAIL = "consent_email", _("e-mail consent")
    PUSH = "consent_push", _("app push consent")
    PHONE = "consent_phone", _("phone consent")
    MARKETING = "consent_marketing", _("marketing consent")


CHANNEL_CONSENT: dict[str, str] = {
    Channel.EMAIL: ConsentField.EMAIL,
    Channel.SMS: ConsentField.SMS,
    Channel.PUSH: ConsentField.PUSH,
}


class ConsentSource(models.TextChoices):
    SMS_REPLY = "sms_reply", _("SMS reply")
    UNSUBSCRIBE_PAGE = "unsubscribe_page", _("Unsubscribe page")
    STAFF = "staff", _("Staff")
    IMPORT = "import", _("Import")


class ConsentChange(models.Model):
    """One change of one consent flag: the PIPL record of who withdrew or gave what, when and how.

    The latest change of a flag also decides at sending time: a withdrawal recorded here holds even
    when a later extract still says yes (docs/messaging.md, "Opt-out and the next import")."""

    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.PROTECT,
        related_name="consent_changes",
        verbose_name=_("customer"),
    )
    field = models.CharField(_("consent"), max_length=24, choices=ConsentField.choices)
    prior = models.BooleanField(_("before"))
    value = models.BooleanField(_("after"))
    source = models.CharField(_("source"), max_length=24, choices=ConsentSource.choices)
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("message")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        indexes = [models.Index(fields=["customer", "field", "at"], name="consent_change_latest")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.field} {self.prior}→{self.value} ({self.source})"


class MessageTemplate(models.Model):
    """A text the bank sends, per kind, channel and language; its words live in `TemplateVersion`s.

    Only an approved version is ever sent (maker–checker: the approver is never the maker), so a
    text that states a rate or a promise has been read by a second person before any customer sees it."""

    code = models.CharField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code", "channel", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "channel", "language"], name="message_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.channel} {self.language}"


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TemplateVersion(models.Model):
    """One wording of a template: made by one person (maker), approved or rejected by another (checker)."""

    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=10, choices=VersionState.choices, default=VersionState.DRAFT)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("drafted"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number} ({self.state})"


class Bounce(models.Model):
    """An address that bounced for good: later messages to it are suppressed (`bouncing`) until the
    customer's address changes. The address is kept only as its blind index, never in clear."""

    customer = models.ForeignKey(
        Customer, to_field="customer_no", db_column="customer_no", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address_bidx = models.CharField(max_length=32)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("bounced at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel", "address_bidx"], name="bounce_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel} bounced"


class CustomerLanguage(models.Model):
    """The language a customer reads the bank's messages in, when it is not Chinese (the default).

    Kept from the customers extract's optional `language` column (core banking records it when the
    customer states it at account opening or at the counter); a row exists only for the customers
    who prefer another language (`services.languages_import`), so a bank whose extract lacks the
    column has none and writes to everyone in Chinese."""

    customer = models.OneToOneField(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.CASCADE,
        related_name="message_language",
        verbose_name=_("customer"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    updated_on = models.DateField(_("last business date updated"))

    class Meta:
        verbose_name = _("customer language")
        verbose_name_plural = _("customer languages")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.language}"
