"""Navigation entries by role, for the base template."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenure.org.scoping import can_read_audit


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [
        ("home", reverse("home"), _("Home")),
        ("customers", reverse("customers:list"), _("Customers")),
    ]
    if can_read_audit(user):
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
