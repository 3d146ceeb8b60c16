"""The console's forms: the staff list's filters, a new member of staff, roles and branch."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from tenure.org.models import Branch, BranchLevel, Role

ACTIVE_CHOICES = [("", _("Everyone")), ("1", _("Active")), ("0", _("Deactivated"))]


class BranchChoiceField(forms.ModelChoiceField):
    """Branches in tree order, indented by level, by name (the code is no label)."""

    INDENT: dict[str, str] = {BranchLevel.BRANCH: "\u3000", BranchLevel.SUB_BRANCH: "\u3000\u3000"}

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=Branch.objects.order_by("path"), to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Branch) -> str:
        return f"{self.INDENT.get(obj.level, '')}{obj.label}"


def _branches() -> BranchChoiceField:
    return BranchChoiceField(label=_("Branch"))


def _roles() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )


class StaffFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False)
    branch = BranchChoiceField(label=_("Branch"), required=False, empty_label=_("All branches"))
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE_CHOICES, required=False)


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()])
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    employee_no = forms.CharField(label=_("Employee number"), max_length=32, required=False)
    branch = _branches()
    roles = _roles()


class StaffChangeForm(forms.Form):
    branch = _branches()
    roles = _roles()
    reason = forms.CharField(label=_("Reason (for the audit log)"), max_length=200, required=False)
