"""Relationship maintenance: the contact plan per tier (versioned rules), the RM's tasks and the
dedicated teams of key customers.

A task is one piece of RM work with an owner, a due date, a priority and a link back to where it
came from (a plan contact, an interaction's follow-up, a churn alert, a complaint, a survey, a
lobby handoff, a maturity, a greeting). Tasks are made by `tenure daily` (engagement.tasks) and
are unique by `key`, so generating twice for one business date creates nothing new.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.core.models import VersionedRules


class ContactPlanRules(VersionedRules):
    """How often each tier and pyramid layer is contacted, by which kind of contact (docs/workbench.md)."""

    class Meta(VersionedRules.Meta):
        verbose_name = _("contact plan")


class Source(models.TextChoices):
    """Where a task comes from; the order is the order of the workbench's filter."""

    PLAN_VISIT = "plan_visit", _("Planned visit")
    PLAN_CALL = "plan_call", _("Planned call")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CHURN_ALERT = "churn_alert", _("Churn alert")
    COMPLAINT = "complaint", _("Complaint follow-up")
    CALLBACK = "callback", _("Satisfaction callback")
    DETRACTOR = "detractor", _("Unhappy survey comment")
    HANDOFF = "handoff", _("Lobby handoff")
    MATURITY = "maturity", _("Product maturity")
    COMPETITOR_MATURITY = "competitor_maturity", _("Competitor product maturity")
    GREETING = "greeting", _("Greeting")
    LONG_WAIT = "long_wait", _("Long wait in the branch")
    CAMPAIGN = "campaign", _("Retention campaign contact")
    OFFER_FOLLOW_UP = "offer_follow_up", _("Offer follow-up")
    OFFER_CAMPAIGN = "offer_campaign", _("Offer campaign contact")
    OWN = "own", _("Own task")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CLOSED_AT_SOURCE = "closed_at_source", _("Closed where it came from")


class Task(models.Model):
    """One piece of RM work. `key` names the source record (and the due date for plan contacts)."""

    key = models.CharField(max_length=120, unique=True)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices, db_index=True)
    source_id = models.CharField(max_length=40, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("customer"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("owner"),
    )
    # Free text staff wrote (a follow-up's next step, an own task); the other lines are worked out from
    # `params` in the reader's language when shown (engagement.display.task_summary).
    title = models.CharField(_("task"), max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    due_on = models.DateField(_("due"), db_index=True)
    priority = models.PositiveIntegerField(_("priority"), default=0)
    value_at_risk = models.DecimalField(_("value at risk (yuan)"), max_digits=18, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_on = models.DateField(_("business date created"))
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_tasks",
        verbose_name=_("escalated to"),
    )
    escalated_on = models.DateField(_("escalated"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "contacts.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )

    class Meta:
        ordering = ["due_on", "-priority", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="task_owner_status_due")]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.source} {self.customer_id} {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class TeamRole(models.TextChoices):
    WEALTH = "wealth", _("Wealth specialist")
    LOANS = "loans", _("Loan specialist")
    INSURANCE = "insurance", _("Insurance specialist")
    SERVICE = "service", _("Service manager")
    OTHER = "other", _("Colleague")


class TeamMember(models.Model):
    """A named colleague in a key customer's dedicated team, beside their RM and branch head."""

    customer = models.ForeignKey(
        "customers.Customer", to_field="customer_no", db_column="customer_no", on_delete=models.CASCADE,
        related_name="team_members",
    )  # fmt: skip
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("colleague")
    )
    role = models.CharField(_("role in the team"), max_length=12, choices=TeamRole.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["customer", "staff"], name="team_member_once")]
        verbose_name = _("team member")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.staff_id} {self.role}"
