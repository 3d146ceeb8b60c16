"""Complaints, their append-only timeline, the handling checklist and the editable root causes.

docs/complaints.md gives the six root causes of complaints and the handling steps (apologise, listen, the
who/what/when/where/why facts, reply proactively, 三变 change person/place/time); and why it
matters (1 in 25 unhappy customers complains; quick resolution wins most of them back).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenure.core.fields import EncryptedTextField
from tenure.customers.models import ProductType


class Channel(models.TextChoices):
    COUNTER = "counter", _("Counter")
    PHONE = "phone", _("Phone")
    APP = "app", _("Mobile app")
    WEB = "web", _("Web form")
    LETTER = "letter", _("Letter")
    REGULATOR = "regulator", _("Regulator referral")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING)


class RootCause(models.Model):
    """A configurable root cause; seeded with the six of docs/complaints.md, editable by administrators."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_zh = models.CharField(_("Chinese label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the current interface language."""
        return self.label_zh if (get_language() or "zh").startswith("zh") else self.label_en


class Complaint(models.Model):
    """One complaint. `branch` answers for it (the customer's branch at intake); times are aware datetimes."""

    # NULL until the row has its id (the reference contains it); NULLs never collide on the unique index.
    reference = models.CharField(_("reference"), max_length=24, unique=True, null=True, editable=False)  # noqa: DJ001
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    branch = models.ForeignKey(
        "org.Branch",
        to_field="code",
        db_column="branch_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("branch"),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    product_type = models.CharField(_("product type"), max_length=16, choices=ProductType.choices, blank=True)
    root_cause = models.ForeignKey(
        RootCause,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("root cause"),
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField(_("description"), max_length=4000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # A public complaint whose name and mobile matched no customer keeps them (mobile encrypted).
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_mobile = EncryptedTextField(_("contact mobile"), blank=True)
    contact_mobile_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("handler"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # 0 none, 1 branch head, 2 head office (service quality).
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    # docs/complaints.md: establish who, what, when, where and why before answering.
    fact_who = models.CharField(_("who"), max_length=200, blank=True)
    fact_what = models.CharField(_("what"), max_length=200, blank=True)
    fact_when = models.CharField(_("when"), max_length=200, blank=True)
    fact_where = models.CharField(_("where"), max_length=200, blank=True)
    fact_why = models.CharField(_("why"), max_length=200, blank=True)
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["status", "resolve_due_at"], name="complaint_status_due")]

    def __str__(self) -> str:
        return self.reference or f"complaint {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def facts_complete(self) -> bool:
        return all((self.fact_who, self.fact_what, self.fact_when, self.fact_where, self.fact_why))


class AppendOnlyError(Exception):
    """Timeline events cannot be changed or deleted."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("complaint events are append-only")

    def delete(self):
        raise AppendOnlyError("complaint events are append-only")


class ComplaintEvent(models.Model):
    """One line of a complaint's timeline: what happened, who did it, when, and a note."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Received")
        TRANSITION = "transition", _("Status change")
        REOPENED = "reopened", _("Reopened")
        STEP = "step", _("Handling step")
        ESCALATED = "escalated", _("Escalated")
        UPDATED = "updated", _("Details updated")
        MATCHED = "matched", _("Matched to customer")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    step = models.CharField(_("step"), max_length=16, blank=True)  # kind "step": which one
    level = models.PositiveSmallIntegerField(_("escalation level"), null=True, blank=True)  # kind "escalated"

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("complaint events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("complaint events are append-only")

    @property
    def step_label(self) -> str:
        return str(dict(Step.choices).get(self.step, self.step))


class Step(models.TextChoices):
    """The handling steps of docs/complaints.md; the three 三变 steps are recorded only when used."""

    APOLOGISE = "apologise", _("Apologised first, no argument")
    LISTEN = "listen", _("Listened calmly to the whole complaint")
    FACTS = "facts", _("Established who, what, when, where and why")
    REPLY = "reply", _("Replied proactively with the outcome")
    CHANGE_PERSON = "change_person", _("Three changes: another person takes over")
    CHANGE_PLACE = "change_place", _("Three changes: moved to another place")
    CHANGE_TIME = "change_time", _("Three changes: continued at another time")
    FOLLOW_UP = "follow_up", _("Follow-up: satisfaction checked")


CHECKLIST = (Step.APOLOGISE, Step.LISTEN, Step.FACTS, Step.REPLY, Step.FOLLOW_UP)
THREE_CHANGES = (Step.CHANGE_PERSON, Step.CHANGE_PLACE, Step.CHANGE_TIME)


class ComplaintStep(models.Model):
    """A handling step done for a complaint; the follow-up step carries a 1–5 satisfaction rating."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    done_at = models.DateTimeField(_("done"), default=timezone.now)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(_("note"), max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "step"], name="complaint_step_once"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="complaint_step_rating_1_5",
            ),
        ]
        verbose_name = _("handling step")
        verbose_name_plural = _("handling steps")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.step}"
