"""Fill a fresh TENURE_HOME for the kill test: `python -m tests.messaging.seed_outbox N` makes N
consenting customers and queues one e-mail and one SMS for each (all e-mails first), due now."""

from __future__ import annotations

import datetime as dt
import os
import sys


def main(n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenure.settings")
    import django

    django.setup()
    from django.utils import timezone

    from tenure.core.crypto import blind_index
    from tenure.customers.models import Customer
    from tenure.messaging.services import message_queue
    from tenure.org.models import Branch

    Branch.objects.create(code="HO", name="总行", level="head_office", path="/HO/")
    customers = []
    for i in range(n):
        mobile = f"1391234{i:04d}"
        customers.append(
            Customer.objects.create(
                customer_no=f"K{i:04d}",
                customer_type="personal",
                name=f"客户{i}",
                mobile=mobile,
                mobile_bidx=blind_index("mobile", mobile),
                email=f"k{i}@example.com",
                consent_sms=True,
                consent_email=True,
                onboarded_on=dt.date(2020, 1, 1),
                branch_id="HO",
                updated_on=dt.date(2027, 1, 4),
            )
        )
    due = timezone.now() - dt.timedelta(minutes=1)
    for channel in ("email", "sms"):
        for customer in customers:
            message_queue(
                customer=customer,
                channel=channel,
                kind="statement",
                template=f"t-statement-{channel}",
                subject="月度对账单",
                body="您的12月对账单已生成。",
                idempotency_key=f"statement:{customer.customer_no}:{channel}:2026-12",
                scheduled_at=due,
            )


if __name__ == "__main__":
    main(int(sys.argv[1]))
