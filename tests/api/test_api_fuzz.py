"""Hand-written odd values on top of schemathesis (test_schemathesis.py): call every GET operation of the OpenAPI
schema with odd parameter values and require that none gives a server error."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ODD = st.one_of(
    st.sampled_from(["", "0", "-1", "x", "99999999999999999999", "2026-02-30", "'; drop table x; --", "王", "%00"]),
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)


@pytest.fixture
def operations(lake, login):
    client = login(lake.staff["head_a"])
    schema = client.get("/api/schema/", {"format": "json"}).json()
    ids = {
        "customer_id": lake.customers["wang"].pk,
        "account_pk": lake.accounts["A-wang-cur"].pk,
        "holding_pk": lake.holdings["H-wang"].pk,
        "complaint_id": 1,
    }
    ops = []
    for path, item in schema["paths"].items():
        if "get" in item:
            names = [p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"]
            ops.append((re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path), names))
    return client, ops


def test_every_get_operation_survives_odd_parameters(operations):
    client, ops = operations
    assert len(ops) >= 8

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data):
        for url, names in ops:
            params = {name: data.draw(ODD) for name in names if data.draw(st.booleans())}
            response = client.get(url, params)
            assert response.status_code < 500, (url, params, response.status_code)

    check()


def test_unmask_survives_odd_bodies(operations, lake):
    client, _ = operations
    url = f"/api/v1/customers/{lake.customers['wang'].pk}/unmask/"
    for body in (
        {},
        {"field": "x"},
        {"field": "mobile", "reason": "x" * 5000},
        {"field": "card_number", "account": -1, "reason": "ok ok"},
        {"field": "mobile", "reason": "ok ok", "account": "abc"},
    ):
        assert client.post(url, body, content_type="application/json").status_code < 500
    assert client.post(url, "not json", content_type="application/json").status_code == 400
