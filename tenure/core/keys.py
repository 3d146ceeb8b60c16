"""Field-key rotation: add a new data key, re-encrypt every protected value, retire old keys.

Resumable: a rotation interrupted half-way leaves both keys in the key file; running the command
again finishes re-encrypting with the same new key before retiring the old one. The blind-index
key does not rotate, so search indexes and the lake stay valid.
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


def _prepare_key_file() -> list[str]:
    """Ensure the key file has a fresh active key; returns ids of keys to retire afterwards."""
    from django.conf import settings

    path = settings.FIELD_KEY_FILE
    crypto.cipher()  # creates the file on first use
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
        "mode": "environment" if env_mode else "key file",
    }
    audit(action="rotate_keys", object_type="field_key", object_id=active_key_id, detail=summary)
    return summary
