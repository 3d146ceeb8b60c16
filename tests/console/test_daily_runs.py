"""`DailyRun`: `tenure daily` records each run, its steps, and a failing step's message; the console shows it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tenure.ops.models import DailyRun
from tests.analytics.bank import D4, write_bank


@pytest.fixture
def lake_bank(db, settings, tmp_path):
    """The analytics tests' tiny bank (four month-ends) in a TENURE_HOME of its own."""
    settings.TENURE_HOME = tmp_path
    settings.LAKE_DIR = tmp_path / "lake"
    settings.LAKE_DIR.mkdir()
    write_bank()


def test_tenure_daily_records_a_done_run_with_its_steps(lake_bank, bank, login):
    call_command("daily", "--json")
    run = DailyRun.objects.get()
    assert run.status == DailyRun.Status.DONE and run.business_date == D4 and run.finished_at is not None
    names = [step["name"] for step in run.steps]
    assert names[:3] == ["nightly", "serving", "points"] and names[-1] == "messages"
    nightly = run.steps[0]
    assert nightly["summary"]["written"]["tiers"] > 0 and nightly["seconds"] >= 0
    assert run.failed_step == "" and run.error == ""
    page = login(bank.staff["admin"]).get("/console/runs/")
    assert 'data-status="done"' in page.content.decode()


def test_a_failing_step_is_recorded_and_raised(lake_bank, bank, login, monkeypatch, english):
    def broken(**kwargs):
        raise RuntimeError("disk full while writing 13812345678\nTraceback line")

    monkeypatch.setattr("tenure.ops.daily.escalate_due", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        call_command("daily")
    run = DailyRun.objects.get()
    assert run.status == DailyRun.Status.FAILED and run.failed_step == "complaints_escalate"
    assert run.error == "disk full while writing 138****5678"  # first line, identifier masked
    assert [step["name"] for step in run.steps][-1] == "churn_alerts"  # the steps before the failing one
    html = login(bank.staff["admin"]).get("/console/runs/").content.decode()
    assert 'data-status="failed"' in html and "Complaint escalation" in html and "disk full while writing" in html


def test_an_interrupted_run_stays_running(bank, login, english):
    import datetime as dt

    from django.utils import timezone

    DailyRun.objects.create(business_date=dt.date(2026, 1, 28), started_at=timezone.now())
    html = login(bank.staff["admin"]).get("/console/runs/").content.decode()
    assert 'data-status="running"' in html and "Running" in html and "started" in html


def test_step_summaries_read_as_words_with_units(bank, login, english):
    import datetime as dt

    from django.utils import timezone

    steps = [
        {
            "name": "churn_score",
            "seconds": 1.5,
            "summary": {"scored": 19439, "bands": {"high": 752}, "model_version": 3},
        },
        {"name": "tasks", "seconds": 0.2, "summary": {"created": {"callback": 5, "plan": 20}, "escalated": 0}},
        {"name": "queue_waits", "seconds": 0.1, "summary": {"target_minutes": 15, "brand_new_count": 7}},
        {"name": "offers_score", "seconds": 0.1, "summary": "skipped: no recommender trained"},
    ]
    DailyRun.objects.create(
        business_date=dt.date(2026, 1, 28),
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status="done",
        steps=steps,
    )
    html = login(bank.staff["admin"]).get("/console/runs/").content.decode()
    assert "19,439 customers scored" in html and "752" not in html and "model version" not in html
    assert "25 tasks created" in html and "escalated" not in html  # a step's own words; zero left out
    assert "target wait 15 min" in html and "brand new count 7" in html  # an unknown key stays readable
    assert "Skipped: no recommender trained" in html
    chinese = login(bank.staff["admin"]).get("/console/runs/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "target_minutes" not in chinese and "model_version" not in chinese  # no raw keys in any language
