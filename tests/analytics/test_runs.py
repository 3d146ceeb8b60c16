"""The runner: default date, idempotence, crash and resume, only changed rows published, the
worker thread and the partitions a run reads."""

import dataclasses
import datetime as dt
import threading
import time

import pytest
from django.core.management import CommandError

from tenure.analytics import steps
from tenure.analytics.models import CustomerValue, NightlyRun, TierEvent
from tenure.lake import analytics_dir, current_partitions, output_path, pinned_partitions
from tests.analytics.bank import D3, D4, write_table
from tests.analytics.helpers import nightly

pytestmark = pytest.mark.django_db


def test_nothing_imported_is_a_clear_error(lake):
    with pytest.raises(CommandError, match="nothing imported"):
        nightly()


def test_default_date_is_the_latest_imported_and_summary_keys(bank):
    summary = nightly()
    assert summary["business_date"] == "2025-04-30"
    assert {"business_date", "written", "tiers", "pyramid", "digest", "seconds"} <= set(summary)
    assert set(summary["seconds"]) == set(steps.STEP_NAMES)
    assert summary["written"]["db_customer_values"] == 7
    assert CustomerValue.objects.count() == 7


def test_second_run_writes_nothing(bank):
    first = nightly()
    runs = {r.step: r.updated_at for r in NightlyRun.objects.all()}
    second = nightly()
    assert set(second["written"].values()) == {0}
    assert second["digest"] == first["digest"]
    assert {r.step: r.updated_at for r in NightlyRun.objects.all()} == runs


def _failing(step_name: str, where: str):
    def boom(*args, **kwargs):
        raise RuntimeError(f"killed in {step_name}")

    return tuple(dataclasses.replace(s, **{where: boom}) if s.name == step_name else s for s in steps.STEPS)


@pytest.mark.parametrize(("step_name", "where"), [("pyramid", "build"), ("customer_values", "publish")])
def test_a_crash_between_steps_resumes_to_the_same_digest(bank, monkeypatch, step_name, where):
    clean = nightly()["digest"]
    NightlyRun.objects.all().delete()
    CustomerValue.objects.all().delete()
    TierEvent.objects.all().delete()
    for path in analytics_dir().glob("*/business_date=*"):
        for f in path.iterdir():
            f.unlink()
        path.rmdir()

    with monkeypatch.context() as patched:
        patched.setattr(steps, "STEPS", _failing(step_name, where))
        with pytest.raises(RuntimeError, match="killed"):
            nightly()
    failed = NightlyRun.objects.get(step=step_name)
    assert failed.status == NightlyRun.Status.FAILED and "killed" in failed.error
    assert NightlyRun.objects.get(step="features").status == NightlyRun.Status.DONE
    # A failed publish leaves nothing half-written in the DB.
    assert CustomerValue.objects.count() == 0

    resumed = nightly()
    assert resumed["digest"] == clean
    assert resumed["written"]["features"] == 0  # done before the crash: skipped
    assert resumed["written"]["db_customer_values"] == 7
    assert CustomerValue.objects.count() == 7


def _recording_threads(threads: dict[str, str]):
    """STEPS whose builds record the thread they run on."""

    def recording(step):
        def build(ctx):
            threads[step.name] = threading.current_thread().name
            return step.build(ctx)

        return dataclasses.replace(step, build=build)

    return tuple(recording(s) for s in steps.STEPS)


def test_steps_computed_on_the_worker_while_one_publishes_give_the_same_outputs(bank, monkeypatch):
    threads: dict[str, str] = {}
    monkeypatch.setattr(steps, "STEPS", _recording_threads(threads))
    ahead = nightly("--date", D4.isoformat())
    # pyramid while tiers publish; activity and clv (which needs activity) while customer_values does.
    on_worker = {name for name, thread in threads.items() if thread.startswith("nightly")}
    assert on_worker == {"pyramid", "activity", "clv"}

    NightlyRun.objects.all().delete()
    for path in analytics_dir().glob("*/business_date=*/*"):
        path.unlink()
    monkeypatch.setattr(steps, "_compute_ahead", lambda *args: None)  # every step in turn, on this thread
    threads.clear()
    in_turn = nightly("--date", D4.isoformat())
    assert set(threads.values()) == {threading.current_thread().name}
    assert in_turn["digest"] == ahead["digest"]


