"""Running the nightly command the way a user does and reading what it wrote."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pyarrow as pa
from django.core.management import call_command

from tenure.analytics import store


def nightly(*args: str) -> dict:
    """`tenure nightly --json [args]`; returns the parsed summary line."""
    out = StringIO()
    call_command("nightly", "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def output_rows(step: str, day: dt.date) -> dict[str, dict]:
    """A step's Parquet output as {customer_no: row}."""
    table: pa.Table = store.read_output(step, day)
    return {row["customer_no"]: row for row in table.to_pylist()}
