from django import forms

from tenure.contacts.models import Interaction


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["channel", "summary", "next_step", "follow_up_on"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
        }
