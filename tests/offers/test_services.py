"""Recording an assessment and saving sales terms: roles, validation, audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tenure.core.models import AuditEntry
from tenure.offers.models import ProductTerms, RiskAssessment
from tenure.offers.services import OfferError, assessment_record, product_terms_save
from tests.offers.helpers import product


def test_an_rm_records_an_assessment_valid_one_year_and_audited(bank):
    wang, rm = bank.customers["wang"], bank.staff["rm_a"]
    row = assessment_record(customer=wang, level="C4", assessed_on=dt.date(2026, 3, 1), by=rm)
    assert (row.expires_on, row.recorded_by, row.source) == (dt.date(2027, 3, 1), rm, "branch")
    entry = AuditEntry.objects.get(action="offers.assessment.record")
    assert entry.customer_no == wang.customer_no and entry.detail["level"] == "C4" and entry.actor == rm


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"level": "C6"}, "C6"),
        ({"level": "R3"}, "R3"),
        ({"assessed_on": "tomorrow"}, None),
        ({"professional": True}, None),
        ({"expires_on": dt.date(2026, 3, 1)}, None),
        ({"source": "import"}, None),
    ],
)
def test_bad_assessments_are_refused_and_nothing_is_written(bank, fields, message):
    if fields.get("assessed_on") == "tomorrow":
        fields["assessed_on"] = timezone.localdate() + dt.timedelta(days=1)
    args = {"customer": bank.customers["wang"], "level": "C3", "assessed_on": dt.date(2026, 3, 1), **fields}
    with pytest.raises(OfferError, match=message):
        assessment_record(by=bank.staff["rm_a"], **args)
    assert not RiskAssessment.objects.exists() and not AuditEntry.objects.filter(action__startswith="offers.").exists()


def test_only_rms_and_branch_heads_record_assessments(bank):
    for who in ("lobby_a", "analyst", "norole"):
        with pytest.raises(PermissionDenied):
            assessment_record(
                customer=bank.customers["wang"], level="C3", assessed_on=dt.date(2026, 3, 1), by=bank.staff[who]
            )


def test_analysts_save_sales_terms_with_the_old_values_in_the_audit(bank):
    p = product("W-NEW")
    analyst = bank.staff["analyst"]
    product_terms_save(product=p, by=analyst, min_amount=Decimal("50000"), target_tiers=["gold"])
    product_terms_save(
        product=p, by=analyst, min_amount=Decimal("10000"), sale_from=dt.date(2026, 8, 1), sale_to=dt.date(2026, 8, 31)
    )
    terms = ProductTerms.objects.get(product=p)
    assert terms.min_amount == Decimal("10000") and terms.target_tiers == [] and terms.updated_by == analyst
    last = AuditEntry.objects.filter(action="offers.terms.save").order_by("-id").first()
    assert last.detail["before"]["min_amount"] == "50000.00" and last.detail["after"]["sale_to"] == "2026-08-31"


def test_sales_terms_refuse_bad_input_competitors_and_other_roles(bank):
    p, analyst = product("W-NEW"), bank.staff["analyst"]
    with pytest.raises(OfferError):
        product_terms_save(product=p, by=analyst, sale_from=dt.date(2026, 9, 1), sale_to=dt.date(2026, 8, 1))
    with pytest.raises(OfferError):
        product_terms_save(product=p, by=analyst, target_tiers=["bronze"])
    with pytest.raises(OfferError):
        product_terms_save(product=p, by=analyst, min_amount=Decimal("-1"))
    with pytest.raises(OfferError):
        product_terms_save(product=bank.holdings["H-wang"].product, by=analyst)
    with pytest.raises(PermissionDenied):
        product_terms_save(product=p, by=bank.staff["rm_a"])
    assert not ProductTerms.objects.exists()
