from __future__ import annotations

from django.db.models import QuerySet

from tenure.contacts.models import Interaction
from tenure.org.scoping import scoped


def interactions_for(*, user, customer) -> QuerySet:
    """The customer's interactions, newest first, through the scoping layer."""
    return scoped(Interaction.objects.filter(customer=customer), user).select_related("staff")
