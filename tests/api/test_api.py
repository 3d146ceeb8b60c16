"""REST API: scoped, masked, paginated, filtered; OpenAPI schema and docs page."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest


@pytest.fixture
def api(lake, login):
    return login(lake.staff["head_a"])


def test_customer_list_is_scoped_paginated_and_masked(api):
    data = api.get("/api/v1/customers/", {"page_size": 2}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    first = data["results"][0]
    assert {"id", "branch", "customer_no", "mobile", "id_number", "email", "rm", "consents"} <= set(first)
    numbers = {c["customer_no"] for c in api.get("/api/v1/customers/", {"page_size": 50}).json()["results"]}
    assert numbers == {"C0000001", "C0000002", "C0000003"}


def test_customer_detail(api, lake):
    wang = lake.customers["wang"]
    data = api.get(f"/api/v1/customers/{wang.pk}/").json()
    assert data["id"] == wang.pk and data["branch"] == "S0101" and data["rm"] == "E101"
    assert data["mobile"] == "138****5678" and data["id_number"] == "110***********1234"
    assert data["email"] == "w***@example.com" and data["consents"]["sms"] is True


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "王"}, {"C0000001", "C0000002"}),
        ({"branch": "S0102"}, {"C0000003"}),
        ({"rm": "E101"}, {"C0000001", "C0000002"}),
        ({"customer_type": "personal"}, {"C0000001", "C0000002", "C0000003"}),
        ({"onboarded_from": "2030-01-01"}, set()),
        ({"branch": "S0201"}, set()),  # foreign branch: nothing, not an error
    ],
)
def test_customer_filters(api, params, expected):
    response = api.get("/api/v1/customers/", params)
    assert response.status_code == 200
    assert {c["customer_no"] for c in response.json()["results"]} == expected


def test_page_size_is_bounded(api):
    assert api.get("/api/v1/customers/", {"page_size": 100000}).status_code == 200
    assert len(api.get("/api/v1/customers/", {"page_size": 1}).json()["results"]) == 1


def test_accounts_and_holdings(api, lake):
    accounts = api.get("/api/v1/accounts/", {"customer": "C0000001"}).json()["results"]
    assert {a["account_id"] for a in accounts} == {"A-wang-cur", "A-wang-wm", "A-wang-loan"}
    card = next(a for a in accounts if a["account_id"] == "A-wang-cur")
    assert card["card_number"] == "622202*********0123" and card["account_number"] == "622202*********3445"
    assert api.get("/api/v1/accounts/", {"product_type": "loan"}).json()["count"] == 1
    holdings = api.get("/api/v1/holdings/").json()["results"]
    assert [h["holding_id"] for h in holdings] == ["H-wang"] and holdings[0]["issuer"] == "ICBC"
    wang = lake.customers["wang"]
    own = {h["product_type"]: h for h in api.get(f"/api/v1/customers/{wang.pk}/holdings/").json()}
    assert own["loan"]["is_aum"] is False and own["wealth"]["amount"] == "262000.00"
    aum = api.get(f"/api/v1/customers/{wang.pk}/aum/").json()
    assert len(aum["dates"]) == 13 and aum["tier"] == "platinum"
    # The router's format-suffix routes (".json") reach the same actions (they were a 500).
    assert api.get(f"/api/v1/customers/{wang.pk}/aum.json").json() == aum
    assert api.get(f"/api/v1/customers/{wang.pk}/holdings.json").json() == list(own.values())


def test_identifier_searches_are_posted_never_put_in_the_url(api, lake):
    refused = api.get("/api/v1/customers/", {"q": "13812345678"})
    assert refused.status_code == 400 and "search/" in refused.json()["q"][0]
    found = api.post("/api/v1/customers/search/", {"q": "13812345678"}, content_type="application/json").json()
    assert [c["customer_no"] for c in found["results"]] == ["C0000001"] and found["results"][0][
        "mobile"
    ] == "138****5678"
    foreign = api.post("/api/v1/customers/search/", {"q": "13699998888"}, content_type="application/json").json()
    assert foreign["count"] == 0  # scoped like the list
    assert api.get("/api/v1/customers/", {"q": "C0000001"}).json()["count"] == 1


def test_api_detail_of_foreign_records_is_404(api, lake):
    assert api.get(f"/api/v1/customers/{lake.foreign.pk}/").status_code == 404
    assert api.get(f"/api/v1/accounts/{lake.accounts['A-zhao-cur'].pk}/").status_code == 404
    assert api.get(f"/api/v1/holdings/{lake.holdings['H-zhao'].pk}/").status_code == 404
    assert api.get(f"/api/v1/customers/{lake.foreign.pk}/aum/").status_code == 404


def test_api_is_read_only_except_unmask(api, lake):
    wang = lake.customers["wang"]
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)(f"/api/v1/customers/{wang.pk}/").status_code == 405
        assert getattr(api, method)("/api/v1/customers/").status_code == 405


def test_openapi_schema(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/customers/",
        "/api/v1/customers/{customer_id}/",
        "/api/v1/customers/{customer_id}/unmask/",
        "/api/v1/accounts/",
        "/api/v1/holdings/",
        "/api/v1/audit/",
    ):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert {"page", "page_size", "q", "branch"} <= params


def test_docs_page_uses_vendored_assets(api):
    from django.contrib.staticfiles import finders

    html = api.get("/api/docs/").content.decode()
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css", "web/api-docs.js"):
        assert asset in html and finders.find(asset), asset
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", html, flags=re.IGNORECASE)
    assert urls and all(u.startswith(("/", "#")) and not u.startswith("//") for u in urls), urls
    # The CSRF tokens are random letters and digits: one spelled "cdn" once (CI, 2026-11-27).
    text = re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*', r"\1", html).lower()
    assert "cdn" not in text and "unpkg" not in text


def test_aum_tier_is_the_published_tier_of_the_latest_nightly(api, lake):
    """One truth with the 360° page: the published tier, not one recomputed from balances."""
    from tests.analytics.helpers import customer_value, published_run

    wang = lake.customers["wang"]
    customer_value(wang.customer_no, "S0101", asset_tier="gold")  # e.g. on the 3-month average basis
    published_run(dt.date(2026, 1, 28))
    assert api.get(f"/api/v1/customers/{wang.pk}/aum/").json()["tier"] == "gold"
    page = api.get(f"/customers/{wang.pk}/").content.decode()
    assert "金卡" in page


def test_aum_tier_before_any_nightly_follows_the_active_tier_rules(api, lake):
    from tenure.analytics.config import active_config, config_save

    wang = lake.customers["wang"]
    assert api.get(f"/api/v1/customers/{wang.pk}/aum/").json()["tier"] == "platinum"
    rules = copy.deepcopy(active_config().rules)
    rules["tiers"]["thresholds"]["platinum"] = "500000"  # wang's latest AUM is below it now
    config_save(rules=rules, note="test")
    assert api.get(f"/api/v1/customers/{wang.pk}/aum/").json()["tier"] == "gold"
