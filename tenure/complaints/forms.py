"""Forms: staff intake, details, handling steps, the public complaint form and root causes."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tenure.complaints.models import Channel, RootCause, Severity, Step
from tenure.customers.models import ProductType

MOBILE = re.compile(r"1[3-9]\d{9}")
PRODUCT_CHOICES = [("", _("Not about one product")), *ProductType.choices]


class IntakeForm(forms.Form):
    customer_no = forms.CharField(label=_("Customer number"), max_length=32)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.COUNTER)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    product_type = forms.ChoiceField(label=_("Product type"), choices=PRODUCT_CHOICES, required=False)
    description = forms.CharField(
        label=_("What the customer says"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class DetailsForm(forms.Form):
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), queryset=RootCause.objects.filter(active=True), required=False
    )
    product_type = forms.ChoiceField(label=_("Product type"), choices=PRODUCT_CHOICES, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    fact_who = forms.CharField(label=_("Who"), max_length=200, required=False)
    fact_what = forms.CharField(label=_("What"), max_length=200, required=False)
    fact_when = forms.CharField(label=_("When"), max_length=200, required=False)
    fact_where = forms.CharField(label=_("Where"), max_length=200, required=False)
    fact_why = forms.CharField(label=_("Why"), max_length=200, required=False)
    resolution = forms.CharField(
        label=_("Resolution"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices)
    note = forms.CharField(max_length=500, required=False)
    rating = forms.TypedChoiceField(
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)], coerce=int, required=False, empty_value=None
    )


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=16)
    note = forms.CharField(max_length=500, required=False)


class MatchForm(forms.Form):
    customer_no = forms.CharField(label=_("Customer number"), max_length=32)


class PublicComplaintForm(forms.Form):
    """No login, no captcha: `website` is the honeypot (hidden by CSS, left empty by people)."""

    name = forms.CharField(label=_("Your name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    product_type = forms.ChoiceField(label=_("What is it about?"), choices=PRODUCT_CHOICES, required=False)
    description = forms.CharField(
        label=_("Tell us what happened"), min_length=10, max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_mobile(self) -> str:
        value = re.sub(r"[\s-]", "", self.cleaned_data["mobile"])
        if not MOBILE.fullmatch(value):
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number."))
        return value


class RootCauseForm(forms.ModelForm):
    class Meta:
        model = RootCause
        fields = ["code", "label_zh", "label_en", "position", "active"]
