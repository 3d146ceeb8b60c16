"""Forms of the retention pages (validation only; the services do the writing)."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tenure.core.formfields import PercentField
from tenure.customers.models import OWN_BANK, Product
from tenure.org.models import Branch
from tenure.retention.interviews import OTHER_COMPETITOR, REASONS
from tenure.retention.lottery import MAX_PRIZES
from tenure.retention.models import Handoff, Intercept, LostInterview


class CompetitorProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "issuer", "product_type", "risk_rating", "rate", "term_months", "maturity_date"]
        widgets = {"maturity_date": forms.DateInput(attrs={"type": "date"})}

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        if issuer == OWN_BANK:
            raise forms.ValidationError(_("Our own products come from the core-banking import."))
        return issuer


class InterviewForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("Why did the customer leave?"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, label) for k, (label, _g) in REASONS.items()],
    )
    competitor = forms.ChoiceField(label=_("To which bank?"))
    would_return = forms.ChoiceField(
        label=_("Would the customer come back?"), choices=LostInterview.WouldReturn.choices
    )
    note = forms.CharField(label=_("In the customer's words"), max_length=1000, required=False, widget=forms.Textarea)

    def __init__(self, *args, issuers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        competitor = cast(forms.ChoiceField, self.fields["competitor"])
        competitor.choices = [("", "—")] + [(i, i) for i in issuers] + [(OTHER_COMPETITOR, _("Other"))]
        self.fields["competitor"].required = False


class HandoffForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=Handoff.Topic.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class InterceptForm(forms.Form):
    kind = forms.ChoiceField(label=_("Appointment"), choices=Intercept.Kind.choices)
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=1, max_digits=16, decimal_places=2)
    appointment_on = forms.DateField(label=_("Appointment date"), widget=forms.DateInput(attrs={"type": "date"}))


class ProposalForm(forms.Form):
    terms = forms.CharField(label=_("Proposed terms"), max_length=500)
    rate_bonus_bp = forms.IntegerField(label=_("Rate bonus (basis points)"), min_value=0, max_value=200, initial=0)


class CampaignForm(forms.Form):
    BANDS = [("high", _("High")), ("medium", _("Medium")), ("low", _("Low"))]

    name = forms.CharField(label=_("Campaign name"), max_length=100)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none(), to_field_name="code")
    bands = forms.MultipleChoiceField(
        label=_("Risk bands"), choices=BANDS, widget=forms.CheckboxSelectMultiple, initial=["high"], required=False
    )
    min_probability = PercentField(label=_("Minimum churn probability (%)"), min_value=0, max_value=1, initial=0)
    control_share = PercentField(
        label=_("Control group share (%)"), min_value=Decimal("0.05"), max_value=Decimal("0.5"), initial=Decimal("0.2")
    )

    def __init__(self, *args, branches, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["branch"]).queryset = branches

    def clean(self) -> dict[str, Any]:
        """The split's seed is drawn here, not typed by staff; the campaign and its audit row keep it,
        so the split can be reproduced."""
        cleaned = super().clean() or {}
        cleaned["seed"] = secrets.randbelow(2**31 - 1)
        for share in ("min_probability", "control_share"):  # the campaign stores them as floats
            if cleaned.get(share) is not None:
                cleaned[share] = float(cleaned[share])
        return cleaned


class LotteryDrawForm(forms.Form):
    """A month whose tickets are drawn and how many prizes (the draw's order is not chosen by staff)."""

    period = forms.TypedChoiceField(label=_("Month of the tickets"), coerce=dt.date.fromisoformat)
    prizes = forms.IntegerField(label=_("Number of prizes"), min_value=1, max_value=MAX_PRIZES, initial=10)

    def __init__(self, *args: Any, periods: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = cast(forms.TypedChoiceField, self.fields["period"])
        period.choices = [(p.isoformat(), date_format(p, "YEAR_MONTH_FORMAT")) for p in periods]
