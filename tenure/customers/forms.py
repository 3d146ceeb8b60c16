"""Forms of the customer pages (validation only; the work is in services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tenure.customers.display import ACCOUNT_FIELDS, CUSTOMER_FIELDS
from tenure.customers.services import MIN_REASON_LENGTH


class UnmaskForm(forms.Form):
    field = forms.ChoiceField(choices=[(f, f) for f in (*CUSTOMER_FIELDS, *ACCOUNT_FIELDS)])
    account = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        min_length=MIN_REASON_LENGTH,
        max_length=500,
        help_text=_("Why you need the full value, e.g. the customer is at the counter to verify identity."),
    )
