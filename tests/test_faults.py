"""The fault scorecard of issue 22 (bench/faults.py), reduced: every probe once on the tiny bank,
on the pass's database (SQLite, then PostgreSQL). Every count that should be 0 is 0, and every
corrupted import tried is handled. The full run, with kills and load figures, is by hand."""

from __future__ import annotations

import json

import pytest

from bench.fault_imports import KINDS
from bench.faults import scorecard, should_be_zero

pytestmark = pytest.mark.django_db


def _findings(card: dict) -> dict:
    """What a failing count found, for the failure message."""
    clear = card["clear_identifiers"]
    return {
        "foreign": card["foreign"]["samples"],
        "clear": clear["samples"] + clear["database"]["where"] + [f"log: {clear['logs']}"],
        "fuzz": card["fuzz"]["samples"],
        "imports": card["imports"]["unhandled"],
        "concurrent": card["concurrent_runs"]["not_refused"],
        "seconds": card["seconds"],
    }


def test_the_reduced_scorecard_is_all_zero(key_file, tmp_path):
    card = scorecard(tmp_path, "small")

    zero = should_be_zero(card)
    assert zero == dict.fromkeys(zero, 0), json.dumps(_findings(card), ensure_ascii=False, indent=1)
    assert card["imports"]["tried"] == len(KINDS) >= 27  # every kind once: none skipped
    assert card["foreign"]["requests"] > 100 and card["fuzz"]["requests"] > 100
    assert card["clear_identifiers"]["pages"]["read"] > 20 and card["clear_identifiers"]["exports"]["read"] > 0
    assert card["clear_identifiers"]["database"]["columns_read"] > 50
    assert card["concurrent_runs"]["tried"] == 4
