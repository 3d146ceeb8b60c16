"""The daily run: everything a bank runs after each import, in order, by calling each app's service.

The analytics pipeline (`tenure nightly`), then the work that reads its outputs: the serving copy
for customer pages, churn scores (when a model exists) and alerts (with survey scores for the
satisfaction signal), complaint SLA escalation and retention-lottery eligibility. Each step is
idempotent on its own, so the whole run is too: run it again after a crash, or twice on the same
date, and nothing changes the second time. Follow-ups that act on "today" (scores, alerts,
escalation, tasks, the month's scorecards, sending) run only for the latest imported date; tasks
come after alerts, escalation and callbacks, so each of those has its task the same day.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from tenure.analytics.steps import run_nightly
from tenure.churn.alerts import raise_alerts_with_surveys
from tenure.churn.labels import LabelsUnavailable
from tenure.churn.selectors import model_trained, scored_with_latest_model
from tenure.churn.services import score_date
from tenure.complaints.escalation import escalate_due
from tenure.core.masking import mask_text
from tenure.engagement.tasks import tasks_generate
from tenure.ingest.selectors import latest_business_date
from tenure.lake import EngineUnavailable, serving_build_all
from tenure.messaging.dispatch import messages_send
from tenure.messaging.senders import messages_plan
from tenure.offers.scoring import ScoringUnavailable, offers_score
from tenure.ops.models import DailyRun
from tenure.performance.compute import Month, ScorecardUnavailable
from tenure.performance.services import scorecards_compute
from tenure.points.services import earn_run
from tenure.queues.services import long_waits_to_tasks
from tenure.retention.lottery import lottery_evaluate

# A step's summary, or why it was skipped (a churn model not trained yet is normal).
StepResult = dict[str, Any] | str


class DailyError(Exception):
    """A step cannot run (nothing imported, no engine, no labels): one line for the user."""


def daily_run(*, day: dt.date | None = None, echo: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every step for `day` (default: the latest imported date). Returns `business_date`, each
    step's summary under `steps` (as its own command's `--json` line has it) and its wall-clock time
    in seconds under `seconds`. `echo` gets a line as each step starts and one with its summary.

    The run is recorded as a `DailyRun` (step by step); a failing step is recorded with its message
    and its exception re-raised."""
    latest = latest_business_date()
    if latest is None:
        raise DailyError("nothing imported yet: run `tenure import <folder>` first")
    day = day or latest
    summary: dict[str, Any] = {"business_date": day.isoformat(), "steps": {}, "seconds": {}}
    run = DailyRun.objects.create(business_date=day, started_at=timezone.now())
    for name, step in _steps(day, latest=day == latest):
        started = time.monotonic()
        if echo:
            echo(f"== {name}")
        try:
            summary["steps"][name] = step()
        except Exception as exc:
            _record_failure(run, name, exc)
            raise
        summary["seconds"][name] = round(time.monotonic() - started, 2)
        run.steps.append({"name": name, "seconds": summary["seconds"][name], "summary": summary["steps"][name]})
        run.save(update_fields=["steps"])
        if echo:
            echo(f"   {summary['steps'][name]}")
    run.status, run.finished_at = DailyRun.Status.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return summary


def _record_failure(run: DailyRun, step: str, exc: Exception) -> None:
    """Mark `run` failed at `step` with the error's first line (identifier-like numbers masked: the
    console shows it to administrators, who see no customer identifiers)."""
    line = next((part.strip() for part in str(exc).splitlines() if part.strip()), type(exc).__name__)
    run.status, run.finished_at, run.failed_step = DailyRun.Status.FAILED, timezone.now(), step
    run.error = mask_text(line)[: DailyRun._meta.get_field("error").max_length]
    run.save(update_fields=["status", "finished_at", "failed_step", "error"])


def _steps(day: dt.date, *, latest: bool) -> list[tuple[str, Callable[[], StepResult]]]:
    steps: list[tuple[str, Callable[[], StepResult]]] = [
        ("nightly", lambda: _nightly(day)),
        ("serving", lambda: _as_printed(serving_build_all(), sort_keys=False)),  # `build_serving` does not sort
        ("points", lambda: _as_printed(earn_run(upto=day))),
    ]
    if latest:
        steps += [
            ("churn_score", lambda: _churn_score(day)),
            ("churn_alerts", lambda: _churn(raise_alerts_with_surveys, day)),
            ("complaints_escalate", lambda: _as_printed(escalate_due())),
            ("retention_lottery", lambda: _as_printed(lottery_evaluate(day=day))),
            ("tasks", lambda: _as_printed(tasks_generate(day))),  # after alerts, escalation and callbacks
            ("queue_waits", lambda: _as_printed(long_waits_to_tasks(day))),  # key customers' long waits → lobby
            ("offers_score", lambda: _offers_score(day)),  # every customer's three best offers (docs/offers.md)
            ("scorecards", lambda: _scorecards(day)),
            # Greetings and maturity notices of today by the clock (the business date is usually yesterday's).
            ("messages_plan", lambda: _as_printed(messages_plan(timezone.localdate()))),
            ("messages", lambda: _as_printed(messages_send())),  # the outbox: due now, by the clock
        ]
    return steps


def _as_printed(result: dict[str, Any], *, sort_keys: bool = True) -> dict[str, Any]:
    """`result` as its command's `--json` line has it (keys in that order, JSON types, str() of the
    rest), so a step reports the same values here as when it runs alone."""
    return json.loads(json.dumps(result, ensure_ascii=False, sort_keys=sort_keys, default=str))


def _nightly(day: dt.date) -> dict[str, Any]:
    try:
        return _as_printed(run_nightly(day, "duckdb", show_progress=False))
    except EngineUnavailable as exc:
        raise DailyError(str(exc)) from exc


def _scorecards(day: dt.date) -> StepResult:
    """The month of `day`'s scorecards and service stars, recomputed (docs/performance.md)."""
    try:
        result = scorecards_compute(month=Month.of(day))
    except ScorecardUnavailable as exc:
        return f"skipped: {exc}"
    summary = {"month": result.month.label, "customers": result.customers, "staff": result.staff}
    return _as_printed({**summary, "awards": result.awards})


def _churn_score(day: dt.date) -> StepResult:
    if not model_trained():
        return "skipped: no churn model yet (tenure churn train)"
    if scored_with_latest_model(day):
        return "skipped: already scored with the latest model"
    return _churn(score_date, day)


def _offers_score(day: dt.date) -> StepResult:
    """Every customer's three best offers for `day`; no recommender yet is normal (skipped)."""
    try:
        return _as_printed(offers_score(day=day))
    except ScoringUnavailable as exc:
        return f"skipped: {exc}"


def _churn(service: Callable[..., dict[str, Any]], day: dt.date) -> dict[str, Any]:
    """A churn service for `day`; missing labels or model are the user's next step, not a traceback."""
    try:
        return _as_printed(service(day=day))
    except (LabelsUnavailable, LookupError) as exc:
        raise DailyError(str(exc)) from exc
