"""Authentication rules specific to Tenure."""

from django import forms
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenure.core.audit import audit

DEMO_PREFIX = "demo-"


def is_demo_username(username: str) -> bool:
    return username.startswith(DEMO_PREFIX)


class StaffBackend(ModelBackend):
    """Django's model backend, except that demo staff can only log in while demo mode is on.

    A production server pointed at a database that once held the demo keeps those accounts shut.
    """

    def user_can_authenticate(self, user) -> bool:
        if is_demo_username(user.get_username()) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)


class StaffPasswordChangeForm(PasswordChangeForm):
    """The password-change page's form: the password chosen here is its owner's own, so it clears
    `must_change_password`; it must differ from the one it replaces (which someone else may know)."""

    def clean_new_password1(self) -> str:
        password = self.cleaned_data.get("new_password1") or ""
        if password and self.user.check_password(password):
            raise forms.ValidationError(_("Choose a password different from the current one."), code="unchanged")
        return password

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        user.must_change_password = False
        if commit:
            with transaction.atomic():
                user.save()
                audit(action="auth.password_change", object_type="staff", object_id=str(user.pk), actor=user)
        return user


def must_change_password(user) -> bool:
    """Whether `user` is held on the password-change page: a password someone else set, not yet
    replaced. Demo logins (demo mode only, their password printed by `tenure demo`) are exempt."""
    return bool(getattr(user, "must_change_password", False)) and not is_demo_username(user.get_username())
