"""Forms of the workbench: finish a task, reassign it, filter the list, edit the contact plan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenure.analytics.models import AssetTier, ValueLevel
from tenure.contacts.models import Interaction
from tenure.engagement import plans
from tenure.engagement.models import Source, Task, TaskStatus, TeamRole
from tenure.engagement.tasks import FINISHING_CHANNELS
from tenure.org.models import Staff


class TaskCompleteForm(forms.Form):
    """The contact that finishes the task; a planned visit offers only a visit, a planned call a call."""

    channel = forms.ChoiceField(label=_("Channel"))
    summary = forms.CharField(label=_("What was said"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    follow_up_on = forms.DateField(
        label=_("Follow up on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = FINISHING_CHANNELS.get(Source(task.source))
        choices = [(code, label) for code, label in Interaction.Channel.choices if allowed is None or code in allowed]
        self.fields["channel"].choices = choices  # type: ignore[attr-defined]


class TaskCreateForm(forms.Form):
    """A task typed by hand. The customer number is looked up in the user's scope, never trusted."""

    customer_no = forms.CharField(label=_("Customer number"), max_length=32)
    title = forms.CharField(label=_("What to do"), max_length=200)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    form_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, lookup: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lookup = lookup

    def clean_customer_no(self) -> Any:
        customer = self._lookup(self.cleaned_data["customer_no"].strip())
        if customer is None:
            raise forms.ValidationError(_("No customer with this number in your branches."))
        return customer


class TaskReassignForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Give to"), queryset=Staff.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = staff  # type: ignore[attr-defined]


DUE_CHOICES = [
    ("", _("Any due date")),
    ("overdue", _("Overdue")),
    ("today", _("Due today")),
    ("week", _("Due this week")),
]


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open")), ("all", _("All")), *TaskStatus.choices[1:]]
    )
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("Every source")), *Source.choices])
    due = forms.ChoiceField(label=_("Due"), required=False, choices=DUE_CHOICES)
    mine = forms.BooleanField(label=_("Only mine"), required=False)


KIND_LABELS = {"visit": _("Visit every … days"), "call": _("Call every … days"), "message": _("Message every … days")}


class ContactPlanForm(forms.Form):
    """One number field per (tier or level, kind): days between contacts, blank for none."""

    max_rm_contacts_per_month = forms.IntegerField(
        label=_("Warn above this many planned visits and calls per RM a month"), min_value=1, max_value=5000
    )
    note = forms.CharField(label=_("Why the change"), max_length=200, required=False)
    confirm = forms.BooleanField(label=_("Save even though some RMs would be over the limit"), required=False)

    ROWS = [("tiers", code, label) for code, label in AssetTier.choices] + [
        ("levels", code, label) for code, label in ValueLevel.choices
    ]

    def __init__(self, *args: Any, rules: dict[str, Any], **kwargs: Any) -> None:
        kwargs["initial"] = {"max_rm_contacts_per_month": rules["max_rm_contacts_per_month"]}
        super().__init__(*args, **kwargs)
        for group, code, _label in self.ROWS:
            for kind in plans.KINDS:
                self.fields[f"{group}.{code}.{kind}"] = forms.IntegerField(
                    label=KIND_LABELS[kind],
                    min_value=1,
                    max_value=366,
                    required=False,
                    initial=rules[group].get(code, {}).get(kind),
                    widget=forms.NumberInput(attrs={"class": "days"}),
                )

    def grid(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(group, row label, the three bound fields) for the template's table."""
        return [
            (group, str(label), [self[f"{group}.{code}.{kind}"] for kind in plans.KINDS])
            for group, code, label in self.ROWS
        ]

    def rules(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {
            "tiers": {},
            "levels": {},
            "max_rm_contacts_per_month": data["max_rm_contacts_per_month"],
        }
        for group, code, _label in self.ROWS:
            row = {kind: data[f"{group}.{code}.{kind}"] for kind in plans.KINDS}
            result[group][code] = {kind: days for kind, days in row.items() if days}
        return result


class TeamMemberForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Colleague"), queryset=Staff.objects.none())
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
