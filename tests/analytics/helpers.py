"""Running the nightly command the way a user does and reading what it wrote; published values made by hand."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pyarrow as pa
from django.core.management import call_command

from tenure import lake
from tenure.analytics.models import CustomerValue, NightlyRun


def nightly(*args: str) -> dict:
    """`tenure nightly --json [args]`; returns the parsed summary line."""
    out = StringIO()
    call_command("nightly", "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def output_rows(step: str, day: dt.date) -> dict[str, dict]:
    """A step's Parquet output as {customer_no: row}."""
    table: pa.Table = lake.read_output(step, day)
    return {row["customer_no"]: row for row in table.to_pylist()}


def customer_value(customer_no: str, branch: str, **fields) -> CustomerValue:
    """A published `CustomerValue` row: a standard-tier small customer without potential, unless `fields` say so."""
    row = {
        "config_version": 1,
        "branch_code": branch,
        "aum": Decimal("0"),
        "avg_daily_aum_3m": Decimal("0"),
        "product_count": 1,
        "frequency_90d": 0,
        "has_payroll": False,
        "asset_tier": "standard",
        "previous_tier": "",
        "downgrade_warning": False,
        "contribution": Decimal("0"),
        "contribution_rank": 1,
        "value_level": "small",
        "branch_value_level": "small",
        "potential_score": 0.0,
        "likely_tier_riser": False,
        "likely_level_riser": False,
        "suggestion": "cheaper_channel",
        "loss_making": False,
    }
    return CustomerValue.objects.create(customer_id=customer_no, **(row | fields))


def published_run(day: dt.date, **detail_by_step: dict) -> None:
    """The `NightlyRun` rows saying `CustomerValue` reflects `day`, plus done steps with the given details."""
    common = {"run_key": "k", "config_version": 1, "engine": "duckdb", "status": NightlyRun.Status.DONE}
    NightlyRun.objects.create(business_date=day, step="customer_values", published=True, **common)
    for step, detail in detail_by_step.items():
        NightlyRun.objects.create(business_date=day, step=step, detail=detail, **common)
