"""The only place that mints identifiers and key material."""

from __future__ import annotations

import base64
import os
import secrets

_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def uuid4() -> str:
    """A random (version 4) UUID string; `str(uuid.uuid4())` costs several times more on the hot path."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


_VARIANT = "89ab"


def request_id() -> str:
    return uuid4()


def event_id() -> str:
    return uuid4()


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
