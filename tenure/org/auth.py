"""Authentication rules specific to Tenure."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

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
