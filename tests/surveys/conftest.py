"""Fixtures for the survey tests: the tiny bank, shipped templates and helpers to issue and answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import bank, lake, login, served_lake  # noqa: F401


@pytest.fixture
def templates(db):
    from tenure.surveys.catalog import templates_install

    templates_install()


def customer_value(customer, *, tier: str = "standard", level: str = "ordinary"):
    """A minimal nightly result row, enough for tier filters and key-customer checks."""
    from tenure.analytics.models import CustomerValue

    return CustomerValue.objects.create(
        customer=customer,
        config_version=1,
        branch_code=customer.branch_id,
        aum=Decimal("1000"),
        avg_daily_aum_3m=Decimal("1000"),
        product_count=1,
        frequency_90d=1,
        has_payroll=False,
        asset_tier=tier,
        downgrade_warning=False,
        contribution=Decimal("100"),
        contribution_rank=1,
        value_level=level,
        branch_value_level=level,
        potential_score=0.0,
        likely_tier_riser=False,
        likely_level_riser=False,
        suggestion="maintain",
        loss_making=False,
    )


def issue(survey_code: str, by, *, name: str = "W", now: dt.datetime | None = None, **rule):
    """Issue a wave of `survey_code` as `by` with a sample rule (cap 90 days, 14 days valid)."""
    from tenure.surveys.models import Survey
    from tenure.surveys.sampling import SampleRule
    from tenure.surveys.services import wave_issue

    return wave_issue(survey=Survey.objects.get(code=survey_code), by=by, name=name, rule=SampleRule(**rule), now=now)


def full_answers(survey, *, rating: int = 4, nps: int = 9) -> dict[str, object]:
    """POST data answering every question of `survey` (first option for choices)."""
    data: dict[str, object] = {}
    for q in survey.questions.all():
        if q.kind == "rating":
            data[f"q{q.pk}"] = str(rating)
        elif q.kind == "nps":
            data[f"q{q.pk}"] = str(nps)
        elif q.kind == "single":
            data[f"q{q.pk}"] = q.choices[0]["code"]
        elif q.kind == "multi":
            data[f"q{q.pk}"] = [q.choices[0]["code"], q.choices[1]["code"]]
        else:
            data[f"q{q.pk}"] = "很好"
    return data
