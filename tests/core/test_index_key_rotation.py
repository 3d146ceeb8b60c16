"""A rotation of TENURE_FIELD_KEY keeps the blind-index key: search by identifier still finds the
customer (tenure/core/crypto.py `_index_master`), and a blind-index key that no longer matches the
stored indexes stops commands instead of silently finding nothing (tenure/core/keys.py)."""

import base64
import os

import pytest

from tenure.core import crypto
from tenure.core.keys import field_key_problem, rotate_field_keys
from tests.factories import make_bank

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"  # 王芳's, in the tiny bank


def _master() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _use(monkeypatch, key: str, previous: str = "", index: str = "") -> None:
    for name, value in (("TENURE_FIELD_KEY", key), ("TENURE_FIELD_KEY_PREVIOUS", previous)):
        monkeypatch.setenv(name, value)
    if index:
        monkeypatch.setenv("TENURE_FIELD_INDEX_KEY", index)
    else:
        monkeypatch.delenv("TENURE_FIELD_INDEX_KEY", raising=False)
    crypto.reset_cipher()


def _finds_wang(client, bank) -> bool:
    client.force_login(bank.staff["lobby_a"])
    return "王芳" in client.post("/customers/", {"q": MOBILE, "view": "all"}).content.decode()


@pytest.fixture
def env_bank(key_file, monkeypatch, settings, tmp_path):
    """The tiny bank set up under a TENURE_FIELD_KEY (no key file); the master key with it."""
    key_file.unlink()
    first = _master()
    _use(monkeypatch, first)
    settings.LAKE_DIR = tmp_path / "lake"
    yield make_bank(), first
    crypto.reset_cipher()


def test_search_by_mobile_works_after_rotating_to_a_new_master_key(env_bank, client, monkeypatch):
    bank, first = env_bank
    assert _finds_wang(client, bank)
    index_key = crypto.cipher().index_key_id

    _use(monkeypatch, _master(), previous=first)  # the documented rotation: new master, old one as previous
    rotate_field_keys(show_progress=False)

    assert crypto.cipher().index_key_id == index_key
    assert field_key_problem() is None and _finds_wang(client, bank)


def test_the_first_master_kept_as_index_key_lets_the_old_one_go(env_bank, client, monkeypatch):
    bank, first = env_bank
    second = _master()
    _use(monkeypatch, second, previous=first)
    rotate_field_keys(show_progress=False)

    _use(monkeypatch, second, index=first)  # rotation done: the old data key dropped, the index key kept
    assert field_key_problem() is None and _finds_wang(client, bank)
    assert bank.customers["wang"].__class__.objects.get(pk=bank.customers["wang"].pk).mobile == MOBILE


def test_a_blind_index_key_that_does_not_match_stops_commands(env_bank, monkeypatch):
    _bank, first = env_bank
    second = _master()
    _use(monkeypatch, second, previous=first)
    rotate_field_keys(show_progress=False)

    _use(monkeypatch, second)  # the first master dropped and not kept as TENURE_FIELD_INDEX_KEY
    problem = field_key_problem()
    assert problem and "TENURE_FIELD_INDEX_KEY" in problem and "\n" not in problem
