"""The 360° suitability partial, the assessment form, the catalogue and the offers API, scoped."""

import datetime as dt

from django.utils import timezone

from tenure.core.models import AuditEntry
from tenure.offers.models import RiskAssessment
from tests.offers.helpers import assessed, product


def _products():
    product("W-R2", risk="R2", rate="2.95", term_months=12)
    product("W-R4", risk="R4", rate="4.50", term_months=12)


def test_partial_lists_offered_and_not_offered_with_reasons(bank, login):
    _products()
    wang = bank.customers["wang"]
    wang.birth_date = dt.date(1990, 3, 7)
    wang.save()
    assessed(wang, "C2", on=timezone.localdate())
    text = login(bank.staff["rm_a"]).get(f"/offers/customers/{wang.pk}/").content.decode()
    assert 'data-testid="offers-suitability"' in text and "re-assess" not in text.lower()
    assert "W-R2" in text and "W-R4" in text
    row = text[text.index("W-R4") :]
    assert "risk level above" in row.split("</tr>")[0].lower() or "风险等级" in row.split("</tr>")[0]


def test_partial_says_reassess_first_when_the_assessment_is_the_extracts(bank, login):
    _products()
    wang = bank.customers["wang"]
    response = login(bank.staff["rm_a"]).get(f"/offers/customers/{wang.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="offers-reassess"' in response.content.decode()


def test_foreign_customer_is_404_and_audited(bank, login):
    response = login(bank.staff["rm_a"]).get(f"/offers/customers/{bank.foreign.pk}/")
    assert response.status_code == 404
    assert AuditEntry.objects.filter(
        action="access.denied", object_type="customer", object_id=str(bank.foreign.pk)
    ).exists()
    api = login(bank.staff["rm_a"]).get(f"/api/v1/customers/{bank.foreign.pk}/offers/")
    assert api.status_code == 404
    for odd in ("-6149", "x", "²"):  # not an id: the API's JSON 404, not the HTML page
        response = login(bank.staff["rm_a"]).get(f"/api/v1/customers/{odd}/offers/")
        assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_rm_records_an_assessment_through_htmx_and_the_panel_updates(bank, login):
    _products()
    wang = bank.customers["wang"]
    client = login(bank.staff["rm_a"])
    today = timezone.localdate()
    response = client.post(
        f"/offers/customers/{wang.pk}/assessment/",
        {"assess-level": "C4", "assess-assessed_on": today.isoformat(), "assess-source": "branch"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'data-testid="offers-reassess"' not in response.content.decode()
    row = RiskAssessment.objects.get(customer=wang)
    assert row.level == "C4" and row.recorded_by == bank.staff["rm_a"]
    bad = client.post(f"/offers/customers/{wang.pk}/assessment/", {"assess-level": "C9", "assess-source": "branch"})
    assert bad.status_code == 400 and RiskAssessment.objects.count() == 1


def test_lobby_cannot_record_an_assessment(bank, login):
    wang = bank.customers["wang"]
    response = login(bank.staff["lobby_a"]).post(
        f"/offers/customers/{wang.pk}/assessment/",
        {"assess-level": "C5", "assess-assessed_on": "2026-01-05", "assess-source": "branch"},
    )
    assert response.status_code == 403 and not RiskAssessment.objects.exists()


def test_api_returns_offers_and_not_offered_with_reason_codes(bank, login):
    _products()
    wang = bank.customers["wang"]
    wang.birth_date = dt.date(1990, 3, 7)
    wang.save()
    assessed(wang, "C2", on=timezone.localdate())
    data = login(bank.staff["rm_a"]).get(f"/api/v1/customers/{wang.pk}/offers/").json()
    offered = {o["product"]["code"]: o for o in data["offers"]}
    refused = {o["product"]["code"]: o for o in data["not_offered"]}
    assert offered["W-R2"]["risk_level"] == "R2" and offered["W-R2"]["score"] is None
    assert [r["code"] for r in refused["W-R4"]["reasons"]] == ["risk_above_assessment"]
    assert data["assessment"]["level"] == "C2" and data["assessment"]["current"] and not data["reassess"]
    # Deposits and loans are on one side or the other, never lost.
    assert {"P-CUR", "P-SAV", "P-LOAN"} <= set(offered) | set(refused)


def test_catalogue_page_and_terms_editor(bank, login):
    p = product("W-R2", risk="R2")
    assert login(bank.staff["rm_a"]).get("/offers/catalogue/").status_code == 200
    assert login(bank.staff["rm_a"]).get(f"/offers/catalogue/{p.pk}/").status_code == 403
    client = login(bank.staff["analyst"])
    assert client.get(f"/offers/catalogue/{bank.holdings['H-wang'].product.pk}/").status_code == 404
    response = client.post(
        f"/offers/catalogue/{p.pk}/", {"min_amount": "50000", "target_tiers": ["gold"], "sale_from": "2026-08-01"}
    )
    assert response.status_code == 302
    assert p.terms.min_amount == 50000 and p.terms.sale_from == dt.date(2026, 8, 1)
    bad = client.post(
        f"/offers/catalogue/{p.pk}/", {"min_amount": "1", "sale_from": "2026-09-01", "sale_to": "2026-08-01"}
    )
    assert bad.status_code == 200 and b"terms-form" in bad.content


def test_without_htmx_the_form_returns_to_the_360_page_and_service_refusals_show(bank, login):
    wang = bank.customers["wang"]
    client = login(bank.staff["head_a"])
    url = f"/offers/customers/{wang.pk}/assessment/"
    today = timezone.localdate().isoformat()
    ok = client.post(url, {"assess-level": "C3", "assess-assessed_on": today, "assess-source": "online"})
    assert ok.status_code == 302 and ok.url == f"/customers/{wang.pk}/"
    refused = client.post(
        url, {"assess-level": "C5", "assess-assessed_on": today, "assess-source": "branch", "assess-professional": "on"}
    )
    assert refused.status_code == 400 and "errorlist" in refused.content.decode()
    assert RiskAssessment.objects.filter(customer=wang).count() == 1
