"""Interaction notes: what colleagues learned from the customer, so nobody asks twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Interaction(models.Model):
    """One visit, call or message with a customer, as the member of staff recorded it."""

    class Channel(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone call")
        COUNTER = "counter", _("At the counter")
        MESSAGE = "message", _("Message")
        VIDEO = "video", _("Video call")
        OTHER = "other", _("Other")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="interactions")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    summary = models.CharField(_("what was said"), max_length=500)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel} {self.created_at:%Y-%m-%d}"
