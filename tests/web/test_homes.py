"""Homes per role (issue 29): the service desk, the branch head's late work and team activity, the
compliance home's reveals by reason code; audit actions in words everywhere; the audit log as XLSX;
the API documentation in the user menu."""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

import tenure
from tenure.churn.models import Alert
from tenure.complaints.services import complaint_create
from tenure.contacts.models import Interaction
from tenure.core.audit import audit
from tenure.core.models import AuditEntry
from tenure.surveys.models import CallbackTask
from tenure.web.audit_labels import ACTION_LABELS, action_label
from tenure.web.audit_log import EXPORT_COLUMNS
from tests.factories import english  # noqa: F401 - the fixture
from tests.surveys.conftest import issue, templates  # noqa: F401 - the fixture
from tests.surveys.test_results import answer


def kpis(html: str) -> dict[str, str]:
    """{"overdue": "1", ...} from the KPI cards (`data-testid="kpi-…"`, the figure possibly a link)."""
    return dict(re.findall(r'data-testid="kpi-([a-z-]+)">(?:<a [^>]*>)?([^<]+)<', html))


def complain(bank, key: str, *, severity: str, received_at: dt.datetime):
    return complaint_create(
        by=bank.staff["service"],
        customer=bank.customers[key],
        channel="counter",
        description="柜台排队太久。",
        severity=severity,
        received_at=received_at,
    )


@pytest.fixture
def complaints(bank):
    """Per customer: one complaint past its deadline, one due within minutes (today), one not due yet."""
    now = timezone.now()
    made = {}
    for key in ("wang", "zhao"):
        made[key] = [
            complain(bank, key, severity="critical", received_at=now - dt.timedelta(days=10)),
            # Critical: acknowledge within 2 hours, so due 5 minutes from now.
            complain(bank, key, severity="critical", received_at=now - dt.timedelta(minutes=115)),
            complain(bank, key, severity="low", received_at=now),
        ]
    return made


