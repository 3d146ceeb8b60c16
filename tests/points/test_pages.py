"""The points pages through HTTP: who may open them, branch scope, the list's filters, sort and
totals, a merchant's statement for a hand-made ledger, redemption (confirmation, balance check,
idempotency, role) and the statement's Excel export."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tenure.core.models import AuditEntry
from tenure.customers.models import Merchant
from tenure.org.models import Staff
from tenure.points import services
from tenure.points.models import PointsJournal, PointsVolume
from tests.points.shops import FEB, Kind, merchant, post


def bank_staff(username: str) -> Staff:
    return Staff.objects.get(username=username)


def listed(client, query: str = "") -> list[str]:
    """Merchant numbers in the list, in page order."""
    response = client.get("/points/" + query)
    assert response.status_code == 200
    return re.findall(r'<td class="mono"><a href="/points/[^"]+/">([^<]+)</a>', response.content.decode())


def cell(text: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', text)
    assert found, testid
    return found.group(1)


# --- who may open the pages, and branch scope ---


@pytest.mark.parametrize("who", ["lobby_a", "service", "compliance", "norole"])
def test_roles_without_points_get_403_and_the_refusal_is_logged(shops, login, who):
    client = login(bank_staff(who))
    for url in ("/points/", "/points/M-A1/", "/points/M-A1/statement.xlsx?month=2026-01"):
        assert client.get(url).status_code == 403
    assert client.post("/points/M-A1/redeem/", {"points": 1, "reward": "x", "key": uuid.uuid4()}).status_code == 403
    denied = AuditEntry.objects.filter(action="access.denied", actor_name=who, object_type="page")
    assert denied.count() == 4
    assert PointsJournal.objects.filter(kind=Kind.REDEEM).count() == 0
    assert 'href="/points/"' not in client.get("/").content.decode()  # no menu link either


@pytest.mark.parametrize("who", ["rm_a", "head_a", "analyst", "admin"])
def test_the_menu_links_to_points_for_the_roles_that_may_open_them(shops, login, who):
    text = login(bank_staff(who)).get("/").content.decode()
    assert '<a href="/points/">积分</a>' in text


def test_a_branch_user_sees_only_the_merchants_of_their_subtree(shops, login):
    assert sorted(listed(login(bank_staff("head_a")))) == ["M-A1", "M-A2", "M-A3"]
    assert sorted(listed(login(bank_staff("rm_a")))) == ["M-A1", "M-A3"]  # 朝阳支行 only
    assert listed(login(bank_staff("rm_b"))) == ["M-B1"]
    assert sorted(listed(login(bank_staff("analyst")))) == ["M-A1", "M-A2", "M-A3", "M-B1"]


def test_a_foreign_merchant_is_a_404_like_a_missing_one_and_only_the_foreign_one_is_logged(shops, login):
    client = login(bank_staff("head_a"))
    for url in ("/points/M-B1/", "/points/M-B1/statement.xlsx?month=2026-02", "/points/NOPE/"):
        assert client.get(url).status_code == 404
    response = client.post(
        "/points/M-B1/redeem/", {"points": 1, "reward": "x", "key": uuid.uuid4(), "action": "confirm"}
    )
    assert response.status_code == 404
    assert PointsJournal.objects.filter(kind=Kind.REDEEM).count() == 0
    denied = AuditEntry.objects.filter(action="access.denied", object_type="merchant")
    assert sorted(denied.values_list("actor_name", "object_id")) == [("head_a", "M-B1")] * 3


# --- the list: filters, sort, totals, chart, empty state ---


def test_the_list_filters_by_category_name_number_and_points(shops, login):
    client = login(bank_staff("head_a"))
    assert listed(client, "?category=wholesale") == ["M-A2"]
    assert listed(client, "?q=火锅") == ["M-A3"]
    assert listed(client, "?q=m-a1") == ["M-A1"]
    assert sorted(listed(client, "?with_points=1")) == ["M-A1", "M-A3"]
    assert listed(client, "?category=wholesale&with_points=1") == []
    assert "没有符合条件的商户" in client.get("/points/?q=nothing").content.decode()
    assert listed(client, "?category=bogus") == listed(client)  # an unknown value is ignored


def test_the_list_sorts_by_balance_by_default_and_by_name_or_number(shops, login):
    client = login(bank_staff("head_a"))
    assert listed(client) == ["M-A1", "M-A3", "M-A2"]  # 120, 30, 0
    assert listed(client, "?sort=balance") == ["M-A2", "M-A3", "M-A1"]
    assert listed(client, "?sort=-merchant_no") == ["M-A3", "M-A2", "M-A1"]
    assert listed(client, "?sort=merchant_no") == ["M-A1", "M-A2", "M-A3"]
    by_name = sorted((shops[k].name, shops[k].merchant_no) for k in ("a1", "a2", "a3"))
    assert listed(client, "?sort=name") == [no for _name, no in by_name]
    text = client.get("/points/?sort=name&category=general").content.decode()
    assert 'href="?category=general&amp;q=&amp;with_points=0&amp;sort=-name"' in text  # the column flips


def test_the_list_shows_category_branch_rate_and_balance(shops, login):
    text = login(bank_staff("head_a")).get("/points/").content.decode()
    assert "批发类" in text and "海淀支行" in text
    assert "0.05%" in text and "1.25%" in text and "0.38%" in text
    assert cell(text, "balance-M-A1") == "120"


def test_the_totals_and_the_chart_cover_the_listed_merchants(shops, login):
    a1, a3 = shops["a1"], shops["a3"]
    services.redeem(a1, 20, reward="收银纸", by=bank_staff("head_a"), key="t1", day=FEB)
    post(a3, Kind.EXPIRE, 5, FEB)
    client = login(bank_staff("head_a"))
    text = client.get("/points/").content.decode()
    assert cell(text, "points-outstanding") == "125"  # 100 + 25 + 0; 浦东's 500 are not listed
    assert cell(text, "points-earned") == "30"  # February, the latest month
    assert cell(text, "points-redeemed") == "20"
    assert cell(text, "points-expired") == "5"
    chart = json.loads(re.search(r'<script id="points-monthly" type="application/json">(.*?)</script>', text).group(1))
    assert chart["months"] == ["2026-01", "2026-02"]
    assert [s["name"] for s in chart["series"]] == ["获得", "冲回（退货）", "兑换", "已过期"]
    assert [s["data"] for s in chart["series"]] == [[120, 30], [0, 0], [0, 20], [0, 5]]
    assert cell(client.get("/points/?category=dining").content.decode(), "points-outstanding") == "25"


def test_before_any_points_the_list_says_how_they_are_made(bank, login):
    merchant("M-A1", "朝阳便利店", "S0101")
    text = login(bank_staff("head_a")).get("/points/").content.decode()
    assert 'data-testid="points-none"' in text and "tenure " not in text
    assert 'id="points-monthly"' not in text
    assert "M-A1" in text
    page = login(bank_staff("head_a")).get("/points/M-A1/").content.decode()
    assert 'data-testid="statement-empty"' in page and "tenure " not in page


# --- a merchant's statement ---


def test_the_statement_shows_a_hand_made_ledger(shops, login):
    a1 = shops["a1"]  # 120 earned in January
    post(a1, Kind.EARN, 50, dt.date(2026, 2, 3))
    post(a1, Kind.REVERSE, 10, dt.date(2026, 2, 5))
    services.redeem(a1, 30, reward="POS 打印纸一箱", by=bank_staff("head_a"), key="s1", day=dt.date(2026, 2, 8))
    post(a1, Kind.EXPIRE, 5, dt.date(2026, 2, 20))
    PointsVolume.objects.create(
        business_date=dt.date(2026, 2, 3), merchant=a1, volume=Decimal("5000.50"), capped_count=2
    )
    PointsVolume.objects.create(
        business_date=dt.date(2026, 2, 5), merchant=a1, volume=Decimal("-1000.25"), capped_count=1
    )
    client = login(bank_staff("rm_a"))
    text = client.get("/points/M-A1/").content.decode()  # the latest month by default
    assert cell(text, "points-balance") == "125"
    assert '<option value="2026-02" selected>' in text and '<option value="2026-01">' in text
    numbers = {k: cell(text, f"st-{k}") for k in ("opening", "earn", "reverse", "redeem", "expire", "closing")}
    assert numbers == {"opening": "120", "earn": "50", "reverse": "10", "redeem": "30", "expire": "5", "closing": "125"}
    assert cell(text, "st-volume") == "¥4,000.25" and cell(text, "st-capped") == "3"
    lines = text[text.index('data-testid="statement-lines"') :]
    rows = re.findall(
        r"<tr>\s*<td[^>]*>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td>([^<]*)</td>"
        r"\s*<td>([^<]*)</td>",
        lines,
    )
    assert [r[1:] for r in rows] == [
        ("获得", "+50", "—", "日终批处理"),
        ("冲回（退货）", "−10", "—", "日终批处理"),
        ("兑换", "−30", "POS 打印纸一箱", "head_a"),
        ("已过期", "−5", "—", "日终批处理"),
    ]
    january = client.get("/points/M-A1/?month=2026-01").content.decode()
    assert (cell(january, "st-opening"), cell(january, "st-earn"), cell(january, "st-closing")) == ("0", "120", "120")
    assert cell(client.get("/points/M-A1/?month=1999-01").content.decode(), "st-closing") == "125"  # unknown: latest


def test_only_branch_heads_and_administrators_see_the_redeem_form(shops, login):
    assert 'data-testid="redeem"' not in login(bank_staff("rm_a")).get("/points/M-A1/").content.decode()
    assert 'data-testid="redeem"' not in login(bank_staff("analyst")).get("/points/M-A1/").content.decode()
    for who in ("head_a", "admin"):
        assert 'data-testid="redeem"' in login(bank_staff(who)).get("/points/M-A1/").content.decode()


# --- redemption ---


def redeem(client, points, key, action="confirm", reward="POS 打印纸一箱", no="M-A1"):
    return client.post(f"/points/{no}/redeem/", {"points": points, "reward": reward, "key": key, "action": action})


def test_a_redemption_is_reviewed_then_confirmed_and_changes_the_balance(shops, login):
    client = login(bank_staff("head_a"))
    key = str(uuid.uuid4())
    review = redeem(client, 100, key, action="review")
    assert review.status_code == 200
    text = review.content.decode()
    assert 'data-testid="redeem-confirm"' in text and "从 120 变为 20" in text
    assert PointsJournal.objects.filter(kind=Kind.REDEEM).count() == 0  # reviewing posts nothing
    response = redeem(client, 100, key)
    assert response.status_code == 302 and response["Location"] == "/points/M-A1/"
    page = client.get("/points/M-A1/").content.decode()
    assert cell(page, "points-balance") == "20"
    assert "已兑换 100 积分，用于“POS 打印纸一箱”。当前积分余额：20。" in page
    journal = PointsJournal.objects.get(kind=Kind.REDEEM)
    assert (journal.points, journal.memo, journal.created_by.username) == (100, "POS 打印纸一箱", "head_a")
    assert AuditEntry.objects.filter(action="points.redeem", actor_name="head_a", object_id="M-A1").count() == 1


def test_redeeming_more_than_the_balance_shows_the_error_and_posts_nothing(shops, login):
    client = login(bank_staff("head_a"))
    for action in ("review", "confirm"):
        response = redeem(client, 121, str(uuid.uuid4()), action=action)
        assert response.status_code == 200
        text = response.content.decode()
        assert "积分不足：积分余额为 120，申请兑换 121。" in text
        assert 'data-testid="redeem-confirm"' not in text
    assert 'id="id_reward_error"' in redeem(client, 5, str(uuid.uuid4()), reward="  ").content.decode()
    assert redeem(client, 0, str(uuid.uuid4())).status_code == 200
    assert PointsJournal.objects.filter(kind=Kind.REDEEM).count() == 0
    assert cell(client.get("/points/M-A1/").content.decode(), "points-balance") == "120"


def test_the_same_form_key_twice_posts_once(shops, login):
    client = login(bank_staff("head_a"))
    key = str(uuid.uuid4())
    assert redeem(client, 70, key).status_code == 302
    second = redeem(client, 70, key)  # a double click: the balance (50) no longer covers it, yet no error
    assert second.status_code == 302
    assert "该笔兑换已记账，未重复记账。" in client.get(second["Location"]).content.decode()
    assert PointsJournal.objects.filter(kind=Kind.REDEEM).count() == 1
    assert cell(client.get("/points/M-A1/").content.decode(), "points-balance") == "50"
    assert redeem(client, 10, str(uuid.uuid4())).status_code == 302  # a new form: a new redemption
    assert PointsJournal.objects.filter(kind=Kind.REDEEM).count() == 2


def test_an_rm_cannot_post_a_redemption(shops, login):
    client = login(bank_staff("rm_a"))
    assert redeem(client, 10, str(uuid.uuid4())).status_code == 403
    assert PointsJournal.objects.filter(kind=Kind.REDEEM).count() == 0
    assert AuditEntry.objects.filter(
        action="access.denied", actor_name="rm_a", object_id="/points/M-A1/redeem/"
    ).exists()
    assert login(bank_staff("head_a")).get("/points/M-A1/redeem/").status_code == 405


# --- the statement's Excel export ---


def test_the_statement_exports_to_excel_and_the_export_is_audited(shops, login):
    a1 = shops["a1"]
    services.redeem(a1, 20, reward="收银纸", by=bank_staff("head_a"), key="x1", day=FEB)
    PointsVolume.objects.create(business_date=FEB, merchant=a1, volume=Decimal("12345.60"), capped_count=4)
    client = login(bank_staff("rm_a"))
    page = client.get("/points/M-A1/?month=2026-02").content.decode()
    assert 'href="/points/M-A1/statement.xlsx?month=2026-02"' in page
    response = client.get("/points/M-A1/statement.xlsx?month=2026-02")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="points-statement-M-A1-2026-02-' in response["Content-Disposition"]
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    summary = {r[0]: r[1] for r in rows[:11]}
    assert summary["商户号"] == "M-A1" and summary["月份"] == "2026-02"
    assert (summary["期初余额"], summary["获得"], summary["兑换"], summary["期末余额"]) == (120, 0, 20, 100)
    assert summary["计入的非封顶交易额（元）"] == 12345.6 and summary["计入的封顶交易笔数"] == 4
    assert rows[12][:5] == ["业务日期", "类别", "变动（积分）", "摘要", "经办人"]
    assert rows[13][1:] == ["兑换", -20, "收银纸", "head_a"]
    entry = AuditEntry.objects.get(action="points.statement.export")
    assert (entry.actor_name, entry.object_id, entry.detail) == ("rm_a", "M-A1", {"month": "2026-02", "rows": 1})


def test_the_360_page_shows_the_merchants_the_customer_owns_and_their_points(shops, bank, login):
    """王芳 owns M-A1 (朝阳支行) and M-B1 (浦东支行): a branch head of 北京分行 sees both balances on her
    360° page and may open M-A1's points only; a customer owning no merchant gets the empty state."""
    wang = bank.customers["wang"]
    Merchant.objects.filter(merchant_no__in=["M-A1", "M-B1"]).update(customer=wang)
    client = login(bank_staff("head_a"))
    assert (
        f'hx-get="/points/customers/{wang.pk}/panel/"'
        in client.get(f"/customers/{wang.pk}/?tab=value").content.decode()
    )
    panel = client.get(f"/points/customers/{wang.pk}/panel/").content.decode()
    rows = re.findall(r"<tr><td>(.*?)</tr>", panel, re.S)
    assert len(rows) == 2
    assert 'href="/points/M-A1/"' in rows[0] and "120" in rows[0]
    assert "浦东超市" in rows[1] and "500" in rows[1] and "href=" not in rows[1]
    empty = client.get(f"/points/customers/{bank.customers['wanglei'].pk}/panel/").content.decode()
    assert "<table" not in empty and 'class="empty"' in empty
    assert client.get(f"/points/customers/{bank.customers['zhao'].pk}/panel/").status_code == 404  # not her branch


def test_the_360_points_panel_has_no_links_for_roles_without_the_points_pages(shops, bank, login):
    wang = bank.customers["wang"]
    Merchant.objects.filter(merchant_no="M-A1").update(customer=wang)
    panel = login(bank_staff("lobby_a")).get(f"/points/customers/{wang.pk}/panel/").content.decode()
    assert "朝阳便利店" in panel and "120" in panel and "href=" not in panel
