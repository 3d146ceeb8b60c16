"""The retention surfaces that propose products, through HTTP: the playbook's counter-offer and loan
folder go through suitability; the competitor table is a comparison with risk levels."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tenure.churn.models import Alert
from tenure.customers.models import Product
from tests.offers.helpers import assessed, product


def _alert(customer, cause="competitor_maturity") -> Alert:
    return Alert.objects.create(
        customer=customer, cause=cause, severity="high", business_date=dt.date(2026, 7, 31), due_on=dt.date(2026, 8, 5)
    )


def _issue_products():
    """The issue's demo: a competitor product at 3.11 % and our R4 "权益增强 4.50 %"."""
    Product.objects.filter(code="X-ICBC").update(rate=Decimal("3.11"), term_months=12)
    return product("W-EQ", risk="R4", rate="4.50", term_months=12)


def test_a_c2_customer_is_not_counter_offered_the_r4_product(bank, login):
    _issue_products()
    wang = bank.customers["wang"]
    wang.birth_date = dt.date(1990, 3, 7)
    wang.save()
    assessed(wang, "C2", on=timezone.localdate())
    _alert(wang)
    text = login(bank.staff["rm_a"]).get(f"/retention/customers/{wang.pk}/playbook/").content.decode()
    # W-EQ is the only comparable product paying ≥ 3.11 %, and it is R4: no counter-offer at all.
    assert "W-EQ" not in text and 'data-testid="no-suitable-offer"' in text


def test_without_a_current_assessment_the_playbook_says_reassess_first(bank, login):
    _issue_products()
    product("W-R2", risk="R2", rate="3.20", term_months=12)
    wang = bank.customers["wang"]  # C3 from the extract only: date unknown
    _alert(wang)
    response = login(bank.staff["rm_a"]).get(f"/retention/customers/{wang.pk}/playbook/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "W-R2" not in text and "W-EQ" not in text
    assert 'data-testid="no-suitable-offer-reassess"' in text


def test_the_loan_folder_leaves_out_what_the_customer_may_not_be_offered(bank, login):
    wang = bank.customers["wang"]
    wang.birth_date = dt.date(1950, 1, 1)  # over 65
    wang.save()
    product("CARD-R4", kind="credit_card", risk="R4")
    product("LOAN-R2", kind="loan", risk="R2")
    _alert(wang, cause="large_withdrawal")
    text = login(bank.staff["rm_a"]).get(f"/retention/customers/{wang.pk}/playbook/").content.decode()
    assert "LOAN-R2" in text and "CARD-R4" not in text


def test_the_competitor_table_compares_without_offering_and_shows_the_risk_level(bank, login):
    _issue_products()
    text = login(bank.staff["rm_a"]).get("/retention/products/").content.decode()
    assert 'data-testid="comparison-not-offer"' in text
    row = text[text.index("X-ICBC") :].split("</tr>")[0]
    assert "W-EQ" in row and "R4" in row
