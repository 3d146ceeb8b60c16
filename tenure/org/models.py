"""The branch tree and the staff who work in it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BranchLevel(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    BRANCH = "branch", _("Branch")
    SUB_BRANCH = "sub_branch", _("Sub-branch")


class Branch(models.Model):
    """A node of head office → branches → sub-branches.

    `path` is the materialised path of codes ("/HO/B01/S0101/") so a subtree is one
    `path__startswith` filter — the basis of record-level scoping.
    """

    code = models.CharField(_("code"), max_length=16, unique=True)
    parent = models.ForeignKey(
        "self",
        to_field="code",
        db_column="parent_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=BranchLevel.choices)
    city = models.CharField(_("city"), max_length=50, blank=True)
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def label(self) -> str:
        """The name in the interface language: the English name on English pages when there is one."""
        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name


class Role(models.TextChoices):
    RM = "rm", _("Relationship manager")
    LOBBY = "lobby", _("Lobby manager")
    BRANCH_HEAD = "branch_head", _("Branch head")
    ANALYST = "analyst", _("Analyst")
    SERVICE = "service", _("Service quality officer")
    COMPLIANCE = "compliance", _("Compliance officer")
    ADMIN = "admin", _("Administrator")


class Staff(AbstractUser):
    """A member of staff. Roles are Django groups named by `Role` codes."""

    employee_no = models.CharField(_("employee number"), max_length=32, unique=True, null=True, blank=True)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    home_branch = models.ForeignKey(
        Branch,
        to_field="code",
        db_column="home_branch_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    # The interface language this person chose (blank: the site default, Simplified Chinese).
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    # Set whenever a password is set for this person (by an administrator's `tenure changepassword`,
    # `tenure createsuperuser`, a script); cleared when they choose their own on the password-change
    # page. While set, every page sends them there (tenure.web.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        """Set the password and require its owner to choose their own at the next log-in: a password
        someone else set (or knows) must not stay in use. The password-change form clears the flag."""
        super().set_password(raw_password)
        self.must_change_password = True

    def check_password(self, raw_password: str | None) -> bool:
        """Django's check; its re-hash of an outdated hash calls set_password, which is no new password."""
        must_change = self.must_change_password
        try:
            return super().check_password(raw_password)
        finally:
            self.must_change_password = must_change

    @property
    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.groups.values_list("name", flat=True))
        return self._role_codes

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))
