"""The churn policy as versioned rules: the built-in version, the administrator's editor (reason,
audit, validation), readers following the version in force, the console's rule versions."""

from __future__ import annotations

from tenure.churn.models import ChurnPolicy
from tenure.churn.rules import active_policy, built_in_policy
from tenure.churn.severity import severities, severity_grid
from tenure.core.models import AuditEntry
from tests.factories import english  # noqa: F401

FORM = {
    "high": "40",
    "medium": "12",
    "value_at_risk_high": "3,000",
    "sla_working_days": "5",
    "key_tiers": ["black_gold", "diamond"],
    "low_levels": ["small", "ordinary"],
    "high_levels": ["key"],
    "long_tenure_years": "8",
    "note": "总行风险委员会 2026-12 决议",
}


def test_the_built_in_version_is_stored_and_in_force(bank):
    policy = active_policy()
    assert policy.version == 1 and policy.rules == built_in_policy()
    assert severity_grid()["version"] == 1 and severity_grid()["high_pct"] == 30


def test_a_deployment_override_applies_to_the_built_in_version(bank, settings):
    settings.TENURE_CHURN = {"severity": {"high": 0.5}, "label": {"aum_share": 0.2}}
    assert active_policy().rules["severity"] == {"high": 0.5, "medium": 0.1, "value_at_risk_high": 2000}


def test_an_administrator_saves_a_version_that_readers_follow(bank, login, english):  # noqa: F811
    client = login(bank.staff["admin"])
    page = client.get("/churn/policy/").content.decode()
    assert 'data-testid="policy-form"' in page and 'data-testid="policy-history"' in page
    assert severities([0.35], [0.0]).tolist() == ["high"]
    response = client.post("/churn/policy/", FORM)
    assert response.status_code == 302
    policy = active_policy()
    assert policy.version == 2
    assert policy.rules["severity"] == {"high": 0.4, "medium": 0.12, "value_at_risk_high": 3000.0}
    assert policy.rules["alerts"]["sla_working_days"] == 5 and policy.rules["policy"]["long_tenure_years"] == 8
    assert policy.rules["signals"] == built_in_policy()["signals"]  # carried over
    assert severities([0.35], [0.0]).tolist() == ["medium"]  # 35 % is no longer high
    entry = AuditEntry.objects.get(action="churn.policy_save")
    assert entry.actor_name == "admin" and entry.detail["note"] == FORM["note"]
    console = client.get("/console/config/").content.decode()
    assert "Churn policy" in console and "3000.0" in console  # the diff against version 1


def test_a_policy_that_cannot_work_is_refused_and_nothing_is_saved(bank, login, english):  # noqa: F811
    client = login(bank.staff["admin"])
    response = client.post("/churn/policy/", {**FORM, "medium": "50"})
    assert response.status_code == 400 and "The medium probability must be below the high one." in response.text
    both = client.post("/churn/policy/", {**FORM, "high_levels": ["small"]})
    assert both.status_code == 400 and "both let go and kept" in both.text
    assert client.post("/churn/policy/", {**FORM, "note": ""}).status_code == 400
    assert ChurnPolicy.objects.count() == 1


def test_only_administrators_edit_the_policy(bank, login):
    for username in ("head_a", "analyst", "rm_a"):
        assert login(bank.staff[username]).post("/churn/policy/", FORM).status_code == 403
    assert ChurnPolicy.objects.count() == 1


def _thresholds_form(client, **changes) -> dict:
    """The thresholds page's form as shown (every field's current value), with `changes`."""
    import re

    page = client.get("/churn/policy/signals/").content.decode()
    values = dict(re.findall(r'name="(\w+__\w+)"[^>]*?value="([^"]*)"', page))
    selected = dict(
        re.findall(r'<select name="(\w+)"[^>]*>(?:(?!</select>).)*?<option value="(\d)" selected', page, re.S)
    )
    return {**values, **selected, "note": "2026 年度阈值复核", **changes}


def test_an_administrator_changes_a_signal_threshold_and_the_next_run_follows_it(bank, login, english):  # noqa: F811
    from tenure.churn import signals
    from tests.churn.test_signals import DAY, fired, frame

    client = login(bank.staff["admin"])
    page = client.get("/churn/policy/signals/").content.decode()
    assert 'data-testid="signals-form"' in page
    assert "AUM fell since last month-end by at least (%)" in page and 'value="30"' in page  # 0.3 shown as 30 %
    assert 'value="50,000"' in page  # money with separators
    response = client.post(
        "/churn/policy/signals/", _thresholds_form(client, aum_drop__share="20", large_withdrawal__amount="80,000")
    )
    assert response.status_code == 302
    policy = active_policy()
    assert policy.version == 2
    assert policy.rules["signals"]["aum_drop"]["share"] == 0.2
    assert policy.rules["signals"]["large_withdrawal"]["amount"] == 80000.0
    assert policy.rules["severity"] == built_in_policy()["severity"]  # carried over
    rest = {k: v for k, v in policy.rules["signals"].items() if k not in ("aum_drop", "large_withdrawal")}
    assert rest == {k: v for k, v in built_in_policy()["signals"].items() if k not in ("aum_drop", "large_withdrawal")}
    # A 25 % fall: below the built-in 30 %, at or above the new 20 %.
    assert fired(signals.aum_drop(frame(aum=75000.0), policy.rules["signals"]["aum_drop"], DAY)) == ["A"]
    entry = AuditEntry.objects.get(action="churn.policy_save")
    assert entry.detail["note"] == "2026 年度阈值复核" and entry.detail["previous_version"] == 1


def test_a_threshold_out_of_range_or_out_of_order_is_refused_with_its_reason(bank, login, english):  # noqa: F811
    client = login(bank.staff["admin"])
    crossed = client.post("/churn/policy/signals/", _thresholds_form(client, aum_drop__share="60"))
    assert crossed.status_code == 400 and "The AUM fall rated high must be at least the fall" in crossed.text
    too_many = client.post("/churn/policy/signals/", _thresholds_form(client, dormant_payroll__min_months="7"))
    assert too_many.status_code == 400 and "less than or equal to 6" in too_many.text
    assert client.post("/churn/policy/signals/", _thresholds_form(client, note="")).status_code == 400
    assert ChurnPolicy.objects.count() == 1
    assert login(bank.staff["analyst"]).get("/churn/policy/signals/").status_code == 403


def test_a_policy_saved_another_way_is_checked_threshold_by_threshold(bank):
    import pytest

    from tenure.churn.rules import PolicyError, policy_save

    rules = built_in_policy()
    rules["signals"]["relocation"]["days"] = 0
    with pytest.raises(PolicyError) as refused:
        policy_save(by=bank.staff["admin"], rules=rules, note="x")
    assert refused.value.field == "signals.relocation.days"
