"""The public complaint form's logic: abuse limits without a captcha, and matching without disclosure.

* A honeypot field (hidden from people, filled by naive bots): such a post is answered like any
  other and recorded nowhere.
* A per-IP limit (`TENURE_COMPLAINT_PUBLIC_LIMIT` posts per `TENURE_COMPLAINT_PUBLIC_WINDOW`
  seconds, default 5 per hour), counted in the database so that every server process counts
  together (`tenure.core.http.over_rate_limit`); the key holds a hash of the IP, never the address.
* The mobile is matched through its blind index (HMAC), so the customer table is never decrypted;
  the name must match too. Either way the caller sees the same answer with a reference number.
"""

from __future__ import annotations

from django.conf import settings

from tenure.complaints.models import Channel, Complaint
from tenure.complaints.services import complaint_create
from tenure.core.audit import audit
from tenure.core.crypto import blind_index, normalise_identifier
from tenure.core.http import over_rate_limit
from tenure.customers.models import Customer


def rate_limited(ip: str | None) -> bool:
    """Count this post against the caller's IP; True once the limit for the window is passed."""
    return over_rate_limit(
        "complaints",
        ip,
        limit=int(getattr(settings, "TENURE_COMPLAINT_PUBLIC_LIMIT", 5)),
        window=int(getattr(settings, "TENURE_COMPLAINT_PUBLIC_WINDOW", 3600)),
    )


def match_customer(name: str, mobile: str) -> Customer | None:
    """The one customer with this mobile (blind index) and this exact name, else None."""
    found = list(Customer.objects.filter(mobile_bidx=blind_index("mobile", mobile), name=name.strip())[:2])
    return found[0] if len(found) == 1 else None


def public_complaint_submit(
    *, name: str, mobile: str, description: str, product_type: str = "", ip: str | None = None
) -> Complaint:
    """Record a complaint from the public form, matched to a customer when name and mobile agree.

    An unmatched complaint keeps the name and the (encrypted) mobile for the service officer.
    """
    mobile = normalise_identifier(mobile)
    customer = match_customer(name, mobile)
    complaint = complaint_create(
        by=None,
        channel=Channel.WEB,
        description=description,
        customer=customer,
        product_type=product_type,
        contact_name="" if customer else name.strip(),
        contact_mobile="" if customer else mobile,
        ip=ip,
    )
    audit(
        action="complaint.public.submit",
        object_type="complaint",
        object_id=complaint.pk,
        customer_no=customer.customer_no if customer else "",
        detail={"matched": customer is not None},
        ip_address=ip,
    )
    return complaint
