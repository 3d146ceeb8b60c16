"""DuckDB and Spark give the same outputs (same digest) on the same lake."""

import shutil

import pytest

from tenure.analytics import store
from tenure.analytics.engine import engine_available
from tenure.analytics.models import NightlyRun
from tests.analytics.helpers import nightly

# The Spark run is engine parity, not database behaviour: `make test` runs it on SQLite only.
pytestmark = [pytest.mark.django_db, pytest.mark.spark]

SPARK_MISSING = engine_available("spark")


@pytest.mark.skipif(bool(SPARK_MISSING), reason=f"Spark parity skipped: {SPARK_MISSING}")
def test_duckdb_and_spark_outputs_have_the_same_digest(bank):
    duck = nightly("--engine", "duckdb")
    by_step = dict(NightlyRun.objects.values_list("step", "output_digest"))
    NightlyRun.objects.all().delete()
    shutil.rmtree(store.analytics_dir())  # nothing to reuse: Spark computes every output
    spark = nightly("--engine", "spark")
    assert dict(NightlyRun.objects.values_list("step", "output_digest")) == by_step
    assert spark["digest"] == duck["digest"]
    assert spark["tiers"] == duck["tiers"] and spark["pyramid"] == duck["pyramid"]
