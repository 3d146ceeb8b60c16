import datetime as dt

import pytest
from django.db import connection

from tenure.core import crypto
from tenure.core.keys import rotate_field_keys
from tenure.core.models import AuditEntry
from tenure.customers.models import Customer
from tenure.org.models import Branch

pytestmark = pytest.mark.django_db


def _raw_mobiles() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM customers_customer ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def _customers(n: int) -> None:
    Branch.objects.create(code="HO", name="总行", level="head_office", path="/HO/")
    for i in range(n):
        Customer.objects.create(
            customer_no=f"C{i:05d}",
            customer_type="personal",
            name=f"客户{i}",
            mobile=f"1381234{i:04d}",
            onboarded_on=dt.date(2020, 1, 1),
            branch_id="HO",
            updated_on=dt.date(2026, 10, 31),
        )


def test_rotation_reencrypts_everything_and_retires_the_old_key(key_file):
    _customers(5)
    old_key = crypto.cipher().active_key_id
    assert all(v.split(".")[1] == old_key for v in _raw_mobiles())

    summary = rotate_field_keys(show_progress=False)

    assert summary["reencrypted"] == 5 and summary["retired_key_ids"] == [old_key]
    new_key = crypto.cipher().active_key_id
    assert new_key != old_key
    assert all(v.split(".")[1] == new_key for v in _raw_mobiles())
    assert len(crypto.read_key_file(key_file)["data_keys"]) == 1
    assert sorted(c.mobile for c in Customer.objects.all()) == [f"1381234{i:04d}" for i in range(5)]
    assert AuditEntry.objects.filter(action="rotate_keys").count() == 1


def test_interrupted_rotation_resumes_with_the_same_new_key(key_file, monkeypatch):
    _customers(3)

    def killed(*args, **kwargs):
        raise RuntimeError("killed")

    with monkeypatch.context() as patched:
        patched.setattr(type(Customer.objects), "bulk_update", killed)
        with pytest.raises(RuntimeError):
            rotate_field_keys(show_progress=False)
    pending = crypto.read_key_file(key_file)["data_keys"]
    assert len(pending) == 2  # both keys kept: nothing is lost
    crypto.reset_cipher()
    summary = rotate_field_keys(show_progress=False)
    assert summary["reencrypted"] == 3
    assert crypto.read_key_file(key_file)["data_keys"] == pending[:1]
    assert {c.mobile for c in Customer.objects.all()} == {"13812340000", "13812340001", "13812340002"}
