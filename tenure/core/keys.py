"""Field keys: the explicit first set-up, the check before each command, and rotation.

A key is made only by a first set-up (`field_key_init`): `tenure keys init`, or `tenure demo` or the
first `tenure import` on a bank that holds no encrypted value yet (`field_key_ensure`); never in
place of a lost key.
Every command that uses the database first checks that the keys the stored values were encrypted
under can be loaded (`field_key_problem`: the ciphertexts name their key id), and refuses to run
otherwise: a lost key file must be restored, not silently replaced (docs/security.md).

Rotation adds a new data key, re-encrypts every protected value and retires old keys. Resumable:
a rotation interrupted half-way leaves both keys in the key file; running the command again
finishes re-encrypting with the same new key before retiring the old one. The blind-index key does
not rotate (in TENURE_FIELD_KEY mode it comes from the first master key: `crypto._index_master`), so
search indexes and the lake stay valid; `index_key_problem` refuses a blind-index key that does not
match the stored indexes.
"""

from __future__ import annotations

import os

from django.apps import apps
from django.db import connection, models, transaction

from tenure.core import crypto
from tenure.core.audit import audit
from tenure.core.fields import EncryptedTextField
from tenure.core.progress import progress

BATCH = 2000


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted columns, and those columns' attribute names."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


# Rows read from each end of every table with encrypted columns: a constant cost whatever the size,
# and both ends, because a rotation re-encrypts in primary-key order (an interrupted one leaves the
# first rows under the new key and the last under the old).
SAMPLE_ROWS = 20


class KeyProblem(Exception):
    """The field key cannot be made or used as asked: one line for the user."""


def key_ids_in_use() -> set[str]:
    """Ids of the data keys that encrypted the values at both ends of each table (a few indexed reads)."""
    found: set[str] = set()
    for model, names in encrypted_fields():
        found |= _sampled_key_ids(model, names)
    return found


def _sampled_key_ids(model, names):
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    pk = connection.ops.quote_name(model._meta.pk.column)
    found = set()
    with connection.cursor() as cursor:
        for order in ("ASC", "DESC"):
            cursor.execute(f"SELECT {cols} FROM {table} ORDER BY {pk} {order} LIMIT {SAMPLE_ROWS}")
            for row in cursor.fetchall():
                found.update(v.split(".", 2)[1] for v in row if v and v.startswith(f"{crypto.PREFIX}."))
    return found


def _configured() -> str:
    source = crypto.key_source()
    return "TENURE_FIELD_KEY" if source == "TENURE_FIELD_KEY" else f"the key file {source}"


def field_key_problem() -> str | None:
    """Why no command may run on this database with the configured key, in one line; None when it may.

    The database holds values encrypted under a key that neither TENURE_FIELD_KEY nor the key file
    provides (lost, replaced, or another home's): running anyway would write new rows under another
    key and leave the old ones unreadable, their blind indexes no longer matching.
    """
    try:
        loaded = crypto.configured_cipher()
    except crypto.KeyError_ as exc:  # a malformed key file or TENURE_FIELD_KEY
        return str(exc)
    missing = sorted(key_ids_in_use() - set(loaded.key_ids if loaded else ()))
    if not missing:
        return index_key_problem(loaded) if loaded else None
    ids = ", ".join(missing)
    if loaded is None:
        where = f"{crypto.key_source()} does not exist"
    else:
        where = f"{_configured()} holds key {', '.join(loaded.key_ids)}"
    return (
        f"the database holds values encrypted under field key {ids}, which is not configured ({where}): "
        "restore the key file from its back-up (docs/security.md, 'Keys: back-up and recovery'); nothing was run"
    )


def _index_kinds(name: str) -> tuple[str, ...]:
    """The blind-index kinds a `<name>_bidx` column may be made with: the column's name, or its last word
    (a complaint's `contact_mobile` is indexed as a `mobile`, so the customer search finds it)."""
    return (name, name.rsplit("_", 1)[-1])


def _stored_index_matches(model, name: str, loaded: crypto.FieldCipher) -> bool | None:
    """Whether one stored row's `<name>_bidx` is the configured blind-index key's HMAC of its value; None
    when the table holds no such row (one indexed read)."""
    row = (
        model._default_manager.exclude(**{f"{name}_bidx": ""})
        .exclude(**{name: ""})
        .values_list(name, f"{name}_bidx")
        .order_by("pk")
        .first()
    )
    if row is None:
        return None
    value, stored = row
    return stored in {loaded.blind_index(kind, value) for kind in _index_kinds(name)}


