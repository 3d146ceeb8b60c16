"""Staff forms: the survey builder and the wave (sample rule) form."""

from __future__ import annotations

import secrets
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier
from tenure.customers.display import CHANNEL_LABELS
from tenure.ingest.schema import CHANNELS
from tenure.surveys.models import Channel, Question, QuestionKind, Survey
from tenure.surveys.sampling import SampleRule


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["code", "title_zh", "title_en", "intro_zh", "intro_en"]
        widgets = {"intro_zh": forms.Textarea(attrs={"rows": 2}), "intro_en": forms.Textarea(attrs={"rows": 2})}


def _option_line(choice: dict) -> str:
    """An option as the form takes it: code|Chinese|English[|value]."""
    parts = [choice["code"], choice.get("zh", ""), choice.get("en", "")]
    return "|".join(parts + ([f"{choice['value']:.15g}"] if "value" in choice else []))


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: code|Chinese|English (a fourth field may give a number, e.g. yuan)"),
    )

    class Meta:
        model = Question
        fields = ["code", "kind", "text_zh", "text_en", "scale", "attribute", "aspect", "tag", "required"]

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        if self.instance.pk:  # editing: the options as they are entered
            self.initial.setdefault("choices_text", "\n".join(_option_line(c) for c in self.instance.choices))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.survey.questions.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("This survey already has a question with this code."))
        return code

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean returns (typed as maybe None, for overrides)
        kind = data.get("kind")
        if kind == QuestionKind.RATING and data.get("scale") not in (5, 7):
            self.add_error("scale", _("A rating scale has 5 or 7 points."))
        choices = []
        for line in (data.get("choices_text") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            choice = {
                "code": parts[0][:40],
                "zh": parts[1] if len(parts) > 1 else parts[0],
                "en": parts[2] if len(parts) > 2 else "",
            }
            if len(parts) > 3 and parts[3]:
                try:
                    choice["value"] = float(parts[3])
                except ValueError:
                    self.add_error("choices_text", _("The fourth field must be a number."))
            choices.append(choice)
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTI) and len(choices) < 2:
            self.add_error("choices_text", _("Give at least two options."))
        if len({c["code"] for c in choices}) != len(choices):
            self.add_error("choices_text", _("Option codes must differ."))
        data["choices"] = choices
        return data

    def save(self, commit: bool = True) -> Question:
        question = super().save(commit=False)
        question.survey = self.survey
        question.choices = self.cleaned_data["choices"]
        if question.pk is None:  # a new question goes last; an edited one keeps its place
            question.position = (
                self.survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
            ) + 1
        if commit:
            question.save()
        return question


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Wave name"), max_length=100)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.SMS)
    branches = forms.MultipleChoiceField(
        label=_("Branches (with their sub-branches)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    tiers = forms.MultipleChoiceField(
        label=_("Asset tiers"), choices=AssetTier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    touchpoint = forms.ChoiceField(
        label=_("Used this channel recently"),
        required=False,
        choices=[("", "—"), *[(c, CHANNEL_LABELS[c]) for c in CHANNELS]],
    )
    touchpoint_days = forms.IntegerField(label=_("within (days)"), min_value=1, max_value=366, initial=90)
    size = forms.IntegerField(label=_("Sample size (0: everyone eligible)"), min_value=0, initial=500)
    cap_days = forms.IntegerField(label=_("Skip customers surveyed within (days)"), min_value=0, initial=90)
    valid_days = forms.IntegerField(label=_("Links valid for (days)"), min_value=1, max_value=90, initial=14)

    def __init__(self, *args, branches: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["branches"]).choices = branches

    def rule(self) -> SampleRule:
        d = self.cleaned_data
        return SampleRule(
            branches=d["branches"],
            tiers=d["tiers"],
            touchpoint=d["touchpoint"] or "",
            touchpoint_days=d["touchpoint_days"],
            size=d["size"],
            seed=secrets.randbelow(2**31 - 1),  # drawn, not typed by staff; the wave's rule keeps it
        )