def test_a_crash_on_the_worker_fails_that_step_and_the_rerun_resumes(bank, monkeypatch):
    clean = nightly()["digest"]
    NightlyRun.objects.all().delete()
    for path in analytics_dir().glob("activity/business_date=*/*"):
        path.unlink()
    with monkeypatch.context() as patched:
        patched.setattr(steps, "STEPS", _failing("activity", "build"))
        with pytest.raises(RuntimeError, match="killed in activity"):
            nightly()
    assert NightlyRun.objects.get(step="activity").status == NightlyRun.Status.FAILED
    assert NightlyRun.objects.get(step="customer_values").status == NightlyRun.Status.DONE
    assert not NightlyRun.objects.filter(step="clv").exists()
    resumed = nightly()
    assert resumed["digest"] == clean
    assert resumed["written"]["customer_values"] == 0 and resumed["written"]["activity"] == 7


def test_a_failed_publish_does_not_start_the_steps_queued_on_the_worker(bank, monkeypatch):
    activity_started = threading.Event()

    def patch(step):
        if step.name == "activity":  # running on the worker until the failed run shuts the worker down

            def build(ctx):
                activity_started.set()
                deadline = time.monotonic() + 30
                while not ctx.worker._shutdown and time.monotonic() < deadline:
                    time.sleep(0.01)
                return step.build(ctx)

            return dataclasses.replace(step, build=build)
        if step.name == "customer_values":

            def publish(ctx, table):
                activity_started.wait(timeout=30)
                raise RuntimeError("killed in customer_values")

            return dataclasses.replace(step, publish=publish)
        return step

    monkeypatch.setattr(steps, "STEPS", tuple(patch(s) for s in steps.STEPS))
    with pytest.raises(RuntimeError, match="killed"):
        nightly()
    assert output_path("activity", D4).exists()  # it was running: it finished
    assert not output_path("clv", D4).exists()  # it was queued: never started


def test_the_clv_detail_is_the_same_whether_its_output_was_computed_or_reused(bank):
    nightly("--date", D4.isoformat())
    computed = NightlyRun.objects.get(step="clv").detail
    assert {"fit_date", "holdout"} <= set(computed)
    NightlyRun.objects.all().delete()  # the outputs stay on disk: every step reuses its file
    nightly("--date", D4.isoformat())
    assert NightlyRun.objects.get(step="clv").detail == computed


def test_a_run_reads_the_partitions_committed_when_it_started(bank):
    before = current_partitions("transactions")
    later = dt.date(2025, 5, 31)
    with pinned_partitions(["transactions"]):
        write_table("transactions", later, [])
        assert current_partitions("transactions") == before
    assert current_partitions("transactions")[-1].parent.name == f"business_date={later.isoformat()}"


def test_the_input_digest_names_the_pinned_partitions(bank):
    earlier = steps.input_digest(D3)
    with pinned_partitions(steps.INPUT_TABLES):
        pinned = steps.input_digest(D4)
        write_table("transactions", D4, [])  # an import of D4 commits during the run
        assert steps.input_digest(D4) == pinned
    assert steps.input_digest(D4) != pinned
    assert steps.input_digest(D3) == earlier  # a later date's file is not an input of D3


def test_a_new_date_publishes_only_changed_customers(bank):
    nightly("--date", D3.isoformat())
    assert CustomerValue.objects.count() == 6  # C5 arrives in April
    summary = nightly("--date", D4.isoformat())
    # C7 (same balances, no transactions) ranks 7th instead of 6th; every row changed but
    # recomputing the same date against its own baseline changes none.
    assert summary["written"]["db_customer_values"] == 7
    NightlyRun.objects.filter(step="customer_values").update(run_key="stale")
    again = nightly("--date", D4.isoformat())
    assert again["written"]["customer_values"] == 7 and again["written"]["db_customer_values"] == 0


def test_an_older_date_does_not_overwrite_current_values(bank):
    nightly("--date", D4.isoformat())
    nightly("--date", D3.isoformat())
    assert CustomerValue.objects.count() == 7
    assert NightlyRun.objects.get(step="customer_values", published=True).business_date == D4
    assert output_path("customer_values", D3).exists()


def test_spark_engine_reports_a_clear_error_when_unavailable(bank, monkeypatch):
    monkeypatch.setattr(
        "tenure.analytics.management.commands.nightly.engine_available", lambda e: "Java is not installed"
    )
    with pytest.raises(CommandError, match="Java is not installed"):
        nightly("--engine", "spark", "--date", dt.date(2025, 4, 30).isoformat())
