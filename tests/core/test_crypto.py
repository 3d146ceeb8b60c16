import json
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenure.core import crypto


@pytest.fixture
def field_cipher():
    import os

    return crypto.FieldCipher((os.urandom(32), os.urandom(32)), os.urandom(32))


@given(st.text(max_size=200))
def test_round_trip(value):
    import os

    c = crypto.FieldCipher((os.urandom(32),), os.urandom(32))
    token = c.encrypt(value)
    assert c.decrypt(token) == value
    if len(value) >= 4:
        assert value not in token


def test_ciphertexts_differ_but_blind_index_is_stable(field_cipher):
    a, b = field_cipher.encrypt("13812345678"), field_cipher.encrypt("13812345678")
    assert a != b
    assert field_cipher.blind_index("mobile", "138 1234 5678") == field_cipher.blind_index("mobile", "13812345678")
    assert field_cipher.blind_index("mobile", "13812345678") != field_cipher.blind_index("card_number", "13812345678")


def test_old_key_still_decrypts(field_cipher):
    old = crypto.FieldCipher(field_cipher.data_keys[1:], field_cipher.index_key)
    token = old.encrypt("secret")
    assert field_cipher.decrypt(token) == "secret"
    assert not field_cipher.uses_active_key(token)


def test_tampering_is_detected(field_cipher):
    token = field_cipher.encrypt("11010519491231002X")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        field_cipher.decrypt(tampered)


def test_key_file_is_created_private(key_file):
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = json.loads(key_file.read_text())
    assert set(content) == {"index_key", "data_keys"}
    assert crypto.decrypt(crypto.encrypt("x")) == "x"


def test_a_missing_key_file_is_never_made_on_first_use(key_file):
    key_file.unlink()
    crypto.reset_cipher()
    with pytest.raises(crypto.KeyMissing, match="run `tenure keys init`"):
        crypto.encrypt("x")
    with pytest.raises(crypto.KeyMissing):
        crypto.blind_index("mobile", "13812345678")
    assert not key_file.exists()


def test_creating_the_key_file_never_replaces_one(key_file):
    before = key_file.read_bytes()
    assert crypto.create_key_file() is False
    assert key_file.read_bytes() == before


def test_env_key_takes_precedence(key_file, monkeypatch):
    import base64
    import os

    key_file.unlink()
    monkeypatch.setenv("TENURE_FIELD_KEY", base64.b64encode(os.urandom(32)).decode())
    crypto.reset_cipher()
    assert crypto.decrypt(crypto.encrypt("abc")) == "abc"
    assert not key_file.exists()
