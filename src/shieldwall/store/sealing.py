"""Secrets at rest: AES-256-GCM under keys derived from the local root key, one key per purpose.

Each purpose label ("iam.access-key-secret", ...) gets its own 32-byte key from HKDF-SHA256 over the root key,
so a value sealed for one purpose never opens under another. The caller's `aad` binds a sealed value to its
record (an access key id, say): a sealed blob copied onto another record does not open there.

A sealed value is `version byte (1) || 12-byte random nonce || ciphertext and 16-byte tag`.
"""

from __future__ import annotations

import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shieldwall import ids

FORMAT_VERSION = 1
NONCE_SIZE = 12
_HEADER = bytes([FORMAT_VERSION])
_INFO_PREFIX = b"shieldwall/sealing/v1/"


class SealingError(Exception):
    """A sealed value that cannot be opened: damaged, of another purpose or record, or under another root key."""


class Sealer:
    def __init__(self, root_key: bytes) -> None:
        if len(root_key) != 32:
            raise SealingError(f"the root key must be 32 bytes, not {len(root_key)}")
        self._root_key = root_key
        self._ciphers: dict[str, AESGCM] = {}
        self._lock = threading.Lock()

    def seal(self, plaintext: bytes, purpose: str, aad: bytes) -> bytes:
        nonce = ids.token_bytes(NONCE_SIZE)
        return _HEADER + nonce + self._cipher(purpose).encrypt(nonce, plaintext, aad)

    def open_sealed(self, sealed: bytes, purpose: str, aad: bytes) -> bytes:
        if len(sealed) < 1 + NONCE_SIZE + 16 or sealed[0] != FORMAT_VERSION:
            raise SealingError("not a sealed value of a known format")
        nonce = sealed[1 : 1 + NONCE_SIZE]
        try:
            return self._cipher(purpose).decrypt(nonce, sealed[1 + NONCE_SIZE :], aad)
        except InvalidTag:
            raise SealingError(f"the sealed value does not open for purpose `{purpose}`") from None

    def _cipher(self, purpose: str) -> AESGCM:
        cipher = self._ciphers.get(purpose)
        if cipher is None:
            with self._lock:
                cipher = self._ciphers.get(purpose) or AESGCM(derive_key(self._root_key, purpose))
                self._ciphers[purpose] = cipher
        return cipher


def derive_key(root_key: bytes, purpose: str) -> bytes:
    if not purpose:
        raise SealingError("a purpose label is required")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO_PREFIX + purpose.encode("utf-8"))
    return hkdf.derive(root_key)
