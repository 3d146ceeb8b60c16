"""Step outputs in canonical order: engines sort them, `canonical` checks and sorts only when needed."""

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from tenure import lake


@given(st.lists(st.text(alphabet="C0123456789", min_size=1, max_size=6), unique=True, max_size=40))
def test_canonical_sorts_any_order_by_the_key(keys):
    table = pa.table({"customer_no": keys, "n": list(range(len(keys)))})
    out = lake.canonical(table, "customer_no")
    assert out["customer_no"].to_pylist() == sorted(keys)
    # Rows move whole: each key keeps its own value.
    assert dict(zip(out["customer_no"].to_pylist(), out["n"].to_pylist(), strict=True)) == dict(
        zip(keys, range(len(keys)), strict=True)
    )


def test_an_output_already_in_order_is_kept_as_it_is():
    chunks = pa.chunked_array([["C1", "C2"], ["C3"]])  # as an engine hands it over: several chunks
    table = pa.table({"customer_no": chunks, "n": [1, 2, 3]})
    assert lake.canonical(table, "customer_no") is table
