"""`tenure bench pipeline` end to end on a tiny bank: the JSON keys the issue asks for, the floor
as the fastest of its passes, and the nightly's digest stable across two runs on the cached lake."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command


def _bench() -> dict:
    out = StringIO()
    call_command("bench", "pipeline", "--customers", "300", "--months", "4", "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_bench_pipeline_reports_seconds_floor_ratio_and_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("TENURE_BENCH_HOME", str(tmp_path))
    first = _bench()
    assert {"seconds", "floor_seconds", "ratio", "peak_rss_mb", "digest", "step_seconds"} <= set(first)
    assert len(first["floor_seconds_runs"]) == 3 and first["floor_seconds"] == min(first["floor_seconds_runs"])
    assert first["ratio"] == pytest.approx(first["seconds"] / first["floor_seconds"], rel=0.01)  # of rounded inputs
    assert first["transactions"] > 0 and first["peak_rss_mb"] > 0
    assert sum(first["pyramid"].values()) == 300
    # One more business date on top: its nightly timed against one pass over that date's raw files.
    assert first["incremental_business_date"] == "2026-01-31"
    assert first["incremental_seconds"] > 0 and first["incremental_digest"] != first["digest"]
    runs = first["incremental_floor_seconds_runs"]
    assert len(runs) == 3 and first["incremental_floor_seconds"] == min(runs)
    assert first["incremental_goal_seconds"] == pytest.approx(3 * first["incremental_floor_seconds"] + 5, abs=0.01)
    again = _bench()  # the cached lake, outputs wiped, the next date forgotten: the same result
    assert again["digest"] == first["digest"] and again["incremental_digest"] == first["incremental_digest"]
