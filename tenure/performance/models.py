"""Monthly scorecards of relationship managers and the service-star awards built on them.

A month's scorecard is kept at two grains (docs/performance.md):

* lines: one row per customer and month, the customer's contribution to every figure (in the
  book, AUM, new, lost, alerts due and acted on in time, planned contacts, overdue tasks,
  complaints, survey answers, accounts opened) and whom it counted for (RM, or the branch's
  unassigned pool when `rm` is empty). Kept as a Parquet file per month (`lines.py`), not in
  the DB (a million rows a month); every drill-down lists these rows, so a figure and the
  customers behind it cannot disagree.
* `Scorecard`: the sums of the lines per (month, customer's branch, RM or pool). Every page, the
  API and the roll-ups add these rows up, so an RM's, a branch's and the bank's figures add up by
  construction.

Money is yuan (decimal). Rates (on-time share, coverage, satisfaction, NPS) are never stored: they
are ratios of the stored sums, worked out where shown, so they roll up correctly too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.core.models import VersionedRules

# The additive figures, in the order pages show them: (field, label, unit). Units: "n" a count,
# "yuan" money, "hours" a duration sum, "points" a sum of 0–10 answers.
ADDITIVE = (
    "book",
    "book_previous",
    "aum",
    "aum_previous",
    "new",
    "lost",
    "retained",
    "alerts_due",
    "alerts_on_time",
    "contacts_required",
    "contacts_done",
    "tasks_due",
    "tasks_overdue",
    "complaints",
    "complaints_resolved",
    "resolve_hours",
    "survey_answers",
    "satisfaction_sum",
    "nps_answers",
    "promoters",
    "detractors",
    "products_sold",
    "offers_accepted",
)


class Figures(models.Model):
    """The additive figures of a scorecard (the sum of its customers' lines)."""

    book = models.PositiveIntegerField(_("customers in the book at month-end"), default=0)
    book_previous = models.PositiveIntegerField(_("customers in the book at the previous month-end"), default=0)
    aum = models.DecimalField(_("AUM at month-end (yuan)"), max_digits=20, decimal_places=2, default=0)
    aum_previous = models.DecimalField(
        _("AUM at the previous month-end (yuan)"), max_digits=20, decimal_places=2, default=0
    )
    new = models.PositiveIntegerField(_("new customers"), default=0)
    lost = models.PositiveIntegerField(_("customers lost"), default=0)
    retained = models.PositiveIntegerField(_("customers retained"), default=0)
    alerts_due = models.PositiveIntegerField(_("churn alerts due"), default=0)
    alerts_on_time = models.PositiveIntegerField(_("churn alerts acted on in time"), default=0)
    contacts_required = models.PositiveIntegerField(_("planned contacts"), default=0)
    contacts_done = models.PositiveIntegerField(_("planned contacts up to date"), default=0)
    tasks_due = models.PositiveIntegerField(_("tasks due"), default=0)
    tasks_overdue = models.PositiveIntegerField(_("tasks overdue"), default=0)
    complaints = models.PositiveIntegerField(_("complaints received"), default=0)
    complaints_resolved = models.PositiveIntegerField(_("complaints resolved"), default=0)
    resolve_hours = models.FloatField(_("hours to resolve, sum"), default=0)
    survey_answers = models.PositiveIntegerField(_("satisfaction answers"), default=0)
    satisfaction_sum = models.FloatField(_("satisfaction, sum of 0–10 answers"), default=0)
    nps_answers = models.PositiveIntegerField(_("recommendation answers"), default=0)
    promoters = models.PositiveIntegerField(_("promoters"), default=0)
    detractors = models.PositiveIntegerField(_("detractors"), default=0)
    products_sold = models.PositiveIntegerField(_("accounts opened"), default=0)
    offers_accepted = models.PositiveIntegerField(_("offers accepted"), default=0)

    class Meta:
        abstract = True


class Scorecard(Figures):
    """The lines of one (month, customer branch, RM or pool) added up."""

    month = models.DateField(_("month"), db_index=True)
    branch_code = models.CharField(_("branch"), max_length=16)
    rm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        to_field="employee_no",
        db_column="rm_employee_no",
        db_constraint=False,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "branch_code", "rm"], name="one_scorecard_per_branch_and_rm"),
            models.UniqueConstraint(
                fields=["month", "branch_code"], condition=models.Q(rm=None), name="one_pool_scorecard_per_branch"
            ),
        ]
        ordering = ["month", "branch_code", "rm_id"]
        verbose_name = _("scorecard")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.branch_code} {self.rm_id or 'pool'}"


class StarRules(VersionedRules):
    """One immutable version of the service-star weighting and eligibility (see `stars.py`)."""

    class Meta(VersionedRules.Meta):
        verbose_name = _("service-star rules")


class StarAward(models.Model):
    """The service star (服务明星) of one month: per branch, and bank-wide (`branch_code` empty).

    `detail` keeps what the award was decided on: every eligible candidate's inputs, percentile
    ranks and points, and the rules version, so the formula and inputs are shown beside it."""

    month = models.DateField(_("month"))
    branch_code = models.CharField(_("branch"), max_length=16, blank=True)
    winner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("service star")
    )
    score = models.FloatField(_("score"))
    rules_version = models.PositiveIntegerField(_("rules version"))
    candidates = models.PositiveIntegerField(_("eligible candidates"))
    detail = models.JSONField(_("inputs"), default=dict)
    awarded_at = models.DateTimeField(_("awarded at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "branch_code"], name="one_star_per_month_and_branch")]
        ordering = ["-month", "branch_code"]
        verbose_name = _("service-star award")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.branch_code or 'bank'} {self.winner_id}"


class CompetitorTerms(models.Model):
    """How a competitor sells one of its products (issue 26 item 4): the terms analysts collect beside
    the product itself, which stays a `customers.Product` with the competitor as issuer (the one home
    of competitor products: customers' external holdings and the retention playbooks point at it)."""

    product = models.OneToOneField(
        "customers.Product",
        on_delete=models.CASCADE,
        related_name="competitor_terms",
        verbose_name=_("product"),
        primary_key=True,
    )
    fees = models.CharField(_("fees"), max_length=300, blank=True)
    min_amount = models.DecimalField(_("minimum amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    features = models.CharField(_("service features"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("competitor terms")
        verbose_name_plural = _("competitor terms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
                name="performance_competitor_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(self.product)


class MysteryShop(models.Model):
    """One mystery-shopping visit to a competitor's branch, compared with a branch of ours."""

    visited_on = models.DateField(_("visited on"))
    competitor = models.CharField(_("competitor"), max_length=64)
    their_branch = models.CharField(_("their branch visited"), max_length=100)
    our_branch = models.ForeignKey(
        "org.Branch",
        to_field="code",
        db_column="our_branch_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("our comparable branch"),
    )
    observed = models.TextField(_("what was observed"), max_length=2000)
    score = models.DecimalField(_("score (0–10)"), max_digits=4, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("mystery-shopping note")
        verbose_name_plural = _("mystery-shopping notes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=10), name="performance_mystery_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} {self.visited_on}"