@pytest.mark.usefixtures("english")
def test_the_service_officer_gets_the_service_desk_not_the_bank_totals(bank, templates, complaints, login):  # noqa: F811
    issued = issue("relationship", bank.staff["service"])
    by_customer = {i.customer.customer_no: i for i, _ in issued.links}
    now = timezone.now()
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=5)).replace(day=10)
    answer(by_customer["C0000001"], perf=5, nps=10, when=now)
    answer(by_customer["C0000002"], perf=5, nps=9, when=now)
    answer(by_customer["C0000009"], perf=2, nps=3, when=now)
    answer(
        by_customer["C0000003"],
        perf=5,
        nps=10,
        when=timezone.make_aware(dt.datetime.combine(last_month, dt.time(12))),
    )
    CallbackTask.objects.create(customer=bank.foreign, wave=issued.wave, branch_code="S0201", reason="r")
    CallbackTask.objects.create(customer=bank.customers["wang"], wave=issued.wave, branch_code="S0101", reason="r")
    done = CallbackTask.objects.create(customer=bank.customers["li"], wave=issued.wave, branch_code="S0102", reason="r")
    CallbackTask.objects.filter(pk=done.pk).update(status="done")

    response = login(bank.staff["service"]).get("/")
    html = response.content.decode()
    assert response.templates[0].name == "web/home_service.html"
    assert 'data-testid="kpi-customers"' not in html  # not the bank's AUM page
    # Bank-wide: two complaints overdue, two due today, three open per customer; two open callbacks;
    # this month's NPS is (2 promoters - 1 detractor) / 3 answers.
    assert kpis(html) == {"overdue": "2", "due-today": "2", "callbacks": "2", "nps": "33.3"}
    assert "of 6 open complaints" in html
    assert 'href="/complaints/?due=overdue"' in html and 'href="/complaints/?due=today"' in html
    assert 'href="/surveys/callbacks/"' in html
    chart = json.loads(html.split('id="nps-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == [last_month.strftime("%Y-%m"), timezone.localdate().strftime("%Y-%m")]
    assert chart["values"] == [100.0, 33.3] and chart["unit"] == ""
    urgent = html.split('data-testid="urgent-complaints"')[1].split("</table>")[0]
    assert urgent.count('class="overdue"') == 2  # the two late ones first


def test_the_complaint_queue_filters_by_deadline(bank, complaints, login):
    client = login(bank.staff["head_a"])  # B01: Wang Fang's complaints only
    wang = complaints["wang"]
    for due, expected in (("overdue", [wang[0]]), ("today", [wang[1]]), ("", wang)):
        page = client.get("/complaints/", {"due": due} if due else {}).content.decode()
        shown = set(re.findall(r'href="/complaints/(\d+)/"', page))
        assert shown == {str(c.pk) for c in expected}, due


@pytest.mark.usefixtures("english")
def test_the_branch_head_sees_late_alerts_late_complaints_and_team_activity(lake, complaints, login):
    today = timezone.localdate()
    staff = lake.staff
    for key, owner, due_on in (
        ("wang", "rm_a", today - dt.timedelta(days=3)),  # late, in B01
        ("li", "rm_a2", today + dt.timedelta(days=2)),  # not yet due
        ("zhao", "rm_b", today - dt.timedelta(days=9)),  # late, but in B02
    ):
        Alert.objects.create(
            customer=lake.customers[key],
            cause="aum_drop",
            severity="high",
            business_date=today - dt.timedelta(days=10),
            owner=staff[owner],
            due_on=due_on,
        )
    for key, who in (("wang", "rm_a"), ("wanglei", "rm_a"), ("li", "rm_a2"), ("zhao", "rm_b")):
        Interaction.objects.create(customer=lake.customers[key], staff=staff[who], channel="phone", summary="回访")
    staff["rm_a"].full_name = "李明"
    staff["rm_a"].save(update_fields=["full_name"])

    html = login(staff["head_a"]).get("/").content.decode()
    assert kpis(html)["late-alerts"] == "1"
    assert kpis(html)["complaints-overdue"] == "1"  # Zhao Min's complaint is in another branch
    assert kpis(html)["contacts-week"] == "3"
    late = html.split('data-testid="late-alerts"')[1].split("</table>")[0]
    assert "王芳" in late and "李明" in late and "3 days" in late and "赵敏" not in late
    team = html.split('data-testid="team"')[1].split("</table>")[0]
    assert "李明" in team
    contacts = dict(re.findall(r'data-testid="contacts-(\d+)">(\d+)<', team))
    assert contacts == {str(staff["rm_a"].pk): "2", str(staff["rm_a2"].pk): "1"}


def reveal(client, customer, **data):
    return client.post(f"/customers/{customer.pk}/unmask/", {"field": "mobile", **data}, HTTP_HX_REQUEST="true")


def test_the_reveal_dialog_offers_reason_codes_and_other_needs_words(lake, login):
    wang = lake.customers["wang"]
    client = login(lake.staff["rm_a"])
    page = client.get(f"/customers/{wang.pk}/").content.decode()
    for code in ("customer_call", "transaction", "complaint", "other"):
        assert f'<option value="{code}">' in page
    assert 'name="reason_code" required' in page
    assert "13812345678" not in reveal(client, wang, reason="客户来电").content.decode()  # no code
    assert "13812345678" not in reveal(client, wang, reason_code="other", reason="").content.decode()
    assert not AuditEntry.objects.filter(action="customer.unmask").exists()
    assert "13812345678" in reveal(client, wang, reason_code="complaint").content.decode()
    assert "13812345678" in reveal(client, wang, reason_code="other", reason="支行核对开户资料").content.decode()
    entries = AuditEntry.objects.filter(action="customer.unmask").order_by("id")
    assert [(e.detail, e.reason) for e in entries] == [
        ({"field": "mobile", "reason_code": "complaint"}, ""),
        ({"field": "mobile", "reason_code": "other"}, "支行核对开户资料"),
    ]


@pytest.mark.usefixtures("english")
def test_compliance_counts_reveals_by_reason_this_month_and_reads_actions_as_words(lake, login):
    wang, rm = lake.customers["wang"], login(lake.staff["rm_a"])
    for code in ("customer_call", "customer_call", "transaction"):
        reveal(rm, wang, reason_code=code)
    # A reveal written before reason codes existed: free text only, still readable.
    audit(action="customer.unmask", actor=lake.staff["rm_a"], customer_no="C0000001", reason="核实 13812345678")
    audit(action="customer.export", actor=lake.staff["head_a"], detail={"rows": 3})
    html = login(lake.staff["compliance"]).get("/").content.decode()
    counts = dict(re.findall(r'data-testid="reason-([a-z_]+)">(\d+) reveal', html))
    assert counts == {"customer_call": "2", "transaction": "1", "complaint": "0", "other": "0", "uncoded": "1"}
    assert "Customer called, identity verified" in html
    assert "核实 138****5678" in html and "13812345678" not in html
    assert "Exported the customer list" in html and ">customer.export<" not in html
    log = login(lake.staff["compliance"]).get("/audit/").content.decode()
    assert "Revealed personal data" in log and "Transaction in progress" in log
    assert '<option value="customer.unmask">Revealed personal data</option>' in log


def audit_calls(keyword: str = "action") -> list[tuple[str, ast.expr]]:
    """(file, `keyword` argument) of every `audit(...)` call in the code."""
    found = []
    for path in Path(tenure.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit":
                found += [(str(path), kw.value) for kw in node.keywords if kw.arg == keyword]
    return found


def test_every_action_the_code_writes_has_a_label():
    calls = audit_calls()
    assert len(calls) > 50
    missing = []
    for path, value in calls:
        for option in [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]:
            if isinstance(option, ast.Constant):
                if option.value not in ACTION_LABELS:
                    missing.append(option.value)
            elif isinstance(option, ast.JoinedStr):  # f"message.{status}": some label of that family
                prefix = option.values[0].value if isinstance(option.values[0], ast.Constant) else ""
                if not prefix or not any(code.startswith(str(prefix)) for code in ACTION_LABELS):
                    missing.append(f"{path}: {ast.unparse(option)}")
            else:
                missing.append(f"{path}: {ast.unparse(option)} (write the action as a literal)")
    assert missing == [], f"add these actions to tenure/web/audit_labels.py ACTION_LABELS: {missing}"


def test_every_object_type_the_code_writes_has_a_label():
    from tenure.web.audit_labels import OBJECT_LABELS

    types = {value.value for _path, value in audit_calls("object_type") if isinstance(value, ast.Constant)}
    assert len(types) > 20 and types - set(OBJECT_LABELS) == set()


def test_message_receipt_actions_have_labels():
    from tenure.messaging.services import RECEIPT_STATUSES

    assert {f"message.{status}" for status in RECEIPT_STATUSES.values()} <= set(ACTION_LABELS)


def test_an_unknown_action_reads_as_its_code():
    with translation.override("en"):
        assert action_label("customer.view") == "Viewed a customer"
        assert action_label("something.new") == "something.new"


def test_the_audit_log_exports_xlsx_with_headers_in_the_page_language(lake, login):
    rm = lake.staff["rm_a"]
    reveal(login(rm), lake.customers["wang"], reason_code="customer_call")
    client = login(lake.staff["compliance"])
    response = client.get("/audit/export.xlsx", {"action": "customer.unmask"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        assert list(rows[0]) == [str(c) for c in EXPORT_COLUMNS]
        label = action_label("customer.unmask")
    assert rows[0][:3] == ("时间", "用户", "操作")
    assert len(rows) == 2
    at, actor, action, *_rest = rows[1]
    assert isinstance(at, dt.datetime) and at.date() == timezone.localdate()
    assert (actor, action) == ("rm_a", label)
    assert AuditEntry.objects.filter(action="audit.export", detail__format="xlsx").exists()
    in_english = client.get("/audit/export.xlsx", {"action": "customer.unmask"}, HTTP_ACCEPT_LANGUAGE="en")
    english_rows = list(load_workbook(io.BytesIO(in_english.content)).active.iter_rows(values_only=True))
    assert english_rows[0][:3] == ("Time", "User", "Action")
    assert english_rows[1][2] == "Revealed personal data"
    assert english_rows[1][6] == "Customer called, identity verified"


def test_the_api_documentation_is_in_the_user_menu_of_the_roles_that_use_the_api(bank, login):
    for who, shown in (("analyst", True), ("admin", True), ("compliance", True), ("rm_a", False), ("service", False)):
        html = login(bank.staff[who]).get("/").content.decode()
        nav = html.split('class="mainnav"')[1].split("</nav>")[0]
        assert reverse("api-docs") not in nav
        assert ('data-testid="api-docs"' in html) is shown, who
