"""`inputs.distinct_rows` is `np.unique(rows, axis=0, return_counts=True)`, faster: same rows, order and counts."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tenure.clv.inputs import distinct_rows

# Few distinct values, so rows repeat; -0.0 and 0.0 included (equal, as np.unique treats them).
value = st.sampled_from([0.0, -0.0, 1.0, 2.5, 1 / 7, 3.0, 52.0])


matrices = st.integers(1, 4).flatmap(
    lambda k: hnp.arrays(float, st.tuples(st.integers(0, 60), st.just(k)), elements=value)
)


@given(matrices)
def test_distinct_rows_match_numpy_unique(rows):
    expected, counts = np.unique(rows, axis=0, return_counts=True)
    found, found_counts = distinct_rows(*rows.T)
    assert found.shape == expected.shape
    assert np.array_equal(found, expected)
    assert np.array_equal(found_counts, counts)
    assert found_counts.sum() == len(rows)


def test_integer_pairs():
    customer, period = np.array([3, 1, 3, 1, 2]), np.array([0, 5, 0, 4, 1])
    found, counts = distinct_rows(customer, period)
    assert found.tolist() == [[1, 4], [1, 5], [2, 1], [3, 0]]
    assert counts.tolist() == [1, 1, 1, 2]
