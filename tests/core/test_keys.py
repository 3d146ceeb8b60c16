import pytest
from django.db import connection

from tenure.core import crypto
from tenure.core.keys import rotate_field_keys
from tenure.core.models import AuditEntry
from tenure.customers.models import Customer
from tests.factories import customers_with_mobiles

pytestmark = pytest.mark.django_db


def _raw_mobiles() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM customers_customer ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_rotation_reencrypts_everything_and_retires_the_old_key(key_file):
    customers_with_mobiles(5)
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
    customers_with_mobiles(3)

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
