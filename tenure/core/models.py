"""Shared records: the append-only audit log, the business-day calendar, versioned rule sets."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit entries cannot be changed or deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are append-only")

    def delete(self):
        raise AppendOnlyError("audit entries are append-only")


class AuditEntry(models.Model):
    """Who did what to which object, when and why. Written inside the acting transaction."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150, help_text="username or 'system'")
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    customer_no = models.CharField(_("customer"), max_length=32, blank=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only")


class Holiday(models.Model):
    """A day of the Chinese working calendar: a holiday, or a weekend day made a working day.

    Seeded from `chinesecalendar` (which knows years up to 2026); editable for later years.
    """

    day = models.DateField(_("day"), unique=True)
    name = models.CharField(_("name"), max_length=64, blank=True)
    is_working_day = models.BooleanField(_("working day"), default=False)

    class Meta:
        ordering = ["day"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class VersionedRules(models.Model):
    """One immutable version of a rule set (JSON): who saved it, when and why. The newest is in force."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    rules = models.JSONField(_("rules"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def why(self) -> str:
        """The reason as pages show it: version 1 is the built-in rule set (its stored note, from
        before this property, may be an internal word such as "defaults")."""
        if self.version == 1 and self.created_by_id is None:
            return str(_("Built-in rules"))
        return self.note


class RateWindow(models.Model):
    """Requests counted under one key (a scope and a hashed IP) since the window began, in the
    database so that every server process counts together (tenure.core.http.over_rate_limit)."""

    key = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.key} {self.count}"
