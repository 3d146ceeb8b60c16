"""Forms of the customer pages (validation only; the work is in services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tenure.customers.display import ACCOUNT_FIELDS, CUSTOMER_FIELDS
from tenure.customers.models import RevealReason


class UnmaskForm(forms.Form):
    field = forms.ChoiceField(choices=[(f, f) for f in (*CUSTOMER_FIELDS, *ACCOUNT_FIELDS)])
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason_code = forms.ChoiceField(label=_("Reason"), choices=RevealReason.choices)
    reason = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=500,
        help_text=_("Required for “Other”: why you need the full value."),
    )
