"""What the daily run did: one row per run, so the administration console can show it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DailyRun(models.Model):
    """One `tenure daily` run (`tenure.ops.daily.daily_run`).

    `steps` lists each finished step as {"name": …, "seconds": …, "summary": …} in run order (a list:
    PostgreSQL's JSONB does not keep an object's key order), saved after every step, so a run killed
    half-way keeps what it did and stays "running" with its start time."""

    class Status(models.TextChoices):
        RUNNING = "running", pgettext_lazy("run status", "Running")
        DONE = "done", pgettext_lazy("run status", "Done")
        FAILED = "failed", pgettext_lazy("run status", "Failed")

    business_date = models.DateField(_("business date"), db_index=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    steps = models.JSONField(_("steps"), default=list)
    failed_step = models.CharField(_("failed step"), max_length=32, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")

    def __str__(self) -> str:
        return f"{self.business_date} {self.status}"

    @property
    def seconds(self) -> float | None:
        """Wall-clock duration of a finished run."""
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)
