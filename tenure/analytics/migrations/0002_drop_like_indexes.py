"""PostgreSQL: drop the unused LIKE twins of the nightly's published tables' indexes (`bulk.drop_like_indexes`)."""

from django.db import migrations

from tenure.core.bulk import drop_like_indexes_operation

TABLES = ("analytics_customervalue", "analytics_tierevent")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [drop_like_indexes_operation(TABLES)]
