"""The field key's first set-up and the check every command makes before it runs (tenure/core/keys.py)."""

import base64
import os

import pytest
from django.db import connection

from tenure.core import crypto
from tenure.core.keys import KeyProblem, field_key_init, field_key_problem, key_ids_in_use
from tenure.core.models import AuditEntry
from tenure.customers.models import Customer
from tests.factories import customers_with_mobiles

pytestmark = pytest.mark.django_db


def _replace_key_file(path) -> str:
    """The lost-file accident: the file gone and another made in its place."""
    path.unlink(missing_ok=True)
    crypto.create_key_file()
    return crypto.cipher().active_key_id


def test_no_data_no_problem_and_the_key_in_use_is_the_configured_one(key_file):
    assert field_key_problem() is None and key_ids_in_use() == set()
    customers_with_mobiles(3)
    assert key_ids_in_use() == {crypto.cipher().active_key_id} and field_key_problem() is None


def test_data_under_a_key_that_is_gone_is_named(key_file):
    customers_with_mobiles(3)
    old = crypto.cipher().active_key_id
    key_file.unlink()
    crypto.reset_cipher()
    problem = field_key_problem()
    assert problem and old in problem and f"{key_file} does not exist" in problem and "\n" not in problem
    assert not key_file.exists()  # checking makes no key
    new = _replace_key_file(key_file)
    problem = field_key_problem()
    assert problem and old in problem and f"holds key {new}" in problem


def test_both_ends_of_a_table_are_sampled(key_file, monkeypatch):
    """An interrupted rotation leaves the first rows under one key and the last under another."""
    monkeypatch.setattr("tenure.core.keys.SAMPLE_ROWS", 2)
    customers_with_mobiles(10)
    first = crypto.cipher().active_key_id
    content = crypto.read_key_file(key_file)  # a rotation's first step: a new active key before the old one
    content["data_keys"].insert(0, crypto.new_key_file_content()["data_keys"][0])
    crypto.write_key_file(key_file, content)
    crypto.reset_cipher()
    second = crypto.cipher().active_key_id
    with connection.cursor() as cursor:  # the first rows re-encrypted, in primary-key order as a rotation does
        cursor.execute("SELECT id FROM customers_customer ORDER BY id LIMIT 5")
        ids = [r[0] for r in cursor.fetchall()]
    for customer in Customer.objects.filter(id__in=ids):
        customer.save(update_fields=["mobile"])
    assert key_ids_in_use() == {first, second} and field_key_problem() is None
    content["data_keys"] = content["data_keys"][:1]  # the old key lost before the rotation finished
    crypto.write_key_file(key_file, content)
    crypto.reset_cipher()
    assert first in (field_key_problem() or "")


def test_a_different_environment_key_is_named(key_file, monkeypatch):
    customers_with_mobiles(2)
    old = crypto.cipher().active_key_id
    monkeypatch.setenv("TENURE_FIELD_KEY", base64.b64encode(os.urandom(32)).decode())
    crypto.reset_cipher()
    problem = field_key_problem()
    assert problem and old in problem and "TENURE_FIELD_KEY holds key" in problem


def test_init_makes_a_key_once_and_never_over_data(key_file):
    key_file.unlink()
    crypto.reset_cipher()
    made = field_key_init()
    assert key_file.exists() and made.active_key_id == crypto.cipher().active_key_id
    assert AuditEntry.objects.filter(action="keys.init", object_id=made.active_key_id).count() == 1
    with pytest.raises(KeyProblem, match="exists already"):
        field_key_init()
    customers_with_mobiles(1)
    key_file.unlink()
    crypto.reset_cipher()
    with pytest.raises(KeyProblem, match=f"encrypted under field key {made.active_key_id}"):
        field_key_init()
    assert not key_file.exists()


def test_init_refuses_in_environment_key_mode(key_file, monkeypatch):
    key_file.unlink()
    monkeypatch.setenv("TENURE_FIELD_KEY", base64.b64encode(os.urandom(32)).decode())
    crypto.reset_cipher()
    with pytest.raises(KeyProblem, match="TENURE_FIELD_KEY is set"):
        field_key_init()
    assert not key_file.exists()
