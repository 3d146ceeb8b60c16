"""Customer greetings to plan: birthdays (solar, or lunar for customers who keep theirs by the lunar
calendar), the anniversary of their first day with the bank, and the festivals (docs/greetings.md).

Greetings are marketing (PIPL: a purpose the customer accepts separately), so only customers with
marketing consent and at least one channel that may carry it (SMS, e-mail or app push) are greeted,
and no customer gets more than one greeting per `cap_days`: a birthday first, then the bank
anniversary, then festivals, each kept only when no greeting already kept is within the cap.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tenure.core.festivals import anniversaries_between, festivals_between

CAP_DAYS = 7


class Kind(models.TextChoices):
    """In the order a greeting is kept when two fall within the cap."""

    BIRTHDAY = "birthday", _("Birthday")
    LUNAR_BIRTHDAY = "lunar_birthday", _("Lunar birthday")
    ANNIVERSARY = "anniversary", _("Anniversary with the bank")
    FESTIVAL = "festival", _("Festival")


class Festival(models.TextChoices):
    NEW_YEAR = "new_year", _("New Year's Day")
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    LANTERN = "lantern", _("Lantern Festival")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    DOUBLE_NINTH = "double_ninth", _("Double Ninth Festival")
    NATIONAL_DAY = "national_day", _("National Day")


@dataclass(frozen=True)
class Greeting:
    customer: str  # customer number
    date: dt.date
    kind: str
    festival: str = ""


def greetable(customers: QuerySet) -> QuerySet:
    """Customers who may be greeted: marketing consent and a channel that may carry it."""
    return customers.filter(consent_marketing=True).filter(
        Q(consent_sms=True) | Q(consent_email=True) | Q(consent_push=True)
    )


def greetings_between(
    customers: QuerySet, start: dt.date, end: dt.date, *, cap_days: int = CAP_DAYS
) -> Iterator[Greeting]:
    """The greetings of `customers` from `start` to `end` inclusive, customer by customer, by date."""
    festivals = festivals_between(start, end)
    rows = (
        greetable(customers)
        .order_by("customer_no")
        .values_list("customer_no", "birth_date", "lunar_birthday", "onboarded_on")
        .iterator(chunk_size=5000)
    )
    for number, birth, lunar, onboarded in rows:
        candidates: list[Greeting] = []
        if birth is not None:
            kind = Kind.LUNAR_BIRTHDAY if lunar else Kind.BIRTHDAY
            candidates += [Greeting(number, on, kind) for on in anniversaries_between(birth, start, end, lunar=lunar)]
        candidates += [Greeting(number, on, Kind.ANNIVERSARY) for on in anniversaries_between(onboarded, start, end)]
        candidates += [Greeting(number, on, Kind.FESTIVAL, code) for code, on in festivals]
        yield from _capped(candidates, cap_days)


def _capped(candidates: list[Greeting], cap_days: int) -> list[Greeting]:
    kept: list[Greeting] = []
    for greeting in candidates:  # already in the order of keeping
        if all(abs((greeting.date - other.date).days) >= cap_days for other in kept):
            kept.append(greeting)
    return sorted(kept, key=lambda g: (g.date, g.kind))


def greeting_plan(customers: QuerySet, start: dt.date, end: dt.date, *, cap_days: int = CAP_DAYS) -> dict:
    """The festivals in the range and the number of greetings by kind (every kind, zeros included)."""
    counts = Counter(g.kind for g in greetings_between(customers, start, end, cap_days=cap_days))
    return {
        "festivals": [{"festival": code, "date": on.isoformat()} for code, on in festivals_between(start, end)],
        "greetings": {kind: counts.get(kind, 0) for kind in Kind.values},
    }
