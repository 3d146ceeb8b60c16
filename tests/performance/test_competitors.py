"""The competitor comparison: their offerings beside ours, analysts' edits audited and refused to
other roles, mystery-shopping notes and lost-customer reasons within the viewer's scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tenure.core.models import AuditEntry
from tenure.customers.models import Product
from tenure.offers.models import ProductTerms
from tenure.performance import competitors
from tenure.performance.models import MysteryShop
from tenure.retention.models import LostInterview

URL = reverse("performance:competitors")
OFFER = {
    "issuer": "招商银行",
    "name": "朝朝宝",
    "product_type": "wealth",
    "risk_rating": "R1",
    "rate": "2.85",
    "term_months": "",
    "min_amount": "1,000",
    "fees": "免申购费",
    "features": "T+0 到账",
    "valid_from": "2026-01-01",
    "valid_to": "",
}


@pytest.fixture
def priced(bank):
    """Our wealth product at 2.40 % (minimum ¥50,000) and the bank's ICBC product at 3.10 %."""
    Product.objects.filter(code="P-WM").update(rate=Decimal("2.40"))
    ProductTerms.objects.create(product_id=Product.objects.get(code="P-WM").pk, min_amount=50000, fees="认购费 0.1%")
    Product.objects.filter(code="X-ICBC").update(rate=Decimal("3.10"))
    return bank


def test_their_offerings_show_beside_ours_of_the_same_type(priced, login):
    page = login(priced.staff["rm_a"]).get(URL).content.decode()
    ours, theirs = Product.objects.get(code="P-WM"), Product.objects.get(code="X-ICBC")
    assert f'data-testid="ours-{ours.pk}"' in page and f'data-testid="theirs-{theirs.pk}"' in page
    group = page[page.index('data-testid="type-wealth"') :]
    assert group.index("稳健理财") < group.index("工银理财")  # ours first, then theirs
    assert "X-ICBC" not in page and "P-WM" not in page  # names, never product codes
    assert 'data-testid="type-loan"' not in page  # no competitor loan: no loan group
    [wealth] = competitors.comparison(dt.date(2026, 1, 28))
    assert (wealth.best_ours, wealth.best_theirs, wealth.gap) == (Decimal("2.40"), Decimal("3.10"), Decimal("-0.70"))


def test_an_analyst_adds_edits_and_retires_an_offering_audited(priced, login):
    client = login(priced.staff["analyst"])
    response = client.post(reverse("performance:offering_new"), OFFER)
    assert response.status_code == 302
    product = Product.objects.get(name="朝朝宝")
    assert product.issuer == "招商银行" and product.competitor_terms.min_amount == Decimal("1000")
    assert AuditEntry.objects.filter(action="competitors.offering_save", object_id=product.code).exists()
    assert "朝朝宝" in client.get(URL).content.decode()

    client.post(reverse("performance:offering_edit", args=[product.pk]), OFFER | {"rate": "2.95"})
    product.refresh_from_db()
    assert product.rate == Decimal("2.95")

    client.post(reverse("performance:offering_retire", args=[product.pk]))
    assert AuditEntry.objects.filter(action="competitors.offering_retire", object_id=product.code).exists()
    assert f"theirs-{product.pk}" not in client.get(URL).content.decode()


def test_bad_terms_are_refused_with_the_field(priced, login):
    client = login(priced.staff["analyst"])
    response = client.post(reverse("performance:offering_new"), OFFER | {"issuer": "BANK", "valid_to": "2025-01-01"})
    assert response.status_code == 400
    assert not Product.objects.filter(name="朝朝宝").exists()


def test_other_roles_may_look_but_not_edit(priced, login):
    rm = login(priced.staff["rm_a"])
    assert rm.get(URL).status_code == 200
    assert rm.post(reverse("performance:offering_new"), OFFER).status_code == 403
    assert rm.get(reverse("performance:mystery_new")).status_code == 403
    assert not Product.objects.filter(name="朝朝宝").exists()
    for name in ("lobby_a", "service", "compliance"):
        assert login(priced.staff[name]).get(URL).status_code == 403


def test_mystery_shopping_notes_are_audited_and_scoped(priced, login):
    analyst = login(priced.staff["analyst"])
    note = {
        "visited_on": "2026-01-12",
        "competitor": "招商银行",
        "their_branch": "浦东大道支行",
        "our_branch": "S0201",
        "observed": "等候 25 分钟,理财经理主动介绍产品",
        "score": "7.5",
    }
    assert analyst.post(reverse("performance:mystery_new"), note).status_code == 302
    shop = MysteryShop.objects.get()
    assert AuditEntry.objects.filter(action="competitors.mystery_shop_save", object_id=str(shop.pk)).exists()
    assert analyst.post(reverse("performance:mystery_new"), note | {"score": "11"}).status_code == 400
    period = {"from": "2026-01", "to": "2026-01"}
    assert "浦东大道支行" in analyst.get(URL, period).content.decode()
    assert "浦东大道支行" not in login(priced.staff["head_a"]).get(URL, period).content.decode()  # B01 only


def test_lost_customer_reasons_are_counted_per_competitor_in_scope(priced, login):
    for key, competitor, reasons in (("wang", "工商银行", ["better_rate", "fees"]), ("zhao", "", ["relocation"])):
        interview = LostInterview.objects.create(
            customer=priced.customers[key], reasons=reasons, competitor=competitor, would_return="no",
            branch_code=priced.customers[key].branch_id,
        )  # fmt: skip
        LostInterview.objects.filter(pk=interview.pk).update(
            created_at=timezone.make_aware(dt.datetime(2026, 1, 20, 10))
        )
    period = {"from": "2025-01", "to": "2026-01"}
    analyst = login(priced.staff["analyst"]).get(URL, period).content.decode()
    assert 'data-testid="kpi-interviews">2<' in analyst and "工商银行" in analyst
    assert 'data-testid="kpi-bought">2<' in analyst  # both ICBC holdings bought 2025-03-01
    head = login(priced.staff["head_a"]).get(URL, period).content.decode()
    assert 'data-testid="kpi-interviews">1<' in head and 'data-testid="kpi-bought">1<' in head
    outside = login(priced.staff["head_a"]).get(URL, {"from": "2026-02", "to": "2026-03"}).content.decode()
    assert 'data-testid="kpi-interviews">0<' in outside