def index_key_problem(loaded: crypto.FieldCipher) -> str | None:
    """Why the configured blind-index key cannot be used on this database, in one line; None when it can.

    The stored blind indexes (database and lake) were made with another key: every search by identifier
    would find nothing and new rows would not join the old ones. In TENURE_FIELD_KEY mode that is a
    rotation whose first master key was dropped without being kept as TENURE_FIELD_INDEX_KEY.
    """
    for model, names in encrypted_fields():
        fields = {f.name for f in model._meta.concrete_fields}
        for name in names:
            if f"{name}_bidx" in fields and _stored_index_matches(model, name, loaded) is False:
                fix = (
                    "set TENURE_FIELD_INDEX_KEY to the master key the bank was first set up with (its first "
                    "TENURE_FIELD_KEY)"
                    if os.environ.get("TENURE_FIELD_KEY")
                    else "restore the key file from its back-up"
                )
                return (
                    f"the blind indexes in the database were made with another blind-index key than the configured "
                    f"one ({loaded.index_key_id}): searches by identifier would find nothing; {fix} "
                    "(docs/security.md, 'Keys: back-up and recovery'); nothing was run"
                )
    return None


def field_key_init() -> crypto.FieldCipher:
    """The explicit first set-up: create the key file. KeyProblem when a key exists or data does."""
    if os.environ.get("TENURE_FIELD_KEY"):
        raise KeyProblem("TENURE_FIELD_KEY is set: the field key comes from the environment, no key file is made")
    path = crypto.key_source()
    existing = crypto.configured_cipher()
    if existing is not None:
        raise KeyProblem(f"a field key exists already ({path}, key {existing.active_key_id}): it is never replaced")
    in_use = key_ids_in_use()
    if in_use:
        raise KeyProblem(
            f"the database holds values encrypted under field key {', '.join(sorted(in_use))} and {path} does not "
            "exist: a new key could not read them; restore the key file from its back-up (docs/security.md)"
        )
    if not crypto.create_key_file():  # another process made one meanwhile
        raise KeyProblem(f"a field key exists already ({path}): it is never replaced")
    created = crypto.cipher()
    audit(action="keys.init", object_type="field_key", object_id=created.active_key_id, detail={"path": path})
    return created


def field_key_ensure() -> crypto.FieldCipher | None:
    """The first set-up of a command that is about to write the bank's first protected values (`tenure
    demo`, the first `tenure import`): the key made now, or None when one is configured already.
    KeyProblem when the database holds values under a key that is missing: that key is restored, not
    replaced."""
    if crypto.configured_cipher() is not None:
        return None
    return field_key_init()


def key_created_line(created: crypto.FieldCipher) -> str:
    """What a command says when it has made the field key: where it is, and to back it up."""
    return (
        f"Created the field key {crypto.key_source()} (data key {created.active_key_id}, blind-index key "
        f"{created.index_key_id}). Back it up now, apart from the database: without it the protected fields "
        "cannot be read (docs/security.md)."
    )


def _prepare_key_file() -> list[str]:
    """Ensure the key file has a fresh active key; returns ids of keys to retire afterwards."""
    from django.conf import settings

    path = settings.FIELD_KEY_FILE
    crypto.cipher()  # the command checked that the file exists; this reads it
    content = crypto.read_key_file(path)
    if len(content["data_keys"]) == 1:  # not resuming: add a new active key
        content["data_keys"].insert(0, crypto.new_key_file_content()["data_keys"][0])
        crypto.write_key_file(path, content)
    crypto.reset_cipher()
    return [crypto.key_id(k) for k in crypto.cipher().data_keys[1:]]


def _retire_old_keys() -> None:
    from django.conf import settings

    content = crypto.read_key_file(settings.FIELD_KEY_FILE)
    content["data_keys"] = content["data_keys"][:1]
    crypto.write_key_file(settings.FIELD_KEY_FILE, content)
    crypto.reset_cipher()


def _stale_ids(model, columns: list[str], after: int) -> tuple[list[int], int]:
    """Primary keys in the next batch whose values use a non-active key, and the batch's last key."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {cols} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s", [after, BATCH])
        rows = cursor.fetchall()
    active = crypto.cipher()
    stale = [row[0] for row in rows if any(v and not active.uses_active_key(v) for v in row[1:])]
    return stale, (rows[-1][0] if rows else -1)


def rotate_field_keys(*, show_progress: bool = True) -> dict:
    """Re-encrypt all protected values with the active key. Returns a summary."""
    env_mode = bool(os.environ.get("TENURE_FIELD_KEY"))
    retire = [] if env_mode else _prepare_key_file()
    crypto.reset_cipher()
    total = 0
    for model, columns in encrypted_fields():
        with progress(
            f"re-encrypting {model._meta.verbose_name_plural}", model._default_manager.count(), enabled=show_progress
        ) as bar:
            after = 0
            while True:
                stale, last = _stale_ids(model, columns, after)
                if last == -1:
                    break
                with transaction.atomic():
                    objs = list(model._default_manager.filter(pk__in=stale))
                    model._default_manager.bulk_update(objs, columns, batch_size=500)
                total += len(stale)
                bar.advance(BATCH)
                after = last
    if not env_mode:
        _retire_old_keys()
    active_key_id = crypto.cipher().active_key_id
    summary = {
        "reencrypted": total,
        "active_key_id": active_key_id,
        "retired_key_ids": retire,
        "index_key_id": crypto.cipher().index_key_id,  # unchanged by a rotation: the stored indexes stay valid
        "mode": "environment" if env_mode else "key file",
    }
    audit(action="rotate_keys", object_type="field_key", object_id=active_key_id, detail=summary)
    return summary
