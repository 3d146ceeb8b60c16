"""The loyalty dashboard and its XLSX exports: data and empty states, scoping, header and masking."""

import datetime as dt
import io
import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from openpyxl import load_workbook

from tenure import lake
from tenure.analytics.models import NightlyRun

DAY = dt.date(2025, 4, 30)
MONTH = DAY.year * 12 + DAY.month - 1
NOS = ["C0000001", "C0000002", "C0000003", "C0000009"]  # the last is zhao, foreign to everyone under B01


@pytest.fixture
def outputs(bank):
    """Activity and CLV outputs for the tiny bank's four customers, as the nightly run writes them."""
    activity = pa.table(
        {
            "customer_no": NOS,
            "branch_code": ["S0101", "S0101", "S0102", "S0201"],
            "rm_employee_no": ["E101", "E101", "E102", "E201"],
            "asset_tier": ["gold", "standard", "standard", "diamond"],
            "value_level": ["key", "small", "small", "key"],
            "contribution": [900.0, 10.0, -5.0, 5000.0],
            "onboarded_month": [MONTH - 20, MONTH - 2, MONTH - 2, MONTH - 20],
            "observed_from": [MONTH - 3] * 4,
            "as_of_month": [MONTH] * 4,
            "active_bits": [0b1111, 0b0111, 0b0100, 0b1111],
            "active_months": [4, 3, 1, 4],
            "last_active_month": [MONTH, MONTH, MONTH - 2, MONTH],
        }
    )
    clv = pa.table(
        {
            "customer_no": NOS,
            "branch_code": ["S0101", "S0101", "S0102", "S0201"],
            "p_alive": [0.99, 0.95, 0.3, 0.99],
            "expected_purchases": [40.0, 20.0, 1.0, 60.0],
            "clv": [800.0, 12.0, -2.0, 9000.0],
            "frequency": [39, 19, 0, 59],
            "value_per_purchase": [22.5, 0.5, -5.0, 83.3],
        }
    )
    features = pa.table(
        {"customer_no": NOS, "aum": [1000.0, 0.0, 500.0, 9000.0], "competitor_amount": [1000.0, 0.0, 0.0, 1.0]}
    )
    for step, table in (("activity", activity), ("clv", clv), ("features", features)):
        lake.write_output(step, DAY, table, run_key="k", config_version=1)
        NightlyRun.objects.create(
            business_date=DAY, step=step, run_key="k", config_version=1, engine="duckdb", status="done"
        )
    return bank


def test_empty_state_before_any_run(bank, login):
    page = login(bank.staff["analyst"]).get("/loyalty/")
    assert page.status_code == 200
    assert b'data-testid="loyalty-empty"' in page.content


def test_analyst_sees_every_customer(outputs, login):
    page = login(outputs.staff["analyst"]).get("/loyalty/").content.decode()
    assert 'data-testid="loyalty-customers">4<' in page
    assert "赵敏" in page and 'id="loyalty-data"' in page and "cohort-chart" in page


def test_rm_sees_only_the_subtree(outputs, login):
    client = login(outputs.staff["rm_a"])
    page = client.get("/loyalty/").content.decode()
    assert 'data-testid="loyalty-customers">2<' in page  # S0101 only
    assert "赵敏" not in page and "C0000009" not in page and "李娜" not in page
    # A branch outside the scope in the filter narrows nothing open: still nobody foreign.
    page = client.get("/loyalty/?branch=S0201").content.decode()
    assert "C0000009" not in page and 'data-testid="loyalty-empty"' in page


def test_branch_head_and_filters(outputs, login):
    page = login(outputs.staff["head_a"]).get("/loyalty/?tier=standard").content.decode()
    assert 'data-testid="loyalty-customers">2<' in page  # B01 subtree, standard tier: 王磊, 李娜


def test_export_header_has_date_and_filters_and_masks_names(outputs, login):
    client = login(outputs.staff["head_a"])
    response = client.get("/loyalty/export.xlsx?table=top_clv&level=key")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[1][1] == "2025-04-30" and cells[2][1] == "价值层级: 关键客户"  # business date, filters as labels
    text = " ".join(str(c) for row in cells for c in row if c is not None)
    assert "王*" in text and "王芳" not in text  # masked name
    assert "C0000009" not in text  # foreign customer never exported


def test_every_table_exports_and_unknown_table_is_404(outputs, login):
    client = login(outputs.staff["analyst"])
    for table in ("trend", "annual", "cohorts", "segments", "top_clv", "thank_you", "wallet"):
        assert client.get(f"/loyalty/export.xlsx?table={table}").status_code == 200, table
    assert client.get("/loyalty/export.xlsx?table=nope").status_code == 404


