"""PostgreSQL: drop the unused LIKE twins of the bulk-imported tables' indexes (`bulk.drop_like_indexes`)."""

from django.db import migrations

from tenure.core.bulk import drop_like_indexes

TABLES = ("customers_customer", "customers_account", "customers_externalholding", "customers_merchant")


def forwards(apps, schema_editor):
    drop_like_indexes(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_refused_profiling_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
