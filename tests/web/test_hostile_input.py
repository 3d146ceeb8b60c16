"""Input no person types: a NUL byte anywhere in a request is a 400 on both databases (on PostgreSQL
it was a 500 on five routes), before any view reads it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/customers/?q=%00",
        "/customers/?q=138%001234",
        "/analytics/potential/?branch=%00",
        "/churn/?cause=%00",
        "/api/v1/customers/?search=%00",
        "/customers/%00/",
    ],
)
def test_nul_in_a_query_is_refused(bank, login, url):
    response = login(bank.staff["analyst"]).get(url)
    assert response.status_code in (400, 404)
    assert response.status_code == 400 or "%00" in url.split("?")[0]


def test_nul_in_a_form_field_is_refused_and_nothing_is_written(bank, login):
    from tenure.complaints.models import Complaint

    client = login(bank.staff["rm_a"])
    before = Complaint.objects.count()
    response = client.post(
        "/complaints/new/",
        {"customer_no": bank.customers["wang"].customer_no, "channel": "counter", "description": "bad\x00text"},
    )
    assert response.status_code == 400 and Complaint.objects.count() == before
    public = type(client)().post("/p/complaint/", {"name": "王\x00芳", "mobile": "13812345678", "description": "x"})
    assert public.status_code == 400 and Complaint.objects.count() == before
