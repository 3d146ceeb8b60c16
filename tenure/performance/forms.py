"""Forms of the competitor comparison (validation only; `competitors` does the writing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenure.core.formfields import MoneyField
from tenure.customers.models import OWN_BANK, ProductType, RiskRating
from tenure.org.models import Branch

DATE = forms.DateInput(attrs={"type": "date"})
COMPETITOR = forms.TextInput(attrs={"list": "issuers"})  # suggests the competitors already named


class OfferingForm(forms.Form):
    issuer = forms.CharField(label=_("Competitor"), max_length=64, widget=COMPETITOR)
    name = forms.CharField(label=_("Product name"), max_length=100)
    product_type = forms.ChoiceField(label=_("Product type"), choices=ProductType.choices)
    risk_rating = forms.ChoiceField(label=_("Risk level"), choices=RiskRating.choices, initial=RiskRating.R1)
    rate = forms.DecimalField(
        label=_("Rate (% p.a.)"),
        min_value=Decimal("-5"),
        max_value=Decimal("100"),
        max_digits=7,
        decimal_places=4,
        required=False,
    )
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=600, required=False)
    min_amount = MoneyField(
        label=_("Minimum amount (yuan)"), min_value=0, max_digits=18, decimal_places=2, required=False
    )
    fees = forms.CharField(label=_("Fees"), max_length=300, required=False)
    features = forms.CharField(
        label=_("Service features"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_to = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        if issuer == OWN_BANK:
            raise forms.ValidationError(_("Our own products come from the core-banking import."))
        return issuer

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The validity ends before it starts."))
        return data


class MysteryShopForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), initial=timezone.localdate, widget=DATE)
    competitor = forms.CharField(label=_("Competitor"), max_length=64, widget=COMPETITOR)
    their_branch = forms.CharField(label=_("Their branch visited"), max_length=100)
    our_branch = forms.ModelChoiceField(
        label=_("Our comparable branch"), queryset=Branch.objects.order_by("path"), to_field_name="code"
    )
    observed = forms.CharField(label=_("What was observed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    score = forms.DecimalField(label=_("Score (0–10)"), min_value=0, max_value=10, max_digits=4, decimal_places=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["our_branch"].label_from_instance = lambda branch: branch.label  # type: ignore[attr-defined]

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return day
