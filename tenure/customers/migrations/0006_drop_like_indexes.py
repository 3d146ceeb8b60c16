"""PostgreSQL: drop the unused LIKE twins of the bulk-imported tables' indexes (`bulk.drop_like_indexes`)."""

from django.db import migrations

from tenure.core.bulk import drop_like_indexes_operation

TABLES = ("customers_customer", "customers_account", "customers_externalholding", "customers_merchant")


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_refused_profiling_index")]

    operations = [drop_like_indexes_operation(TABLES)]
