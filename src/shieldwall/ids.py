"""The only place that mints identifiers and key material."""

from __future__ import annotations

import base64
import secrets
import uuid

_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def request_id() -> str:
    return str(uuid.uuid4())


def event_id() -> str:
    return str(uuid.uuid4())


def access_key_id(prefix: str = "AKIA") -> str:
    """An access key id of AWS's form: a four-letter prefix and 16 base32 characters."""
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def secret_access_key() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode("ascii")


def unique_id(prefix: str) -> str:
    """IAM unique ids (AIDA..., AROA...): a prefix and 17 base32 characters."""
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(17))


def token_bytes(length: int) -> bytes:
    return secrets.token_bytes(length)
