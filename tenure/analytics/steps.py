"""The nightly steps and their runner: explicit, resumable, idempotent.

Each step is a pure function of (lake inputs up to D, config version, upstream outputs). Its
run key hashes all of these; a step whose `NightlyRun` is done under the same key is skipped,
so running a date twice writes nothing. Otherwise the step computes an Ibis expression on the
chosen engine, writes its Parquet output atomically, then publishes to the DB and records the
run in one transaction. A run killed anywhere is recovered by running the command again: an
output already on disk under the same key is reused rather than recomputed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from django.db import transaction

from tenure import lake
from tenure.analytics.activity import customer_activity
from tenure.analytics.config import Config, active_config
from tenure.analytics.engine import release
from tenure.analytics.features import Dates, customer_features
from tenure.analytics.models import NightlyRun
from tenure.analytics.potential import backtest, backtest_summary, upgrade_potential
from tenure.analytics.publish import customer_values, publish_customer_values, publish_tier_events
from tenure.analytics.pyramid import pareto, value_pyramid
from tenure.analytics.summaries import counts, counts_by_branch, migration
from tenure.analytics.tiers import asset_tiers
from tenure.core.progress import progress
from tenure.ingest.summaries import ensure_summaries
from tenure.lake import connect, pinned_partitions, vouched_partitions

# Bump when a formula changes: every step's run key changes and the next run recomputes.
CODE_VERSION = "4"
INPUT_TABLES = ("customers", "products", "accounts", "external_holdings", "balances", "transactions")
# A step computed on the worker thread: its run key, and its output and digest (None when it was done already).
Ahead = tuple[str, tuple[pa.Table, str] | None]


@dataclass
class Context:
    day: dt.date
    dates: Dates
    config: Config
    engine: str
    # `tenure nightly --full`: summaries rebuilt from the raw lake, every step computed again.
    full: bool = False
    _con: ibis.BaseBackend | None = None
    # Output digest per step done so far: upstream run keys hash them, publishing names its baseline by its own.
    digests: dict[str, str] = field(default_factory=dict)
    # What a step's build worked out for its run detail (the CLV fit's diagnostics).
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The worker thread, and the steps it was given to compute ahead.
    worker: ThreadPoolExecutor | None = None
    ahead: dict[str, Future[Ahead]] = field(default_factory=dict)

    @property
    def con(self) -> ibis.BaseBackend:
        if self._con is None:
            self._con = connect(self.engine)
        return self._con

    def input(self, step: str) -> ir.Table:
        """An upstream step's output for this date, as a table of the current engine."""
        return self.con.read_parquet(str(lake.output_path(step, self.day)))


@dataclass(frozen=True)
class Step:
    name: str
    needs: tuple[str, ...]
    build: Callable[[Context], ir.Table]
    publish: Callable[[Context, pa.Table], dict[str, int]] | None = None
    summarize: Callable[[Context, pa.Table], dict[str, Any]] | None = None


def _potential_summary(ctx: Context, table: pa.Table) -> dict[str, Any]:
    result = backtest(ctx.input("features"), ctx.config).to_pyarrow()
    return {
        "suggestions": counts(table, "suggestion"),
        "likely_tier_risers": int(table["likely_tier_riser"].to_numpy(zero_copy_only=False).sum()),
        "likely_level_risers": int(table["likely_level_riser"].to_numpy(zero_copy_only=False).sum()),
        "backtest": backtest_summary(result),
    }


def _clv(ctx: Context) -> ir.Table:
    """CLV per customer by numpy maximum likelihood on the activity output (the same on either
    engine); the run detail's diagnostics come from the same fit, worked out here too."""
    # Loaded here, as in `_clv_summary` and `_activity`: the CLV models need scipy and pandas, which a
    # nightly with nothing to compute would load for nothing (issue 27).
    from tenure.analytics import lifetime_value

    activity = ctx.input("activity").to_pyarrow()
    fitted = lifetime_value.scheduled_fit(activity, ctx.day)
    ctx.details["clv"] = lifetime_value.diagnostics(activity, ctx.day, fitted)
    return ibis.memtable(lifetime_value.score(activity, ctx.day, fitted))


def _clv_summary(ctx: Context, table: pa.Table) -> dict[str, Any]:
    """The diagnostics `_clv` worked out; fitted again when its output was reused from disk."""
    from tenure.analytics import lifetime_value  # loaded here: see `_clv`

    detail = ctx.details.pop("clv", None)
    return detail if detail is not None else lifetime_value.diagnostics(ctx.input("activity").to_pyarrow(), ctx.day)


def _activity(ctx: Context) -> ir.Table:
    from tenure.analytics import lifetime_value  # loaded here: see `_clv`

    return customer_activity(ctx.con, ctx.day, ctx.input("tiers"), ctx.input("pyramid"), lifetime_value.cuts(ctx.day))


