"""The upgrade-potential list (who can move up, seed 002), through HTTP: scope, filters, the gap to the
next tier, the back-test line, the Excel export and who may open it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tenure.core.models import AuditEntry
from tenure.customers.models import Customer
from tests.analytics.helpers import customer_value as value
from tests.analytics.helpers import published_run

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 4, 30)
URL = "/analytics/potential/"


@pytest.fixture
def values(site):
    """C1 (B1, booked to rm_b1): a Gold tier riser 20,000 short of Platinum on the default 3-month
    basis. C2 (B1, nobody's book): a level riser. C4 (B1): no potential. C3 (B2): a Platinum riser."""
    rm = site.staff["rm_b1"]
    Customer.objects.filter(customer_no="C1").update(rm=rm)
    for no, branch in (("C2", "B1"), ("C4", "B1")):
        site.customers[no] = Customer.objects.create(
            customer_no=no,
            customer_type="personal",
            name=f"客户{no}",
            branch_id=branch,
            onboarded_on=dt.date(2020, 1, 1),
            updated_on=DAY,
        )
    value(
        "C1",
        "B1",
        asset_tier="gold",
        aum=Decimal("310000"),
        avg_daily_aum_3m=Decimal("280000"),
        potential_score=1.0,
        likely_tier_riser=True,
        suggestion="cultivate",
        contribution=Decimal("900"),
    )
    value(
        "C2",
        "B1",
        value_level="ordinary",
        potential_score=0.85,
        likely_level_riser=True,
        suggestion="cultivate",
        contribution=Decimal("1500"),
    )
    value("C4", "B1", potential_score=0.1)
    value(
        "C3",
        "B2",
        asset_tier="platinum",
        aum=Decimal("990000"),
        avg_daily_aum_3m=Decimal("950000"),
        potential_score=0.97,
        likely_tier_riser=True,
        suggestion="cultivate",
    )
    backtest = {
        "evaluated": 1000,
        "predicted": 50,
        "rose": 40,
        "hits": 20,
        "precision": 0.4,
        "recall": 0.5,
        "base_rate": 0.04,
    }
    published_run(DAY, potential={"backtest": backtest})
    return site


def listed(client, user, query: str = "") -> list[str]:
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    text = response.content.decode()
    found = {no: text.find(f'<div class="muted mono">{no}</div>') for no in ("C1", "C2", "C3", "C4")}
    return sorted((no for no, at in found.items() if at >= 0), key=found.get)  # in page order


def test_the_rm_sees_their_own_book_first_then_their_scope(values, client):
    rm = values.staff["rm_b1"]
    assert listed(client, rm) == ["C1"]
    # Everyone in scope: B1's risers, best score first; B2's C3 never, C4 (no potential) not by default.
    assert listed(client, rm, "?mine=0") == ["C1", "C2"]
    assert listed(client, rm, "?mine=0&kind=all") == ["C1", "C2", "C4"]
    assert listed(client, rm, "?mine=0&branch=B2") == ["C1", "C2"]  # a branch out of scope is ignored


def test_head_office_filters_by_kind_tier_and_suggestion_and_sorts(values, client):
    analyst = values.staff["analyst"]
    assert listed(client, analyst) == ["C1", "C3", "C2"]  # by potential score: 1.0, 0.97, 0.85
    assert listed(client, analyst, "?kind=tier") == ["C1", "C3"]
    assert listed(client, analyst, "?kind=level") == ["C2"]
    assert listed(client, analyst, "?tier=platinum") == ["C3"]
    assert listed(client, analyst, "?kind=all&suggestion=cheaper_channel") == ["C4"]
    assert listed(client, analyst, "?sort=aum") == ["C3", "C1", "C2"]
    assert listed(client, analyst, "?sort=contribution") == ["C2", "C1", "C3"]
    assert listed(client, analyst, "?branch=B1") == ["C1", "C2"]
    assert listed(client, analyst, "?branch=HO") == ["C1", "C3", "C2"]  # a branch and those under it
    # An unknown filter value falls back to its default instead of failing.
    assert listed(client, analyst, "?kind=everyone&sort=name&tier=gold-ish") == ["C1", "C3", "C2"]


def test_the_gap_to_the_next_tier_and_the_backtest_are_shown(values, client):
    client.force_login(values.staff["analyst"])
    text = client.get(URL + "?kind=tier").content.decode()
    # C1: Gold → Platinum (¥300,000) on the 3-month average basis: 300,000 − 280,000.
    assert "20,000" in text and "300,000" in text
    # C3: Platinum → Black-gold (¥1,000,000): 1,000,000 − 950,000.
    assert "50,000" in text and "1,000,000" in text
    assert 'data-testid="potential-backtest"' in text and "40.0%" in text and "10.0 倍" in text


def test_branch_head_and_roles_without_customers(values, client):
    assert listed(client, values.staff["head_b1"]) == ["C1", "C2"]
    client.force_login(values.staff["admin"])  # head office: sees all, may open it
    assert client.get(URL).status_code == 200


def test_export_is_the_filtered_list_and_audited(values, client):
    client.force_login(values.staff["rm_b1"])
    response = client.get(URL + "export/?mine=0&kind=tier")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert [r[0] for r in rows[1:]] == ["C1"]
    assert rows[1][8] == 20000  # gap to the next tier
    entry = AuditEntry.objects.get(action="analytics.potential.export")
    assert entry.actor_name == "rm_b1" and entry.detail["rows"] == 1 and entry.detail["kind"] == "tier"


def test_empty_states(site, client):
    client.force_login(site.staff["analyst"])
    text = client.get(URL).content.decode()
    assert 'data-testid="potential-empty"' in text and "potential-backtest" not in text


def test_menu_link(values, client):
    client.force_login(values.staff["rm_b1"])
    home = client.get("/").content.decode()
    assert 'href="/analytics/potential/"' in home and 'href="/analytics/"' not in home


def test_api_lists_values_in_scope_with_filters(values, client):
    client.force_login(values.staff["head_b1"])
    data = client.get("/api/v1/customer-values/").json()
    assert [r["customer"] for r in data["results"]] == ["C1", "C2", "C4"]  # B1 only, by potential
    first = data["results"][0]
    assert first["customer_name"] == "客户C1" and first["asset_tier"] == "gold" and first["aum"] == "310000.00"
    assert first["likely_tier_riser"] is True and first["suggestion"] == "cultivate"
    riser = client.get("/api/v1/customer-values/", {"likely_level_riser": "true"}).json()["results"]
    assert [r["customer"] for r in riser] == ["C2"]
    assert client.get("/api/v1/customer-values/", {"customer": "C3"}).json()["count"] == 0  # foreign
    assert client.get("/api/v1/customer-values/", {"asset_tier": "nonsense"}).status_code == 400
    client.force_login(values.staff["analyst"])
    assert client.get("/api/v1/customer-values/", {"asset_tier": "platinum"}).json()["results"][0]["customer"] == "C3"
