"""Navigation entries by role, for the base template."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenure.core.masking import mask_text
from tenure.org.permissions import Perm, has_perm


def navigation(request: HttpRequest) -> dict:
    """Menu entries for the user's roles, and `return_path` (the page to come back to after a switch).

    `return_path` drops the query string when it holds an identifier, so a mobile number typed
    into a URL is not copied into forms.
    """
    full = request.get_full_path()
    return_path = full if mask_text(full) == full else request.path
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "return_path": return_path}
    items = [
        ("home", reverse("home"), _("Home")),
        ("customers", reverse("customers:list"), _("Customers")),
    ]
    if has_perm(user, Perm.AUDIT_READ):
        items.append(("audit", reverse("audit_log"), _("Audit log")))
    items.append(("api", reverse("api-docs"), _("API")))
    current = request.path
    return {
        "nav": [
            {
                "key": key,
                "url": url,
                "label": label,
                "active": url == current or (url != "/" and current.startswith(url)),
            }
            for key, url, label in items
        ]
    }
