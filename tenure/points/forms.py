"""The redemption form: points, what they are exchanged for, and the key that makes a double submit post once."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RedeemForm(forms.Form):
    points = forms.IntegerField(label=_("Points to redeem"), min_value=1)
    reward = forms.CharField(
        label=_("Reward"), max_length=200, help_text=_("What the merchant receives, e.g. a POS terminal roll pack.")
    )
    # A fresh uuid on every blank form: the service posts one redemption per key.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, balance: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.balance = balance

    def clean_points(self) -> int:
        points = self.cleaned_data["points"]
        if points > self.balance:
            raise forms.ValidationError(
                _("Not enough points: the balance is %(balance)s, %(points)s asked."),
                params={"balance": f"{self.balance:,}", "points": f"{points:,}"},
            )
        return points
