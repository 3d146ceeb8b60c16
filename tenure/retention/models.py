"""What staff do to keep a customer and learn from the ones who leave (docs/churn.md).

Handoffs, large-withdrawal intercepts, preferential-terms proposals, lost-customer interviews,
the retention lottery and retention campaigns with a control group. Every customer-related model
is registered with `tenure.org.scoping` (see apps.py). Money in yuan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

STAFF = settings.AUTH_USER_MODEL


class Handoff(models.Model):
    """Lobby manager → RM: "this customer in the lobby wants a loan / wealth talk" (004 consumption §3)."""

    class Topic(models.TextChoices):
        LOAN = "loan", _("Loan products")
        WEALTH = "wealth", _("Wealth planning")
        RETENTION = "retention", _("Retention talk")
        OTHER = "other", _("Other")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="handoffs")
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    from_staff = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    to_staff = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="handoffs_received")
    created_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"handoff {self.customer_id} {self.topic}"


class Intercept(models.Model):
    """A large cash-withdrawal or transfer appointment and the attempt to keep the money (004 service §2)."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Large cash withdrawal")
        TRANSFER = "transfer", _("Large transfer out")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="intercepts")
    kind = models.CharField(_("appointment"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    appointment_on = models.DateField(_("appointment date"))
    recorded_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    retained_amount = models.DecimalField(_("amount kept (yuan)"), max_digits=16, decimal_places=2, null=True)

    class Meta:
        ordering = ["appointment_on", "id"]

    def __str__(self) -> str:
        return f"intercept {self.customer_id} {self.amount}"

    @property
    def done(self) -> bool:
        return self.retained_amount is not None


class InterceptStep(models.Model):
    """One link of the chain RM → lobby manager → counter; `done_by`/`done_at` say who acted and when."""

    intercept = models.ForeignKey(Intercept, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    actor = models.CharField(max_length=8)  # rm | lobby | counter
    done_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["intercept_id", "position"]
        constraints = [models.UniqueConstraint(fields=["intercept", "position"], name="intercept_step_once")]

    def __str__(self) -> str:
        return f"{self.intercept_id}/{self.position} {self.actor}"


class Proposal(models.Model):
    """Preferential terms for a high-contribution, long-tenure customer; the branch head decides (004 §三)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="retention_proposals")
    alert = models.ForeignKey("churn.Alert", null=True, on_delete=models.SET_NULL, related_name="proposals")
    terms = models.CharField(_("proposed terms"), max_length=500)
    rate_bonus_bp = models.PositiveIntegerField(_("rate bonus (basis points)"), default=0)
    proposed_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"proposal {self.customer_id} {self.status}"


class LostInterview(models.Model):
    """Why a customer left and to whom ; feeds the churn model (docs/churn.md)."""

    class WouldReturn(models.TextChoices):
        YES = "yes", _("Yes")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("No")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="lost_interviews")
    alert = models.OneToOneField("churn.Alert", null=True, on_delete=models.SET_NULL, related_name="interview")
    reasons = models.JSONField(_("reasons"), default=list)  # reason codes of interviews.REASONS
    competitor = models.CharField(_("competitor"), max_length=64, blank=True)
    would_return = models.CharField(_("would return?"), max_length=6, choices=WouldReturn.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    branch_code = models.CharField(max_length=16, db_index=True)  # the customer's branch when they left

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"interview {self.customer_id}"


class LotteryEntry(models.Model):
    """Invited to the retention lottery after an AUM drop; eligible once AUM is back at `target_aum` (004 §一.6)."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ELIGIBLE = "eligible", _("Eligible")
        EXPIRED = "expired", _("Expired")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="lottery_entries")
    invited_on = models.DateField(_("invited on business date"))
    target_aum = models.DecimalField(_("AUM to return to (yuan)"), max_digits=18, decimal_places=2)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    checked_on = models.DateField(_("checked on"), null=True)
    aum_at_check = models.DecimalField(_("AUM when checked"), max_digits=18, decimal_places=2, null=True)

    class Meta:
        ordering = ["-invited_on", "customer_id"]
        constraints = [models.UniqueConstraint(fields=["customer", "invited_on"], name="lottery_entry_once")]

    def __str__(self) -> str:
        return f"lottery {self.customer_id} {self.invited_on}"


class LotteryDraw(models.Model):
    """One draw of the retention lottery: winners among a month's ticket holders of a branch subtree
    (the drawer's: a branch head's branch, head office the whole bank), in an order fixed by `seed`,
    which is made from the draw's id and date and kept, so anyone can draw again and get the same."""

    period = models.DateField(_("month of the tickets"))  # its first day
    branch = models.ForeignKey(
        "org.Branch",
        to_field="code",
        db_column="branch_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
    )
    prizes = models.PositiveIntegerField(_("number of prizes"))
    tickets = models.PositiveIntegerField(_("ticket holders"))
    drawn_on = models.DateField(_("drawn on"))
    seed = models.CharField(max_length=64, editable=False)
    drawn_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["period", "branch"], name="lottery_draw_once")]

    def __str__(self) -> str:
        return f"draw {self.period:%Y-%m} {self.branch_id}"


class LotteryWinner(models.Model):
    """A winning ticket of a draw, in the order drawn."""

    draw = models.ForeignKey(LotteryDraw, on_delete=models.CASCADE, related_name="winners")
    entry = models.ForeignKey(LotteryEntry, on_delete=models.PROTECT, related_name="wins")
    rank = models.PositiveIntegerField(_("order drawn"))

    class Meta:
        ordering = ["draw", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "entry"], name="lottery_winner_once"),
            models.UniqueConstraint(fields=["draw", "rank"], name="lottery_winner_rank"),
        ]

    def __str__(self) -> str:
        return f"winner {self.rank} of draw {self.draw_id}"


class Campaign(models.Model):
    """At-risk customers of a branch subtree, split at random into treated and a held-out control group."""

    class Source(models.TextChoices):
        LABELS = "labels", _("Churn labels after the horizon")
        ALERTS = "alerts", _("Alert outcomes")

    name = models.CharField(_("name"), max_length=100)
    branch = models.ForeignKey(
        "org.Branch",
        to_field="code",
        db_column="branch_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
    )
    bands = models.JSONField(_("risk bands"), default=list)
    min_probability = models.FloatField(_("minimum churn probability"), default=0)
    control_share = models.FloatField(_("control share"))
    seed = models.PositiveIntegerField(_("random seed"))
    business_date = models.DateField(_("scores of business date"))
    created_by = models.ForeignKey(STAFF, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    measured_at = models.DateTimeField(null=True)
    outcome_source = models.CharField(max_length=8, choices=Source.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.name


class CampaignMember(models.Model):
    class Group(models.TextChoices):
        TREATED = "treated", _("Treated")
        CONTROL = "control", _("Control")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=8, choices=Group.choices)
    probability = models.FloatField()
    churned = models.BooleanField(null=True)

    class Meta:
        ordering = ["campaign_id", "customer_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_member_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.customer_id} {self.group}"
