"""`suitable()` at every boundary, each case computed by hand (docs/offers.md, "The rules")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tenure.offers.suitability import (
    Reason,
    add_months,
    age_on,
    current_assessment,
    customer_facts,
    default_expiry,
    suitable,
)
from tests.offers.helpers import assessed, product, terms

DAY = dt.date(2026, 7, 31)


def codes(verdict) -> set[str]:
    return set(verdict.reasons)


@pytest.fixture
def wang(bank):
    """王芳, born 1990 (far from 65), C3 in the extract (date unknown)."""
    customer = bank.customers["wang"]
    customer.birth_date = dt.date(1990, 3, 7)
    customer.save()
    return customer


def test_calendar_helpers_by_hand():
    assert add_months(dt.date(2025, 7, 31), 12) == dt.date(2026, 7, 31)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)  # no 29 February in 2025
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert default_expiry(dt.date(2025, 7, 31)) == dt.date(2026, 7, 31)
    assert age_on(dt.date(1961, 7, 31), dt.date(2026, 7, 30)) == 64
    assert age_on(dt.date(1961, 7, 31), dt.date(2026, 7, 31)) == 65  # the birthday itself counts
    assert age_on(dt.date(1960, 2, 29), dt.date(2025, 2, 28)) == 64
    assert age_on(dt.date(1960, 2, 29), dt.date(2025, 3, 1)) == 65


def test_product_level_equal_to_the_customer_level_is_suitable_one_above_is_not(wang):
    assessed(wang, "C3")
    assert suitable(wang, product("W-R3", risk="R3"), DAY).ok
    assert suitable(wang, product("W-R2", risk="R2"), DAY).ok
    above = suitable(wang, product("W-R4", risk="R4"), DAY)
    assert not above and codes(above) == {Reason.RISK_ABOVE_ASSESSMENT}


def test_the_issue_breach_an_r4_product_to_a_c2_customer_is_refused(wang):
    assessed(wang, "C2")
    verdict = suitable(wang, product("W-EQ", risk="R4", rate="4.50"), DAY)
    assert codes(verdict) == {Reason.RISK_ABOVE_ASSESSMENT}
    with translation.override("en"):
        assert verdict.labels == ["Product risk level above the customer's assessed level"]


def test_assessment_expires_on_its_expiry_day(wang):
    assessed(wang, "C3", on=dt.date(2025, 7, 31))  # expires 2026-07-31: counts until the 30th
    r3 = product("W-R3", risk="R3")
    assert suitable(wang, r3, dt.date(2026, 7, 30)).ok
    expired = suitable(wang, r3, dt.date(2026, 7, 31))
    assert codes(expired) == {Reason.ASSESSMENT_EXPIRED} and expired.reassess


def test_an_assessment_counts_from_its_own_day_and_the_latest_wins(wang):
    assessed(wang, "C2", on=dt.date(2026, 1, 5))
    assessed(wang, "C4", on=DAY)
    r4 = product("W-R4", risk="R4")
    assert codes(suitable(wang, r4, DAY - dt.timedelta(days=1))) == {Reason.RISK_ABOVE_ASSESSMENT}  # C2 then
    assert suitable(wang, r4, DAY).ok  # C4 from its day on
    assert current_assessment(wang, DAY).level == "C4"


def test_extract_tolerance_has_no_date_so_it_counts_as_expired_and_none_is_missing(bank, wang):
    r2 = product("W-R2", risk="R2")
    imported = current_assessment(wang, DAY)
    assert imported.level == "C3" and imported.assessed_on is None and not imported.recorded
    assert codes(suitable(wang, r2, DAY)) == {Reason.ASSESSMENT_EXPIRED}
    nobody = bank.customers["li"]
    nobody.risk_tolerance = ""
    nobody.save()
    assert codes(suitable(nobody, r2, DAY)) == {Reason.ASSESSMENT_MISSING}


def test_the_extracts_dated_tolerance_counts_for_a_year_from_its_date(wang):
    wang.risk_assessed_on = dt.date(2025, 7, 31)  # C3, expires 2026-07-31
    wang.save()
    r3 = product("W-R3", risk="R3")
    imported = current_assessment(wang, DAY)
    assert (imported.level, imported.assessed_on, imported.expires_on) == ("C3", dt.date(2025, 7, 31), DAY)
    assert suitable(wang, r3, DAY - dt.timedelta(days=1)).ok
    assert codes(suitable(wang, r3, DAY)) == {Reason.ASSESSMENT_EXPIRED}
    assert current_assessment(wang, dt.date(2025, 7, 30)) is None  # not yet assessed then


def test_the_later_of_the_extracts_date_and_a_recorded_assessment_wins(wang):
    wang.risk_assessed_on = dt.date(2026, 3, 1)  # C3
    wang.save()
    assessed(wang, "C2", on=dt.date(2026, 2, 1))
    assert current_assessment(wang, DAY).level == "C3"
    assessed(wang, "C5", on=dt.date(2026, 3, 1), professional=True, evidence="证明")  # same day: Tenure's
    now = current_assessment(wang, DAY)
    assert now.level == "C5" and now.recorded and now.professional


def test_expired_assessment_still_names_a_level_too_high(wang):
    assessed(wang, "C2", on=dt.date(2024, 1, 5))  # expired 2025-01-05
    assert codes(suitable(wang, product("W-R3", risk="R3"), DAY)) == {
        Reason.ASSESSMENT_EXPIRED,
        Reason.RISK_ABOVE_ASSESSMENT,
    }


def test_deposits_loans_and_cards_need_no_assessment(wang):
    for code, kind in (("TD", "time_deposit"), ("LOAN", "loan"), ("CARD", "credit_card"), ("SAV", "savings")):
        assert suitable(wang, product(code, kind=kind, risk="R1"), DAY).ok, kind


def test_age_65_on_the_day_for_r4_and_r5_only(wang):
    wang.birth_date = dt.date(1961, 7, 31)
    wang.save()
    assessed(wang, "C5")
    r4, r5, r3 = product("W-R4", risk="R4"), product("F-R5", kind="fund", risk="R5"), product("W-R3", risk="R3")
    day_before = dt.date(2026, 7, 30)
    assert suitable(wang, r4, day_before).ok and suitable(wang, r5, day_before).ok
    assert codes(suitable(wang, r4, DAY)) == {Reason.SENIOR_HIGH_RISK}
    assert codes(suitable(wang, r5, DAY)) == {Reason.SENIOR_HIGH_RISK}
    assert suitable(wang, r3, DAY).ok


def test_senior_age_and_levels_are_configuration(wang, settings):
    wang.birth_date = dt.date(1966, 7, 31)  # 60 on DAY
    wang.save()
    assessed(wang, "C5")
    r3 = product("W-R3", risk="R3")
    assert suitable(wang, r3, DAY).ok
    settings.OFFERS = {"SENIOR_AGE": 60, "SENIOR_RISK_LEVELS": ("R3", "R4", "R5")}
    assert codes(suitable(wang, r3, DAY)) == {Reason.SENIOR_HIGH_RISK}


def test_unknown_birth_date_blocks_high_risk_products_only(wang):
    wang.birth_date = None
    wang.save()
    assessed(wang, "C5")
    assert codes(suitable(wang, product("W-R4", risk="R4"), DAY)) == {Reason.AGE_UNKNOWN}
    assert suitable(wang, product("W-R3", risk="R3"), DAY).ok


def test_professional_investor_receives_any_level_while_current(wang):
    assessed(wang, "C1", professional=True, evidence="金融资产证明 500万")
    assert suitable(wang, product("F-R5", kind="fund", risk="R5"), DAY).ok
    later = dt.date(2027, 1, 5)  # the assessment (and the professional status) expired
    assert codes(suitable(wang, product("F-R5B", kind="fund", risk="R5"), later)) == {
        Reason.ASSESSMENT_EXPIRED,
        Reason.RISK_ABOVE_ASSESSMENT,
    }


def test_sale_window_first_and_last_day_are_inside(wang):
    assessed(wang, "C3")
    p = product("W-WIN")
    terms(p, sale_from=dt.date(2026, 7, 1), sale_to=DAY)
    assert codes(suitable(wang, p, dt.date(2026, 6, 30))) == {Reason.NOT_ON_SALE}
    assert suitable(wang, p, dt.date(2026, 7, 1)).ok
    assert suitable(wang, p, DAY).ok
    assert codes(suitable(wang, p, dt.date(2026, 8, 1))) == {Reason.NOT_ON_SALE}


def test_a_product_maturing_today_is_no_longer_offered(wang):
    assessed(wang, "C3")
    p = product("W-MAT", maturity_date=DAY)
    assert suitable(wang, p, dt.date(2026, 7, 30)).ok
    assert codes(suitable(wang, p, DAY)) == {Reason.MATURED}


def test_minimum_amount_against_the_latest_month_end_aum(lake):
    wang = lake.customers["wang"]
    wang.birth_date = dt.date(1990, 3, 7)
    wang.save()
    assessed(wang, "C3")
    # Latest month-end is month 12: current 50,000 + 12,000 and wealth 250,000 + 12,000 (the loan is not AUM).
    facts = customer_facts(wang, DAY)
    assert facts.aum == Decimal("324000")
    exact, above = product("W-MIN"), product("W-MIN2")
    terms(exact, min_amount=Decimal("324000"))
    terms(above, min_amount=Decimal("324000.01"))
    assert suitable(wang, exact, DAY, facts=facts).ok
    assert codes(suitable(wang, above, DAY, facts=facts)) == {Reason.BELOW_MINIMUM}
    loan = product("LOAN-BIG", kind="loan")
    terms(loan, min_amount=Decimal("1000000"))  # a loan's minimum is not compared with AUM
    assert suitable(wang, loan, DAY, facts=facts).ok


def test_marketing_channels_need_consent_in_person_does_not(wang):
    assessed(wang, "C3")
    p = product("W-R2")
    assert suitable(wang, p, DAY).ok  # in person
    assert codes(suitable(wang, p, DAY, "sms")) == {Reason.MARKETING_REFUSED}  # no marketing consent
    wang.consent_marketing = True
    wang.save()
    assert suitable(wang, p, DAY, "sms").ok
    assert codes(suitable(wang, p, DAY, "email")) == {Reason.MARKETING_REFUSED}  # no e-mail consent
    assert codes(suitable(wang, p, DAY, "phone")) == {Reason.MARKETING_REFUSED}
    with pytest.raises(ValueError):
        suitable(wang, p, DAY, "carrier-pigeon")


def test_competitor_products_are_never_ours_to_offer(bank, wang):
    assessed(wang, "C3")
    assert Reason.NOT_OURS in suitable(wang, bank.holdings["H-wang"].product, DAY).reasons


def test_every_reason_that_applies_is_listed(wang):
    wang.birth_date = dt.date(1950, 1, 1)
    wang.save()
    assessed(wang, "C2", on=dt.date(2024, 1, 5))
    p = product("W-ALL", risk="R5", maturity_date=DAY)
    terms(p, min_amount=Decimal("1"), sale_to=dt.date(2026, 7, 1))
    assert codes(suitable(wang, p, DAY, "sms")) == {
        Reason.MATURED,
        Reason.NOT_ON_SALE,
        Reason.ASSESSMENT_EXPIRED,
        Reason.RISK_ABOVE_ASSESSMENT,
        Reason.BELOW_MINIMUM,
        Reason.SENIOR_HIGH_RISK,
        Reason.MARKETING_REFUSED,
    }
