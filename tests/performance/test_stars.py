"""Service stars: the percentile formula, the minimum-book rule, ties, and rules that do not validate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenure.core.models import AuditEntry
from tenure.performance import stars
from tenure.performance.figures import Totals

RULES = stars.Rules(1, {"weights": {"aum_growth": 1, "retention": 1}, "min_book": 20, "min_answers": 5})


def _rm(no: str, *, book: int, aum: str, before: str, retained: int = 0, lost: int = 0) -> stars.Candidate:
    totals = Totals()
    totals.add({"book": book, "aum": Decimal(aum), "aum_previous": Decimal(before), "retained": retained, "lost": lost})
    return stars.Candidate(no, totals)


def test_the_best_percentiles_win_and_a_tiny_book_cannot():
    result = stars.award(
        [
            _rm("E1", book=50, aum="110", before="100", retained=9, lost=1),  # +10 %, 90 %
            _rm("E2", book=40, aum="105", before="100", retained=10),  # +5 %, 100 %
            _rm("E3", book=30, aum="100", before="100", retained=8, lost=2),  # 0 %, 80 %
            _rm("E4", book=5, aum="300", before="100", retained=5),  # +200 %, 100 %, but 5 customers
        ],
        RULES,
    )
    assert result.ineligible == ["E4"]
    # E1: growth rank 100, retention 50 → 75; E2: 50 and 100 → 75; E3: 0 and 0 → 0.
    assert [(r["employee_no"], r["score"]) for r in result.ranking] == [("E1", 75.0), ("E2", 75.0), ("E3", 0.0)]
    # The tie goes to the larger book.
    assert result.winner == "E1"


def test_ties_then_go_to_the_larger_aum_then_the_lower_employee_number():
    same = dict(book=30, before="100", retained=1)
    assert stars.award([_rm("E9", aum="101", **same), _rm("E1", aum="100", **same)], RULES).winner == "E9"
    assert stars.award([_rm("E9", aum="100", **same), _rm("E1", aum="100", **same)], RULES).winner == "E1"


def test_no_eligible_candidate_no_award():
    assert stars.award([_rm("E1", book=3, aum="1", before="1")], RULES).winner is None


def test_missing_inputs_count_as_the_middle_rank():
    rules = stars.Rules(1, {"weights": {"satisfaction": 1}, "min_book": 0, "min_answers": 5})
    result = stars.award([_rm("E1", book=1, aum="1", before="1"), _rm("E2", book=1, aum="1", before="1")], rules)
    assert {r["score"] for r in result.ranking} == {50.0}


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"weights": {"charm": 5}, "min_book": 1, "min_answers": 1}, "weights.charm"),
        ({"weights": {"nps": -1}, "min_book": 1, "min_answers": 1}, "weights.nps"),
        ({"weights": {"nps": 0}, "min_book": 1, "min_answers": 1}, "weights"),
        ({"weights": {"nps": 5}, "min_book": "20", "min_answers": 1}, "min_book"),
        ({"weights": {"nps": 5}, "min_book": 1, "min_answers": -2}, "min_answers"),
    ],
)
def test_rules_that_do_not_validate_are_refused_naming_the_field(rules, field):
    with pytest.raises(stars.StarRulesError, match=rf"^{field}:"):
        stars.validate_rules(rules)


def test_saving_rules_makes_an_audited_version(bank):
    first = stars.active_rules()
    rules = {**first.rules, "min_book": 10}
    saved = stars.star_rules_save(by=bank.staff["admin"], rules=rules, note="smaller branches")
    assert (saved.version, stars.active_rules().rules["min_book"]) == (first.version + 1, 10)
    assert AuditEntry.objects.filter(action="stars.rules_save", object_id=str(saved.version)).exists()


@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.floats(-1e6, 1e6, allow_nan=False), max_size=40),
    st.booleans(),
)
def test_a_percentile_is_the_mid_rank_among_the_values(values, higher_is_better):
    """Below plus half the ties, over n − 1: counted one by one, as the formula beside the award says."""
    n = len(values)
    for key, pct in stars._percentiles(values, higher_is_better).items():
        v = values[key]
        below = sum(1 for w in values.values() if (w < v if higher_is_better else w > v))
        equal = sum(1 for w in values.values() if w == v)
        assert pct == pytest.approx(100.0 if n == 1 else 100.0 * (below + (equal - 1) / 2) / (n - 1))
