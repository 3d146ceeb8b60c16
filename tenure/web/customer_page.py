"""The customer 360° page (`/customers/<id>/`): the snapshot strip with the pinned actions, then one
tab. It composes what churn, complaints, contacts, retention and analytics know of the customer
(`web/customer360.py`), so it lives in the page layer above them; its tabs' partials (transactions,
channels, unmasking) stay in `customers/views.py`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tenure.core.audit import audit
from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, has_perm
from tenure.retention.forms import HandoffForm
from tenure.web.customer360 import customer_360

# The 360° page's tabs below the snapshot strip, chosen by `?tab=` (plain links: no script needed).
TABS = (
    ("overview", gettext_lazy("Overview")),
    ("accounts", gettext_lazy("Accounts")),
    ("transactions", gettext_lazy("Transactions")),
    ("service", gettext_lazy("Service")),
    ("value", gettext_lazy("Value")),
)
FULL_TABS = frozenset({"accounts", "transactions", "value"})  # money: Perm.CUSTOMER_360_FULL only


def customer_tabs(user) -> list[tuple[str, str]]:
    """The tabs `user` gets: the lobby role's reduced view has no money tabs."""
    full = has_perm(user, Perm.CUSTOMER_360_FULL)
    return [(key, str(label)) for key, label in TABS if full or key not in FULL_TABS]


@login_required
@require_GET
def customer_detail(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page: the snapshot strip with the pinned actions, then one tab (`?tab=`, overview
    when missing, unknown or not the user's)."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    view = customer_360(user=request.user, customer=customer)
    tabs = customer_tabs(request.user)
    tab = request.GET.get("tab", "")
    tab = tab if tab in dict(tabs) else tabs[0][0]
    audit(
        action="customer.view",
        actor=request.user,
        object_type="customer",
        object_id=customer.pk,
        customer_no=customer.customer_no,
        ip_address=client_ip(request),
    )
    user = request.user
    context = {
        "v": view,
        "c": customer,
        "tab": tab,
        "tabs": tabs,
        "full": has_perm(user, Perm.CUSTOMER_360_FULL),
        "can_unmask": has_perm(user, Perm.UNMASK),
        "can_record": has_perm(user, Perm.INTERACTION_RECORD),
        "can_handoff": has_perm(user, Perm.RETENTION_HANDOFF),
        "can_complain": has_perm(user, Perm.COMPLAINTS_HANDLE),
        "can_intercept": has_perm(user, Perm.INTERCEPT_RECORD),
        "handoff_form": HandoffForm(),
        "aum_chart": {
            "name": _("AUM"),
            "labels": [d.strftime("%Y-%m") for d, _v in view.aum_series],
            "values": [float(v) for _d, v in view.aum_series],
        },
        "holdings_chart": {"name": _("Holdings"), "items": view.chart_holdings()},
    }
    return render(request, "customers/detail.html", context)
