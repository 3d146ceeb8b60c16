"""Where staff meet churn: the RM home's at-risk card, the at-risk Excel export and the navigation."""

import datetime as dt
import io

from openpyxl import load_workbook

from tenure.churn.models import ChurnScore
from tenure.core.models import AuditEntry

DAY = dt.date(2026, 7, 31)
REASON = {"feature": "payroll_1m", "zh": "本月无代发工资入账", "en": "No payroll this month"}


def seed(bank):
    for key, p, band in (
        ("wang", 0.45, "high"),
        ("wanglei", 0.05, "low"),
        ("li", 0.2, "medium"),
        ("zhao", 0.5, "high"),
    ):
        ChurnScore.objects.create(
            customer=bank.customers[key], business_date=DAY, model_version=1, probability=p, band=band, reasons=[REASON]
        )


def test_rm_home_card_lists_my_customers_at_risk_with_reasons(bank, login):
    seed(bank)
    client = login(bank.staff["rm_a"])
    assert "churn/at-risk/card/" in client.get("/").content.decode()
    card = client.get("/churn/at-risk/card/").content.decode()
    assert "王芳" in card and "本月无代发工资入账" in card
    assert "王磊" not in card and "李娜" not in card and "赵敏" not in card  # low band, other RM, other branch


def test_at_risk_export_is_my_book_and_audited(bank, login):
    seed(bank)
    response = login(bank.staff["rm_a"]).get("/churn/at-risk.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["C0000001"] and rows[1][4] == "本月无代发工资入账"
    assert AuditEntry.objects.filter(action="churn.at_risk.export").count() == 1
    head = login(bank.staff["head_a"]).get("/churn/at-risk.xlsx")
    codes = [r[0] for r in load_workbook(io.BytesIO(head.content)).active.iter_rows(values_only=True)][1:]
    assert codes == ["C0000001", "C0000003"]  # the whole subtree for the branch head, never B02


def test_navigation_links_to_churn(bank, login):
    assert 'href="/churn/"' in login(bank.staff["lobby_a"]).get("/").content.decode()
