"""Alert routing, deduplication, escalation, the scoped work queue and recording an outcome."""

import datetime as dt

import pytest
from django.db import IntegrityError

from tenure.churn.alerts import _routing, alert_act, escalate_overdue
from tenure.churn.models import Alert
from tenure.core.models import AuditEntry

DAY = dt.date(2026, 7, 31)


def make_alert(customer, cause="aum_drop", value=100.0, due=dt.date(2026, 8, 5), **extra) -> Alert:
    return Alert.objects.create(
        customer=customer,
        cause=cause,
        severity="high",
        business_date=DAY,
        due_on=due,
        value_at_risk=value,
        probability=0.4,
        **extra,
    )


def test_routing_sends_to_the_owning_rm(bank):
    routing = _routing(["C0000001", "C0000009"], ["platinum"])
    assert routing.loc["C0000001", "owner_id"] == bank.staff["rm_a"].pk
    assert routing.loc["C0000009", "owner_id"] == bank.staff["rm_b"].pk
    assert routing.branch_head_id.isna().all()  # no key customers without a value level or tier


def test_one_open_alert_per_customer_and_cause(bank):
    make_alert(bank.customers["wang"])
    make_alert(bank.customers["wang"], cause="relocation")  # another cause is fine
    with pytest.raises(IntegrityError):
        make_alert(bank.customers["wang"])


def test_overdue_alerts_escalate(bank):
    late = make_alert(bank.customers["wang"], due=dt.date(2026, 8, 3))
    on_time = make_alert(bank.customers["li"], due=dt.date(2026, 8, 5))
    assert escalate_overdue(today=dt.date(2026, 8, 4)) == 1
    late.refresh_from_db(), on_time.refresh_from_db()
    assert (late.status, on_time.status) == ("escalated", "open")


def test_queue_is_scoped_and_sorted_by_value_at_risk(bank, login):
    rm_a = bank.staff["rm_a"]
    make_alert(bank.customers["wang"], value=10.0, owner=rm_a)
    make_alert(bank.customers["wanglei"], value=500.0, owner=rm_a)
    make_alert(bank.customers["zhao"], value=900.0, owner=bank.staff["rm_b"])
    make_alert(bank.customers["li"], value=700.0, owner=bank.staff["rm_a2"])
    client = login(rm_a)
    mine = client.get("/churn/").content.decode()  # an RM opens on their own alerts
    assert "赵敏" not in mine and "李娜" not in mine
    assert mine.index("王磊") < mine.index("王芳")
    head = login(bank.staff["head_a"]).get("/churn/").content.decode()  # the branch head sees the subtree
    assert "李娜" in head and "赵敏" not in head


def test_recording_an_outcome_closes_the_alert_and_is_audited(bank, login):
    alert = make_alert(bank.customers["wang"])
    client = login(bank.staff["rm_a"])
    url = f"/churn/customers/{bank.customers['wang'].pk}/act/"
    assert client.post(url, {"alert": alert.pk, "outcome": "retained", "note": "回访后转回"}).status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.acted_by) == ("closed", "retained", bank.staff["rm_a"])
    assert AuditEntry.objects.filter(action="churn.alert.act", object_id=str(alert.pk)).exists()


def test_contacted_keeps_the_alert_open(bank):
    alert = alert_act(alert=make_alert(bank.customers["wang"]), by=bank.staff["rm_a"], outcome="contacted", note="")
    assert alert.status == "open"


def test_a_foreign_alert_cannot_be_acted_on(bank, login):
    foreign = make_alert(bank.customers["zhao"])
    client = login(bank.staff["rm_a"])
    wang = bank.customers["wang"].pk
    assert client.post(f"/churn/customers/{wang}/act/", {"alert": foreign.pk, "outcome": "lost"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "open"


def test_the_360_panel_shows_the_score_with_its_reasons(bank, login):
    from tenure.churn.models import ChurnScore

    wang = bank.customers["wang"]
    reason = {"feature": "aum_ratio_3m", "zh": "AUM 下降 38%（近 3 个月）", "en": "AUM down 38% (last 3 months)"}
    ChurnScore.objects.create(
        customer=wang, business_date=DAY, model_version=1, probability=0.42, band="high", reasons=[reason]
    )
    make_alert(wang, detail="60")
    text = login(bank.staff["rm_a"]).get(f"/churn/customers/{wang.pk}/panel/").content.decode()
    assert "42%" in text and "AUM 下降 38%（近 3 个月）" in text and "AUM 较上月下降" in text


def test_excel_export_is_scoped_and_audited(bank, login):
    import io

    from openpyxl import load_workbook

    make_alert(bank.customers["wang"], owner=bank.staff["rm_a"])
    make_alert(bank.customers["zhao"], owner=bank.staff["rm_b"])
    response = login(bank.staff["head_a"]).get("/churn/export.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["C0000001"]
    assert AuditEntry.objects.filter(action="churn.alerts.export").count() == 1


def test_branch_head_hands_ticked_alerts_to_an_rm_of_the_scope(bank, login):
    wang, li = make_alert(bank.customers["wang"], owner=bank.staff["rm_a"]), make_alert(bank.customers["li"])
    client = login(bank.staff["head_a"])
    page = client.get("/churn/?mine=0").content.decode()
    assert 'data-testid="bulk-assign"' in page and f'value="{bank.staff["rm_a2"].pk}"' in page
    assert f'value="{bank.staff["rm_b"].pk}"' not in page  # an RM of another branch is not offered
    response = client.post("/churn/assign/", {"alert": [wang.pk, li.pk], "owner": bank.staff["rm_a2"].pk})
    assert response.status_code == 302
    wang.refresh_from_db(), li.refresh_from_db()
    assert wang.owner == li.owner == bank.staff["rm_a2"]
    assert AuditEntry.objects.filter(action="churn.alert.assign").count() == 2


def test_bulk_assign_refuses_foreign_alerts_foreign_rms_and_rms_themselves(bank, login):
    ours, foreign = make_alert(bank.customers["wang"]), make_alert(bank.customers["zhao"])
    head = login(bank.staff["head_a"])
    both = {"alert": [ours.pk, foreign.pk], "owner": bank.staff["rm_a"].pk}
    assert head.post("/churn/assign/", both).status_code == 400
    assert head.post("/churn/assign/", {"alert": [ours.pk], "owner": bank.staff["rm_b"].pk}).status_code == 400
    for owner in ("abc", "1e3", "-1", "9" * 30, "1\x00"):  # typed by hand: a 400, never a server error
        assert head.post("/churn/assign/", {"alert": [ours.pk], "owner": owner}).status_code == 400
    rm = login(bank.staff["rm_a"])
    assert 'data-testid="bulk-assign"' not in rm.get("/churn/").content.decode()
    assert rm.post("/churn/assign/", {"alert": [ours.pk], "owner": bank.staff["rm_a2"].pk}).status_code == 403
    ours.refresh_from_db(), foreign.refresh_from_db()
    assert ours.owner is None and foreign.owner is None
    assert not AuditEntry.objects.filter(action="churn.alert.assign").exists()
