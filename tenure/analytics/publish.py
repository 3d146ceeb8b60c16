"""Publishing step outputs to the operational DB: tier events and each customer's current values.

Only rows that differ from what the DB holds are written. For `CustomerValue` the comparison
is against the output the DB was last published from (a hard-linked Parquet baseline named by
its digest), so a new date upserts only the customers whose values changed and the DB never
has to be read back. An older date than the one published is written to Parquet only.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from django.db import transaction

from tenure import lake
from tenure.analytics.config import Config
from tenure.analytics.models import CustomerValue, NightlyRun, TierEvent

# Day counts (tenure, recency) change every day; pages derive them from the dates kept here.
VALUE_FEATURES = (
    "aum",
    "aum_change_1m",
    "avg_daily_aum_3m",
    "product_count",
    "last_transaction_on",
    "frequency_90d",
    "has_payroll",
    "next_competitor_maturity",
)
EVENT_COLUMNS = ["customer_no", "business_date", "from_tier", "to_tier", "direction", "tier_basis", "config_version"]


def customer_values(
    features: ir.Table, tiers: ir.Table, pyramid: ir.Table, potential: ir.Table, config: Config
) -> ir.Table:
    """The `CustomerValue` columns, one row per customer."""
    j = (
        features.select("customer_no", "branch_code", *VALUE_FEATURES)
        .join(tiers.select("customer_no", "asset_tier", "previous_tier", "downgrade_warning"), "customer_no")
        .join(
            pyramid.select("customer_no", "contribution", "contribution_rank", "value_level", "branch_value_level"),
            "customer_no",
        )
        .join(
            potential.select(
                "customer_no", "potential_score", "likely_tier_riser", "likely_level_riser", "suggestion", "loss_making"
            ),
            "customer_no",
        )
    )
    return j.mutate(
        previous_tier=j.previous_tier.coalesce(""),
        config_version=ibis.literal(config.version, type="int64"),
    )


def publish_tier_events(ctx, table: pa.Table) -> dict[str, int]:
    """Replace the `TierEvent` rows of the date when they differ; returns {"db_tier_events": rows changed}."""
    changed = table.filter(table["tier_change"].is_valid())
    new = pa.table(
        {
            "customer_no": changed["customer_no"],
            "business_date": pa.array([ctx.day] * changed.num_rows, pa.date32()),
            "from_tier": changed["previous_tier"],
            "to_tier": changed["asset_tier"],
            "direction": changed["tier_change"],
            "tier_basis": changed["tier_basis"],
            "config_version": changed["config_version"],
        }
    )
    old_rows = TierEvent.objects.filter(business_date=ctx.day).values_list(
        "customer_id", "business_date", "from_tier", "to_tier", "direction", "tier_basis", "config_version"
    )
    old = pa.Table.from_pylist([dict(zip(EVENT_COLUMNS, r, strict=True)) for r in old_rows], schema=new.schema)
    con = lake.ibis_duckdb()
    a, b = con.create_table("a", new), con.create_table("b", old)
    difference = a.difference(b).count().execute() + b.difference(a).count().execute()
    if difference:
        TierEvent.objects.filter(business_date=ctx.day).delete()
        lake.upsert(TierEvent._meta.db_table, ("customer_no", "business_date"), new)
    return {"db_tier_events": int(difference)}


def publish_customer_values(ctx, table: pa.Table) -> dict[str, int]:
    """Upsert the customers whose values changed since the published baseline."""
    latest = NightlyRun.objects.filter(step="customer_values", published=True).order_by("-business_date").first()
    if latest is not None and latest.business_date > ctx.day:
        return {"db_customer_values": 0}
    baseline = lake.published_path("customer_values", latest.output_digest) if latest else None
    rows = lake.changed_rows(table, baseline, table.column_names)
    # Most rows change on a first run or after a rules change (every row's config version does).
    written = lake.upsert(
        CustomerValue._meta.db_table, ("customer_no",), rows, most_rows=rows.num_rows * 2 > table.num_rows
    )
    new_digest = ctx.digests["customer_values"]  # the step's output digest, hashed once
    lake.publish_baseline("customer_values", ctx.day, new_digest)
    NightlyRun.objects.filter(step="customer_values", published=True).update(published=False)
    NightlyRun.objects.filter(step="customer_values", business_date=ctx.day).update(published=True)
    # Remove stale baselines only once this transaction committed.
    transaction.on_commit(lambda: lake.prune_baselines("customer_values", new_digest))
    return {"db_customer_values": written}
