from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tenure.contacts.models import Interaction


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["channel", "summary", "next_step", "follow_up_on"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A prompt instead of Django's "---------" for the required channel.
        channel = cast(forms.ChoiceField, self.fields["channel"])
        channel.choices = [("", _("Choose a channel")), *Interaction.Channel.choices]