def _report_total_assets(answers: list[tuple[object, str]]) -> None:
    """Survey answers to a total-financial-assets question (choice "a" stands for 4,000 yuan, "b" for
    100), each in a wave of its own, submitted in this order a minute apart, as the surveys app stores them."""
    from django.utils import timezone

    from tenure.surveys.models import Answer, Invitation, Question, Response, Survey, Wave

    survey = Survey.objects.create(code="assets", title_zh="资产")
    question = Question.objects.create(
        survey=survey,
        code="total",
        kind="single",
        text_zh="金融资产总额",
        tag="total_financial_assets",
        choices=[{"code": "a", "zh": "a", "en": "a", "value": 4000}, {"code": "b", "zh": "b", "en": "b", "value": 100}],
    )
    now = timezone.now()
    for n, (customer, choice) in enumerate(answers):
        wave = Wave.objects.create(survey=survey, name=f"W{n}", opened_on=now.date(), expires_at=now)
        invitation = Invitation.objects.create(
            wave=wave, customer=customer, token_hash=f"t{n}", branch_code="S0101", created_at=now, expires_at=now
        )
        submitted = now + dt.timedelta(minutes=n)
        response = Response.objects.create(invitation=invitation, wave=wave, customer=customer, submitted_at=submitted)
        Answer.objects.create(response=response, question=question, choice=choice)


def test_share_of_wallet_prefers_the_survey(outputs, login, settings):
    from tenure.loyalty.wallet import share_of_wallet

    # 王芳 says 4,000 in all (AUM 1,000; her earlier answer said 100); 李娜 reports less than the bank
    # holds: the bank's AUM is the floor. Read from the surveys' answers, not from any file.
    wang, li = outputs.customers["wang"], outputs.customers["li"]
    li_alone = share_of_wallet(pd.Series(["C0000003"]), DAY)  # no answer yet, no competitor product known
    assert li_alone["source"].tolist() == ["unknown"] and li_alone["share"].isna().all()  # not 100 %
    _report_total_assets([(wang, "b"), (wang, "a"), (li, "b")])
    shares = share_of_wallet(pd.Series(NOS), DAY).set_index("customer_no")
    assert shares.loc["C0000001", ["share", "source"]].tolist() == [0.25, "survey"]
    assert shares.loc["C0000003", "share"] == 1.0
    assert shares.loc["C0000009", ["share", "source"]].tolist() == [0.9999, "estimate"]  # 9000 / 9001
    assert "C0000002" not in shares.index  # no assets: no share
    page = login(outputs.staff["analyst"]).get("/loyalty/").content.decode()
    assert 'data-testid="table-wallet"' in page
    assert not [p for p in settings.TENURE_HOME.rglob("*.csv")]


def test_the_360_page_shows_the_customers_lifetime_value(outputs, login):
    client = login(outputs.staff["rm_a"])
    html = client.get(f"/loyalty/customers/{outputs.customers['wang'].pk}/panel/").content.decode()
    assert "¥800" in html and "99%" in html and "¥22.50" in html
    assert client.get(f"/loyalty/customers/{outputs.customers['zhao'].pk}/panel/").status_code == 404


def test_the_clv_panel_before_any_run(bank, login):
    html = login(bank.staff["rm_a"]).get(f"/loyalty/customers/{bank.customers['wang'].pk}/panel/").content.decode()
    assert 'data-testid="clv-panel"' in html and "¥" not in html


def test_segments_read_as_names_and_charts_speak_the_page_language(outputs, login):
    client = login(outputs.staff["analyst"])
    response = client.get("/loyalty/export.xlsx?table=segments")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    segments = {row[1] for row in rows if row and row[0] in ("Tier", "等级", "Value level", "价值层级")}
    assert segments and not segments & {"standard", "gold", "platinum", "key", "important", "ordinary", "small"}
    assert segments & {"普通", "Standard"}  # the tier's name, in the page's language

    def labels(language: str) -> dict:
        page = client.get("/loyalty/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return json.loads(re.search(r'<script id="loyalty-labels" type="application/json">(.*?)</script>', page)[1])

    assert labels("zh-hans")["months_since_onboarding"] == "开户后月数"
    assert labels("en")["months_since_onboarding"] == "Months since onboarding"


def test_rates_export_as_numbers_with_a_percent_format_and_tables_show_labels(outputs, login):
    """Issue 29: 0.9985000000000001 in an XLSX; tier codes and branch codes in the CLV tables."""
    client = login(outputs.staff["analyst"])
    sheet = load_workbook(io.BytesIO(client.get("/loyalty/export.xlsx?table=segments").content)).active
    rates = [row[4] for row in sheet.iter_rows(min_row=9)]
    assert rates and all(cell.number_format == "0.00%" and 0 <= cell.value <= 1 for cell in rates)
    page = client.get("/loyalty/").content.decode()
    top = page[page.index('data-testid="table-top_clv"') : page.index('data-testid="table-thank_you"')]
    assert "金卡" in top and ">gold<" not in top and "S0101" not in top and "99.0%" in top and "¥800" in top


def test_the_thank_you_list_thanks_loyalty_not_the_top_clv_names_again(outputs, login, monkeypatch):
    from tenure.loyalty import report

    monkeypatch.setattr(report, "TOP", 1)  # the top-CLV list holds 赵敏 (9,000) alone
    page = login(outputs.staff["analyst"]).get("/loyalty/").content.decode()
    thanks = page[page.index('data-testid="table-thank_you"') :]
    assert "王芳" in thanks and "赵敏" not in thanks  # the longest-standing active customer not already listed
