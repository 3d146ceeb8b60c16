"""Forms of the offers pages (validation only; the services do the writing and the rules)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier
from tenure.core.formfields import PercentField
from tenure.customers.models import ProductType, RiskTolerance
from tenure.offers.models import AssessmentSource, DeclineReason, Outcome
from tenure.org.models import Branch


class AssessmentForm(forms.Form):
    level = forms.ChoiceField(label=_("Risk level"), choices=RiskTolerance.choices)
    assessed_on = forms.DateField(
        label=_("Assessed on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.ChoiceField(
        label=_("Questionnaire"),
        choices=[(k, v) for k, v in AssessmentSource.choices if k != AssessmentSource.IMPORT],
    )
    professional = forms.BooleanField(label=_("Professional investor"), required=False)
    evidence = forms.CharField(label=_("Evidence (professional investors)"), max_length=200, required=False)


class TermsForm(forms.Form):
    min_amount = forms.DecimalField(label=_("Minimum amount (yuan)"), min_value=0, max_digits=18, decimal_places=2)
    target_tiers = forms.MultipleChoiceField(
        label=_("Target tiers (none: every tier)"),
        choices=AssetTier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sale_from = forms.DateField(label=_("On sale from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sale_to = forms.DateField(label=_("On sale until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    fees = forms.CharField(label=_("Fees"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    penalty = forms.CharField(label=_("Early-exit penalty"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("sale_from"), data.get("sale_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The sale window ends before it starts."))
        return data


class ResponseForm(forms.Form):
    """The customer's answer to one of the products offered (choices: the suitable ones of the day)."""

    form_key = forms.UUIDField(widget=forms.HiddenInput)
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    outcome = forms.ChoiceField(label=_("Answer"), choices=Outcome.choices)
    reason = forms.ChoiceField(
        label=_("Reason (declined)"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, products=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(p.pk, f"{p.name} · {p.risk_rating}") for p in products]

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("outcome") == Outcome.DECLINED and not data.get("reason"):
            self.add_error("reason", _("A declined offer needs a reason."))
        return data


class OfferCampaignForm(forms.Form):
    """A new offer campaign: which branch, which product type, how likely, how many held out."""

    name = forms.CharField(label=_("Campaign name"), max_length=100)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none(), to_field_name="code")
    product_type = forms.ChoiceField(label=_("Product type offered"), choices=ProductType.choices)
    min_score = PercentField(
        label=_("Minimum chance of opening it next month (%)"), min_value=0, max_value=1, initial=Decimal("0.05")
    )
    control_share = PercentField(
        label=_("Control group share (%)"), min_value=Decimal("0.05"), max_value=Decimal("0.5"), initial=Decimal("0.2")
    )

    def __init__(self, *args, branches, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["branch"]).queryset = branches

    def clean(self) -> dict[str, Any]:
        """The split's seed is drawn here, not typed by staff (the campaign and its audit row keep it,
        so the split can be reproduced), as for retention campaigns."""
        cleaned = super().clean() or {}
        cleaned["seed"] = secrets.randbelow(2**31 - 1)
        for share in ("min_score", "control_share"):  # the campaign stores them as floats
            if cleaned.get(share) is not None:
                cleaned[share] = float(cleaned[share])
        return cleaned