STEPS: tuple[Step, ...] = (
    Step(
        "features",
        (),
        lambda ctx: customer_features(ctx.con, ctx.dates, ctx.config.rules),
        summarize=lambda ctx, t: {"customers": t.num_rows},
    ),
    Step(
        "tiers",
        ("features",),
        lambda ctx: asset_tiers(ctx.input("features"), ctx.dates, ctx.config),
        publish=publish_tier_events,
        summarize=lambda ctx, t: {
            "counts": counts(t, "asset_tier"),
            "by_branch": counts_by_branch(t, "asset_tier"),
            "migration": migration(t),
            "downgrade_warnings": int(t["downgrade_warning"].to_numpy(zero_copy_only=False).sum()),
        },
    ),
    Step(
        "pyramid",
        ("features",),
        lambda ctx: value_pyramid(ctx.input("features"), ctx.config),
        summarize=lambda ctx, t: {
            "counts": counts(t, "value_level"),
            "by_branch": counts_by_branch(t, "branch_value_level"),
            "pareto": pareto(t),
        },
    ),
    Step(
        "potential",
        ("features", "tiers", "pyramid"),
        lambda ctx: upgrade_potential(ctx.input("features"), ctx.input("tiers"), ctx.input("pyramid"), ctx.config),
        summarize=_potential_summary,
    ),
    Step(
        "customer_values",
        ("features", "tiers", "pyramid", "potential"),
        lambda ctx: customer_values(
            ctx.input("features"), ctx.input("tiers"), ctx.input("pyramid"), ctx.input("potential"), ctx.config
        ),
        publish=publish_customer_values,
    ),
    Step(
        "activity",
        ("tiers", "pyramid"),
        _activity,
        summarize=lambda ctx, t: {"customers": t.num_rows},
    ),
    Step("clv", ("activity",), _clv, summarize=_clv_summary),
)
STEP_NAMES = tuple(s.name for s in STEPS)


