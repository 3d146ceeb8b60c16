"""The request a view behind log-in receives, as the type checker should see it.

To django-stubs `request.user` is `Staff | AnonymousUser`, and `request.htmx` (set by django-htmx's
middleware) does not exist. A view decorated with `login_required` (or `tenure.core.http.allowed`)
only ever runs for a logged-in member of staff, so it annotates its request as `StaffRequest`.
Public views (log-in page, survey answers, public complaints) keep plain `HttpRequest`.

It lives in `org`, not in the `core` kernel, because `Staff` is an `org` model.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tenure.org.models import Staff


class StaffRequest(HttpRequest):
    """An `HttpRequest` whose user is logged in. A type only: Django never builds one."""

    user: Staff
    htmx: HtmxDetails
