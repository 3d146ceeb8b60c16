"""The one stored setting of the queues page: the target wait, versioned like every rule set.

Tickets themselves live in the lake (`queue_tickets`, docs/data-formats.md); nothing per ticket is
kept in the operational database.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tenure.core.models import VersionedRules


class QueueTargetRules(VersionedRules):
    """One immutable version of the target wait (minutes) that "served within target" counts against."""

    class Meta(VersionedRules.Meta):
        verbose_name = _("target waiting time")
