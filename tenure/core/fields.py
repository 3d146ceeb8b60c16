"""Model field that stores text encrypted (AES-GCM) and hands back plaintext in Python."""

from django.db import models

from tenure.core import crypto


class EncryptedTextField(models.TextField):
    """Encrypted at rest. Never filter on it: search through the companion blind-index column."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
