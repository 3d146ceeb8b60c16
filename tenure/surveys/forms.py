"""Staff forms: the survey builder, the wave (sample rule) form and the staff wave form."""

from __future__ import annotations

import secrets
from typing import cast

from django import forms
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier
from tenure.customers.display import CHANNEL_LABELS
from tenure.ingest.schema import CHANNELS
from tenure.org.models import Role
from tenure.surveys import catalog
from tenure.surveys.models import Audience, Channel, Question, QuestionKind, Survey, _bilingual
from tenure.surveys.sampling import SampleRule, StaffRule


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["code", "audience", "title_zh", "title_en", "intro_zh", "intro_en"]
        widgets = {"intro_zh": forms.Textarea(attrs={"rows": 2}), "intro_en": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "audience": _("Staff surveys invite staff by branch and role; their answers are anonymous."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].required = False  # customers, unless staff are chosen

    def clean_audience(self) -> str:
        return self.cleaned_data.get("audience") or Audience.CUSTOMERS


# A question's fields in the order the form shows them, in three groups.
QUESTION_GROUPS: tuple[tuple[str | Promise, tuple[str, ...]], ...] = (
    (_("Question"), ("text_zh", "text_en", "kind", "required")),
    (_("Answers"), ("scale", "choices_text")),
    (_("Analysis"), ("attribute", "attribute_new", "aspect", "tag")),
)


def _option_line(choice: dict) -> str:
    """An option as the form shows it: Chinese | English[ | number]."""
    parts = [choice.get("zh", ""), choice.get("en", "")]
    return " | ".join(parts + ([f"{choice['value']:.15g}"] if "value" in choice else []))


def _attribute_choices(current: str) -> list:
    """The attributes results know, labelled and grouped; the question's own, if another, as typed."""
    groups = [
        (_("Customer requirements"), [(code, _bilingual(zh, en)) for code, zh, en in catalog.REQUIREMENTS]),
        (_("Touchpoints"), [(f"tp_{code}", _bilingual(zh, en)) for code, zh, en in catalog.TOUCHPOINTS]),
        (_("Staff (internal customers)"), [(code, _bilingual(zh, en)) for code, zh, en in catalog.STAFF_ATTRIBUTES]),
    ]
    known = {code for _, options in groups for code, _ in options}
    own = [(current, current)] if current and current not in known else []
    return [("", _("None")), *own, *groups]


class QuestionForm(forms.ModelForm):
    """A question as the bank's staff think of it: texts, a type, options as lines of text, and what
    the answer is analysed as (an attribute rated for importance or performance, or a named use).
    Codes are the form's business: a new question and a new option get one (`q3`, `o2`); an edited
    option keeps its code when its Chinese text is unchanged."""

    scale = forms.TypedChoiceField(
        label=_("Scale"),
        coerce=int,
        choices=[(5, _("5 points")), (7, _("7 points"))],
        initial=5,
        help_text=_("For rating scales only."),
    )
    choices_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=format_lazy(
            _(
                "For single and multiple choice: one option per line, Chinese | English. An option that stands"
                " for a number (e.g. the middle of an asset band in yuan) adds it: {example}"
            ),
            example="10万元以下 | Under ¥100,000 | 50000",
        ),
    )
    attribute = forms.ChoiceField(
        label=_("Attribute"),
        required=False,
        help_text=_("What a rating measures, for the importance–performance chart."),
    )
    attribute_new = forms.CharField(
        label=_("Or a new attribute"), max_length=40, required=False, help_text=_("Its name as results should show it.")
    )
    tag = forms.ChoiceField(label=_("Results use the answer as"), required=False)

    class Meta:
        model = Question
        fields = ["text_zh", "text_en", "kind", "required", "scale", "aspect", "tag"]
        labels = {"kind": _("Question type"), "aspect": _("The rating measures")}

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        current_tag = self.instance.tag if self.instance.pk else ""
        own_tag = [(current_tag, current_tag)] if current_tag and current_tag not in catalog.TAG_LABELS else []
        cast(forms.ChoiceField, self.fields["tag"]).choices = [
            ("", _("Nothing special")),
            *own_tag,
            *catalog.TAG_LABELS.items(),
        ]
        attribute = self.instance.attribute if self.instance.pk else ""
        cast(forms.ChoiceField, self.fields["attribute"]).choices = _attribute_choices(attribute)
        if self.instance.pk:  # editing: the options as they are entered
            self.initial.setdefault("choices_text", "\n".join(_option_line(c) for c in self.instance.choices))
            self.initial.setdefault("attribute", attribute)

    def groups(self) -> list[tuple[str | Promise, list]]:
        """(legend, bound fields) per group, for the template's fieldsets."""
        return [(legend, [self[name] for name in names]) for legend, names in QUESTION_GROUPS]

    def _options(self, text: str) -> list[dict]:
        """The options of the lines `text`; an option whose Chinese text is unchanged keeps its code."""
        kept = {c.get("zh", ""): c["code"] for c in (self.instance.choices if self.instance.pk else [])}
        used = set(kept.values())
        choices: list[dict] = []
        for line in text.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            code = kept.get(parts[0])
            if code is None or any(c["code"] == code for c in choices):
                code = next(f"o{n}" for n in range(1, 10_000) if f"o{n}" not in used)
            used.add(code)
            choice = {"code": code, "zh": parts[0][:100], "en": parts[1][:100] if len(parts) > 1 else ""}
            if len(parts) > 2 and parts[2]:
                try:
                    choice["value"] = float(parts[2].replace(",", ""))
                except ValueError:
                    self.add_error("choices_text", _("After the English text, give a number (or nothing)."))
            choices.append(choice)
        return choices

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean returns (typed as maybe None, for overrides)
        kind = data.get("kind")
        choices = self._options(data.get("choices_text") or "")
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            if len(choices) < 2:
                self.add_error("choices_text", _("Give at least two options."))
            if len({c["zh"] for c in choices}) != len(choices):
                self.add_error("choices_text", _("Each option must read differently."))
        else:
            choices = []  # options belong to choice questions only
        data["choices"] = choices
        data["attribute"] = (data.get("attribute_new") or "").strip() or data.get("attribute") or ""
        if data["attribute"] and kind != QuestionKind.RATING:
            self.add_error("attribute", _("Only a rating scale measures an attribute."))
        if data.get("aspect") and not data["attribute"]:
            self.add_error("attribute", _("Say which attribute the rating measures."))
        return data

    def save(self, commit: bool = True) -> Question:
        question = super().save(commit=False)
        question.survey = self.survey
        question.choices = self.cleaned_data["choices"]
        question.attribute = self.cleaned_data["attribute"]
        if question.pk is None:  # a new question goes last, with the next free code; an edited one keeps both
            question.position = (
                self.survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
            ) + 1
            codes = set(self.survey.questions.values_list("code", flat=True))
            question.code = next(f"q{n}" for n in range(question.position, 100_000) if f"q{n}" not in codes)
        if commit:
            question.save()
        return question


class StaffWaveForm(forms.Form):
    """A wave of a staff survey: which staff (branches, roles) and how long the links work."""

    name = forms.CharField(label=_("Wave name"), max_length=100)
    branches = forms.MultipleChoiceField(
        label=_("Branches (with their sub-branches; none: all you see)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles (none: every role)"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    valid_days = forms.IntegerField(label=_("Links valid for (days)"), min_value=1, max_value=90, initial=14)

    def __init__(self, *args, branches: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["branches"]).choices = branches

    def rule(self) -> StaffRule:
        return StaffRule(branches=self.cleaned_data["branches"], roles=self.cleaned_data["roles"])


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
