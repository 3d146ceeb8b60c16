"""The analyst page, the tier-rules editor and the 360° value panel, through HTTP."""

from __future__ import annotations

import re

import pytest

from tenure.analytics.models import AnalyticsConfig
from tenure.core.models import AuditEntry
from tests.analytics.bank import D3
from tests.analytics.helpers import nightly

pytestmark = pytest.mark.django_db

RULES_FORM = {
    "min_diamond": "10,000,000",  # as the page shows it
    "min_black_gold": "1000000",
    "min_platinum": "300000",
    "min_gold": "100000",
    "basis": "aum",
    "downgrade_margin": "10",
    "share_key": "1",
    "share_important": "19",
    "share_ordinary": "30",
    "share_small": "50",
}


def page(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {})


def test_overview_empty_before_any_run(site, client):
    response = page(client, site.staff["analyst"], "/analytics/")
    assert response.status_code == 200 and b'data-testid="analytics-empty"' in response.content


def test_overview_bank_wide_for_the_analyst(site, client):
    nightly("--date", D3.isoformat())
    nightly()
    text = page(client, site.staff["analyst"], "/analytics/").content.decode()
    for part in ("pyramid-table", "migration-table", "branch-table", "top20", "北京分行", "上海分行", "potential-link"):
        assert part in text
    # Tier counts per branch match the nightly aggregate: B1 has 3 customers, B2 4 (tests/analytics/bank.py).
    assert text.count('<td class="num">3</td></tr>') >= 1 and '<td class="num">4</td></tr>' in text
    older = page(client, site.staff["analyst"], f"/analytics/?date={D3.isoformat()}").content.decode()
    assert f'value="{D3.isoformat()}" selected' in older


def test_branch_head_sees_only_the_subtree_and_no_bank_wide_charts(site, client):
    nightly()
    text = page(client, site.staff["head_b1"], "/analytics/").content.decode()
    assert "北京分行" in text and "上海分行" not in text
    assert "migration-table" not in text and 'data-testid="top20"' not in text


def test_rm_has_no_analytics_page_or_link(site, client):
    assert page(client, site.staff["rm_b1"], "/analytics/").status_code == 403
    assert b'href="/analytics/"' not in page(client, site.staff["rm_b1"], "/").content
    assert b'href="/analytics/"' in page(client, site.staff["analyst"], "/").content


@pytest.mark.parametrize("who", ["analyst", "head_b1", "rm_b1"])
def test_only_administrators_edit_rules(site, client, who):
    assert page(client, site.staff[who], "/analytics/rules/").status_code == 403
    response = page(client, site.staff[who], "/analytics/rules/", "post", {**RULES_FORM, "action": "save"})
    assert response.status_code == 403
    assert AnalyticsConfig.objects.count() <= 1


def test_preview_shows_counts_and_writes_nothing(site, client):
    nightly()
    versions = AnalyticsConfig.objects.count()
    response = page(client, site.staff["admin"], "/analytics/rules/", "post", {**RULES_FORM, "action": "preview"})
    text = response.content.decode()
    assert response.status_code == 200 and "rules-preview" in text
    # With basis "aum" on D4 the hand-computed counts are black_gold 2, platinum 1, gold 1, standard 3
    # (test_selectors.py); the published run (3-month average basis) has no platinum: change +1.
    assert '<td class="num">+1</td>' in text
    assert AnalyticsConfig.objects.count() == versions
    assert not AuditEntry.objects.filter(action="analytics.config_save").exists()


def test_preview_as_htmx_partial_and_invalid_shares(site, client):
    nightly()
    bad = {**RULES_FORM, "share_small": "40", "action": "preview"}
    client.force_login(site.staff["admin"])
    response = client.post("/analytics/rules/", bad, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content
    assert b'role="alert"' in response.content
    assert AnalyticsConfig.objects.count() == 1


def test_save_creates_an_audited_version(site, client):
    response = page(
        client,
        site.staff["admin"],
        "/analytics/rules/",
        "post",
        {**RULES_FORM, "min_gold": "150000", "note": "raise gold", "action": "save"},
    )
    assert response.status_code == 302
    latest = AnalyticsConfig.objects.order_by("-version").first()
    assert latest.version == 2 and latest.rules["tiers"]["thresholds"]["gold"] == "150000"
    assert latest.rules["tiers"]["basis"] == "aum" and latest.rules["contribution"]["margins"]["loan"] == "0.0150"
    entry = AuditEntry.objects.get(action="analytics.config_save")
    assert entry.actor_name == "admin" and entry.object_id == "2"
    # The version history: newest first, thresholds readable, the active one marked.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    history = (
        page(client, site.staff["admin"], "/analytics/rules/").content.decode().split('data-testid="rules-history"')[1]
    )
    rows = history.split("<tbody>")[1].split("</tr>")
    assert rows[0].startswith("<tr><td>2") and "active" in rows[0] and "raise gold" in rows[0]
    assert "Gold ≥ ¥150,000" in rows[0] and "Gold ≥ ¥100,000" in rows[1] and "AUM on the business date" in rows[0]
    assert "active" not in rows[1]


def test_customer_panel_shows_tier_and_history(site, client):
    panel = f"/analytics/customers/{site.customers['C1'].pk}/value/"
    empty = page(client, site.staff["rm_b1"], panel).content.decode()
    assert "tier-history" not in empty and 'data-testid="value-panel"' in empty
    nightly("--date", D3.isoformat())
    nightly()
    text = page(client, site.staff["rm_b1"], panel).content.decode()
    assert "badge tier-black_gold" in text and 'data-testid="tier-history"' in text and "badge tier-platinum" in text
    foreign = f"/analytics/customers/{site.customers['C3'].pk}/value/"
    assert page(client, site.staff["rm_b1"], foreign).status_code == 404


def test_value_pyramid_per_branch(site, client):
    nightly()
    text = page(client, site.staff["analyst"], "/analytics/").content.decode()
    table = text[text.index('data-testid="branch-level-table"') :].split("</table>")[0]
    rows = re.findall(r"<tr><td>(\S+) <span[^>]*>(\w+)</span></td>(.*?)</tr>", table)
    cells = {code: [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', rest)] for _, code, rest in rows}
    # Each branch ranked within itself (tests/analytics/bank.py: B1 has 3 customers, B2 4): the cells
    # add up to the branch's customers, and the total is the last cell.
    assert {code: c[-1] for code, c in cells.items()} == {"B1": 3, "B2": 4}
    assert all(sum(c[:-1]) == c[-1] for c in cells.values())
    head = page(client, site.staff["head_b1"], "/analytics/").content.decode()
    assert "branch-level-table" in head and "上海分行" not in head
