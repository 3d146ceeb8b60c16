"""Amounts typed and shown as bankers write them (10,000,000), shares typed in percent (10 for 0.1)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from hypothesis import given
from hypothesis import strategies as st

from tenure.core.formfields import MoneyField, MoneyInput, PercentField


class _Form(forms.Form):
    amount = MoneyField(min_value=Decimal("0.01"), max_digits=18, decimal_places=2)
    share = PercentField(min_value=Decimal("0.05"), max_value=Decimal("0.5"))


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999999999.99"), places=2))
def test_an_amount_reads_back_as_shown(amount):
    shown = MoneyInput().format_value(amount)
    assert "," in shown or amount < 1000
    form = _Form({"amount": shown, "share": "10"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == amount


def test_separators_and_yuan_signs_are_read_and_bad_input_is_refused():
    for typed in ("10,000,000", "10 000 000", "¥10,000,000.00", "１0，000，000".replace("１", "1")):
        form = _Form({"amount": typed, "share": "20"})
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["amount"] == Decimal("10000000")
    assert not _Form({"amount": "ten million", "share": "20"}).is_valid()
    assert 'value="10,000,000"' in str(_Form(initial={"amount": Decimal("10000000.00")})["amount"])


def test_a_share_is_typed_in_percent_and_cleaned_to_the_stored_fraction():
    form = _Form({"amount": "1", "share": "12.5"})
    assert form.is_valid() and form.cleaned_data["share"] == Decimal("0.125")
    assert not _Form({"amount": "1", "share": "0.2"}).is_valid()  # 0.2 %: below the 5 % minimum
    assert not _Form({"amount": "1", "share": "60"}).is_valid()
    assert 'value="20"' in str(_Form(initial={"share": Decimal("0.20")})["share"])
