"""Field encryption (AES-256-GCM) and HMAC blind indexes for personal data.

Ciphertexts look like ``v1.<key id>.<base64url(nonce | ciphertext)>`` so that a key rotation can
tell which rows still use an old key. Blind indexes use a separate key that never rotates (in
TENURE_FIELD_KEY mode it is derived from the first master key, not the current one: `_index_master`),
so exact-match search keeps working across rotations without touching the lake.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1"
_AAD = b"tenure-field"


class KeyError_(Exception):
    """Raised when key material is missing or malformed."""


class KeyMissing(KeyError_):
    """No field key is configured: only a first set-up makes one (tenure.core.keys), never for a lost one."""


FIRST_SET_UP = "run `tenure keys init` (or `tenure demo`) first"


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def normalise_identifier(value: str) -> str:
    """Canonical form for blind indexes: no spaces or dashes, upper case (ID check char 'x')."""
    return value.replace(" ", "").replace("-", "").strip().upper()


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts with the first data key; decrypts with any of them."""

    data_keys: tuple[bytes, ...]
    index_key: bytes

    @property
    def active_key_id(self) -> str:
        return key_id(self.data_keys[0])

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.data_keys[0]).encrypt(nonce, plaintext.encode(), _AAD)
        return f"{PREFIX}.{self.active_key_id}.{_b64e(nonce + sealed)}"

    def decrypt(self, token: str) -> str:
        prefix, kid, body = token.split(".", 2)
        if prefix != PREFIX:
            raise ValueError("not a Tenure ciphertext")
        for key in self.data_keys:
            if key_id(key) == kid:
                raw = _b64d(body)
                return AESGCM(key).decrypt(raw[:12], raw[12:], _AAD).decode()
        raise KeyError_(f"no key with id {kid} is configured")

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The data keys' ids, the active one first."""
        return tuple(key_id(k) for k in self.data_keys)

    @property
    def index_key_id(self) -> str:
        return key_id(self.index_key)

    def uses_active_key(self, token: str) -> bool:
        return token.split(".", 2)[1] == self.active_key_id

    def blind_index(self, kind: str, value: str) -> str:
        """Deterministic 128-bit HMAC of the normalised value, namespaced by `kind`."""
        msg = f"{kind}:{normalise_identifier(value)}".encode()
        return hmac.new(self.index_key, msg, hashlib.sha256).hexdigest()[:32]


def _key_file() -> Path:
    from django.conf import settings

    return Path(settings.FIELD_KEY_FILE)


def read_key_file(path: Path) -> dict:
    return json.loads(path.read_text())


def write_key_file(path: Path, content: dict, *, exclusive: bool = False) -> bool:
    """Atomically write the key file with mode 0600; False when `exclusive` and it existed already.

    `exclusive`: only create it, never replace one another process created meanwhile.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(content, fh)
        fh.flush()
        os.fsync(fh.fileno())
    if not exclusive:
        os.replace(tmp, path)
        return True
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)
    return True


def new_key_file_content() -> dict:
    return {"index_key": _b64e(os.urandom(32)), "data_keys": [_b64e(os.urandom(32))]}


def key_source() -> str:
    """Where the field key comes from, for messages: the environment or the key file's path."""
    return "TENURE_FIELD_KEY" if os.environ.get("TENURE_FIELD_KEY") else str(_key_file())


def create_key_file() -> bool:
    """Make the key file with a new data key and blind-index key; False when one exists already.

    Only a first set-up calls this (`tenure.core.keys.field_key_init`, on a bank without encrypted
    values): a key made on the side would encrypt new rows under a key the old rows do not use, and
    change every blind index.
    """
    created = write_key_file(_key_file(), new_key_file_content(), exclusive=True)
    reset_cipher()
    return created


def configured_cipher() -> FieldCipher | None:
    """The cipher from TENURE_FIELD_KEY or the key file; None when neither is there (nothing is created)."""
    try:
        return cipher()
    except KeyMissing:
        return None


def _load_cipher() -> FieldCipher:
    env_key = os.environ.get("TENURE_FIELD_KEY")
    if env_key:
        try:
            master = base64.b64decode(env_key)
        except ValueError as exc:
            raise KeyError_("TENURE_FIELD_KEY must be base64") from exc
        if len(master) < 32:
            raise KeyError_("TENURE_FIELD_KEY must decode to at least 32 bytes")
        previous = [base64.b64decode(k) for k in os.environ.get("TENURE_FIELD_KEY_PREVIOUS", "").split(",") if k]
        data = [_derive(master, "data")] + [_derive(p, "data") for p in previous]
        return FieldCipher(tuple(data), _derive(_index_master(master, previous), "index"))
    path = _key_file()
    if not path.exists():
        raise KeyMissing(f"no field key ({path} does not exist): {FIRST_SET_UP}")
    try:
        content = read_key_file(path)
        return FieldCipher(tuple(_b64d(k) for k in content["data_keys"]), _b64d(content["index_key"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyError_(f"cannot read the field key file {path}: {exc!r}") from exc


def _index_master(master: bytes, previous: list[bytes]) -> bytes:
    """The master key the blind-index key is derived from in TENURE_FIELD_KEY mode: never the rotated one.

    Blind indexes are stored in the database and in every lake partition, so their key must outlive a
    rotation of the data key: TENURE_FIELD_INDEX_KEY when set (the bank's first master key, kept for good),
    otherwise the oldest master given (the last of TENURE_FIELD_KEY_PREVIOUS, or TENURE_FIELD_KEY itself
    before any rotation). `tenure.core.keys.index_key_problem` refuses a key that does not match the stored
    indexes, so dropping the old master without setting TENURE_FIELD_INDEX_KEY stops commands instead of
    silently breaking search.
    """
    pinned = os.environ.get("TENURE_FIELD_INDEX_KEY")
    if pinned:
        try:
            key = base64.b64decode(pinned)
        except ValueError as exc:
            raise KeyError_("TENURE_FIELD_INDEX_KEY must be base64") from exc
        if len(key) < 32:
            raise KeyError_("TENURE_FIELD_INDEX_KEY must decode to at least 32 bytes")
        return key
    return previous[-1] if previous else master


@lru_cache(maxsize=1)
def cipher() -> FieldCipher:
    """The process-wide cipher; call `reset_cipher()` after changing keys."""
    return _load_cipher()


def reset_cipher() -> None:
    cipher.cache_clear()


def encrypt(value: str) -> str:
    return cipher().encrypt(value)


def decrypt(token: str) -> str:
    return cipher().decrypt(token)


def blind_index(kind: str, value: str) -> str:
    return cipher().blind_index(kind, value)
