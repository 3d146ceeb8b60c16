"""Navigation entries by role, for the base template."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenure.core.masking import mask_text
from tenure.org.models import Role
from tenure.org.permissions import Perm, has_perm

# Roles that work with the REST API: its documentation is a link in their user menu, not a page of
# the business navigation.
API_ROLES = (Role.ANALYST, Role.ADMIN, Role.COMPLIANCE)


def navigation(request: HttpRequest) -> dict:
    """Menu entries for the user's roles, `api_docs` (the API documentation's address for the roles
    that use the API, else None) and `return_path` (the page to come back to after a switch).

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
        ],
        "api_docs": reverse("api-docs") if user.has_role(*API_ROLES) else None,
        "return_path": return_path,
    }
