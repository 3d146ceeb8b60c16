"""Scorecard lines move from the DB to one Parquet file per month (`performance/lines.py`): the
months already stored are written out as files first, then the table is dropped."""

from django.db import migrations

FIGURES = (
    "book", "book_previous", "aum", "aum_previous", "new", "lost", "retained", "alerts_due", "alerts_on_time",
    "contacts_required", "contacts_done", "tasks_due", "tasks_overdue", "complaints", "complaints_resolved",
    "resolve_hours", "survey_answers", "satisfaction_sum", "nps_answers", "promoters", "detractors",
    "products_sold", "offers_accepted",
)  # fmt: skip


def lines_to_parquet(apps, schema_editor) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tenure import lake

    line = apps.get_model("performance", "ScorecardLine")
    for month in line.objects.order_by("month").values_list("month", flat=True).distinct():
        rows = line.objects.filter(month=month).order_by("customer_id")
        columns = ("customer_id", "branch_code", "rm_id", *FIGURES)
        values = list(zip(*rows.values_list(*columns), strict=True))
        table = pa.table({"customer_no": values[0], "branch_code": values[1], "rm": values[2]})
        for name, column in zip(FIGURES, values[3:], strict=True):
            kind = pa.decimal128(20, 2) if name.startswith("aum") else None
            table = table.append_column(name, pa.array(column, kind))
        path = lake.output_path("scorecard_lines", month)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="zstd")


class Migration(migrations.Migration):
    dependencies = [("performance", "0003_competitor_terms_and_mystery_shops")]

    operations = [
        migrations.RunPython(lines_to_parquet, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="ScorecardLine"),
    ]