def input_digest(day: dt.date) -> str:
    """Hash of every vouched lake partition the pipeline may read for `day` (inside a run, from
    the run's pinned snapshot: the digest names exactly the files the steps read)."""
    text = "\n".join(
        f"{table} {d} {h}" for table in sorted(INPUT_TABLES) for d, h in vouched_partitions(table) if d <= day
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _run_key(step: Step, ctx: Context, inputs: str) -> str:
    payload = {
        "code": CODE_VERSION,
        "step": step.name,
        "day": ctx.day.isoformat(),
        "config": [ctx.config.version, ctx.config.rules],
        "inputs": inputs,
        "upstream": [ctx.digests[n] for n in step.needs],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _compute(step: Step, ctx: Context, run_key: str) -> tuple[pa.Table, str]:
    """The step's output and its digest: reused from disk when written under this key, else
    computed and written. Writing (one core) and hashing (another) run side by side."""
    table = None if ctx.full else lake.read_output(step.name, ctx.day, run_key)
    if table is not None:
        return table, lake.digest(table)
    expr = step.build(ctx).order_by("customer_no")
    table = expr.to_pyarrow().cast(expr.schema().to_pyarrow())
    release(ctx.con)
    table = lake.canonical(table, "customer_no")
    with ThreadPoolExecutor(max_workers=1) as writer:
        written = writer.submit(
            lake.write_output, step.name, ctx.day, table, run_key=run_key, config_version=ctx.config.version
        )
        output_digest = lake.digest(table)
        written.result()
    return table, output_digest


def _is_done(run: NightlyRun | None, run_key: str) -> TypeGuard[NightlyRun]:
    """Whether `run` is done under `run_key`: nothing to do (and so `run` is there)."""
    return run is not None and run.status == NightlyRun.Status.DONE and run.run_key == run_key


def _compute_ahead(after: Step, ctx: Context, inputs: str) -> None:
    """While `after` publishes to the DB (one core: the SQLite upsert), the worker thread computes,
    in order, the steps following it up to the first that needs it: the engine works on the other
    core. The worker touches only the engine, the pinned lake partitions and output files, and only
    while the main thread publishes (every step first waits for it)."""
    if ctx.worker is None:
        return
    runs = {run.step: run for run in NightlyRun.objects.filter(business_date=ctx.day)}
    for step in STEPS[STEP_NAMES.index(after.name) + 1 :]:
        if after.name in step.needs:
            break
        ctx.ahead[step.name] = ctx.worker.submit(_compute_unless_done, step, ctx, inputs, runs.get(step.name))


def _compute_unless_done(step: Step, ctx: Context, inputs: str, run: NightlyRun | None) -> Ahead:
    """On the worker: the step's run key and, unless it is done under that key, its output and digest."""
    run_key = _run_key(step, ctx, inputs)
    if not ctx.full and _is_done(run, run_key):
        ctx.digests[step.name] = run.output_digest  # a later step's run key hashes it
        return run_key, None
    result = _compute(step, ctx, run_key)
    ctx.digests[step.name] = result[1]
    return run_key, result


def _take_ahead(step: Step, ctx: Context) -> Ahead | None:
    """What the worker computed for `step`, if it was given it (its error, if it failed). Waits for
    everything the worker was given first: the engine is not shared."""
    wait(list(ctx.ahead.values()))
    future = ctx.ahead.pop(step.name, None)
    return future.result() if future is not None else None


def _run_step(step: Step, ctx: Context, inputs: str) -> tuple[NightlyRun, bool]:
    """Run or skip one step (its output digest into `ctx.digests` either way); returns its run row
    and whether it was skipped."""
    run_key = _run_key(step, ctx, inputs)
    run = NightlyRun.objects.filter(business_date=ctx.day, step=step.name).first()
    if not ctx.full and _is_done(run, run_key):
        ctx.digests[step.name] = run.output_digest
        return run, True
    started = time.perf_counter()
    NightlyRun.objects.update_or_create(
        business_date=ctx.day,
        step=step.name,
        defaults={
            "run_key": run_key,
            "config_version": ctx.config.version,
            "engine": ctx.engine,
            "status": NightlyRun.Status.RUNNING,
            "error": "",
        },
    )
    try:
        ahead = _take_ahead(step, ctx)
        if ahead is not None and ahead[0] == run_key and ahead[1] is not None:
            table, output_digest = ahead[1]
        else:
            table, output_digest = _compute(step, ctx, run_key)
        ctx.digests[step.name] = output_digest
        detail = step.summarize(ctx, table) if step.summarize else {}
        if step.publish:
            _compute_ahead(step, ctx, inputs)
        with transaction.atomic():
            written = {step.name: table.num_rows}
            if step.publish:
                written.update(step.publish(ctx, table))
            NightlyRun.objects.filter(business_date=ctx.day, step=step.name).update(
                status=NightlyRun.Status.DONE,
                output_digest=output_digest,
                rows=table.num_rows,
                written=written,
                detail=detail,
                seconds=round(time.perf_counter() - started, 3),
            )
    except Exception as exc:
        NightlyRun.objects.filter(business_date=ctx.day, step=step.name).update(
            status=NightlyRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    return NightlyRun.objects.get(business_date=ctx.day, step=step.name), False


def run_nightly(
    day: dt.date, engine: str = "duckdb", *, full: bool = False, show_progress: bool = True
) -> dict[str, Any]:
    """Run every step for `day`; returns the JSON summary (see `tenure nightly --json`). A step's
    `seconds` are the time the run waited for it (a step computed ahead shows only the rest).

    Transaction summaries missing or written under another definition are rebuilt from the raw
    lake first (`ingest/summaries.py`); `full` rebuilds them all and computes every step again."""
    written: dict[str, int] = {}
    seconds: dict[str, float] = {}
    runs: dict[str, NightlyRun] = {}
    with (
        pinned_partitions(INPUT_TABLES),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="nightly") as worker,
        progress(f"nightly {day}", total=len(STEPS), enabled=show_progress) as bar,
    ):
        started = time.perf_counter()
        rebuilt = ensure_summaries(day, full=full)
        summaries_seconds = round(time.perf_counter() - started, 3)
        ctx = Context(
            day=day, dates=Dates.for_day(day), config=active_config(), engine=engine, full=full, worker=worker
        )
        inputs = input_digest(day)
        try:
            for step in STEPS:
                bar.describe(f"nightly {day}: {step.name}")
                started = time.perf_counter()
                run, skipped = _run_step(step, ctx, inputs)
                seconds[step.name] = round(time.perf_counter() - started, 3)
                runs[step.name] = run
                for output, rows in run.written.items():
                    written[output] = 0 if skipped else rows
                bar.advance()
        except BaseException:
            # Steps queued on the worker are not started; the one it is computing ends first.
            worker.shutdown(cancel_futures=True)
            raise
    total = hashlib.sha256("\n".join(f"{n}:{d}" for n, d in ctx.digests.items()).encode()).hexdigest()
    return {
        "business_date": day.isoformat(),
        "engine": engine,
        "config_version": ctx.config.version,
        "written": written,
        "tiers": runs["tiers"].detail.get("counts", {}),
        "pyramid": runs["pyramid"].detail.get("counts", {}),
        "top20_share": runs["pyramid"].detail.get("pareto", {}).get("top20_share"),
        "digest": total,
        "summaries_rebuilt": len(rebuilt),
        "summaries_seconds": summaries_seconds,
        "seconds": seconds,
    }
