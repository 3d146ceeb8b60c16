"""PostgreSQL: drop the unused LIKE twins of the nightly's published tables' indexes (`bulk.drop_like_indexes`)."""

from django.db import migrations

from tenure.core.bulk import drop_like_indexes

TABLES = ("analytics_customervalue", "analytics_tierevent")


def forwards(apps, schema_editor):
    drop_like_indexes(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
