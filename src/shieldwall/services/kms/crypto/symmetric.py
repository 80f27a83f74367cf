"""Ciphertext blobs of SYMMETRIC_DEFAULT keys: AES-256-GCM with the key id and material version in a header.

A blob is self-describing, so Decrypt finds the key from the blob alone and a rotated key keeps decrypting
data encrypted under any earlier material version. Layout (integers big-endian):

    offset  size  field
         0     1  blob format, 0x01
         1     1  key id kind: 0x00 a UUID, 0x01 a multi-Region key id (`mrk-` + 32 hex digits)
         2    16  the key id's 16 bytes (the UUID, or the 32 hex digits after `mrk-`)
        18     4  key material version
        22    12  AES-GCM nonce, random per encryption
        34     n  ciphertext (as long as the plaintext)
      34+n    16  AES-GCM tag

The associated data is the 22-byte header followed by the encryption context in canonical form: pairs sorted
by key, each key and value UTF-8 encoded with a 4-byte length prefix. So the header cannot be altered, the
same pairs in any order authenticate, and any other context fails. The blob names the key id, never an ARN:
a multi-Region replica shares its primary's id and material, so a blob made in one Region decrypts in another.
The overhead is 50 bytes per blob.
"""

from __future__ import annotations

import functools
import os
import re
import struct
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import InvalidCiphertext, InvalidKeyMaterial, KmsCryptoError
from .specs import SYMMETRIC_KEY_BYTES

BLOB_FORMAT = 0x01
_UUID_KIND = 0x00
_MRK_KIND = 0x01
_HEADER = struct.Struct(">BB16sI")
_LENGTH = struct.Struct(">I")
_NONCE_BYTES = 12
_TAG_BYTES = 16
_BODY_START = _HEADER.size + _NONCE_BYTES
BLOB_OVERHEAD = _BODY_START + _TAG_BYTES
_MAX_VERSION = 0xFFFFFFFF

_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MRK_RE = re.compile(r"mrk-[0-9a-f]{32}")


def encrypt_blob(
    key_id: str, version: int, material: bytes, plaintext: bytes, context: Mapping[str, str]
) -> bytes:
    header = _pack_header(key_id, version)
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(material).encrypt(nonce, plaintext, header + canonical_context(context))
    return header + nonce + sealed


def blob_key(blob: bytes) -> tuple[str, int]:
    """The (key id, material version) a blob was made under; InvalidCiphertext when it is no blob of ours."""
    _check_shape(blob)
    _, kind, raw_id, version = _HEADER.unpack_from(blob)
    return _format_key_id(kind, raw_id), version


def decrypt_blob(material: bytes, blob: bytes, context: Mapping[str, str]) -> bytes:
    _check_shape(blob)
    header = blob[: _HEADER.size]
    nonce = blob[_HEADER.size : _BODY_START]
    try:
        return _aead(material).decrypt(nonce, blob[_BODY_START:], header + canonical_context(context))
    except InvalidTag:
        raise InvalidCiphertext("the ciphertext does not match the key or the encryption context") from None


def canonical_context(context: Mapping[str, str]) -> bytes:
    if not context:
        return b""
    parts: list[bytes] = []
    for key in sorted(context):
        for text in (key, context[key]):
            encoded = text.encode("utf-8", "surrogatepass")
            parts.append(_LENGTH.pack(len(encoded)))
            parts.append(encoded)
    return b"".join(parts)


def _pack_header(key_id: str, version: int) -> bytes:
    if not 0 <= version <= _MAX_VERSION:
        raise KmsCryptoError(f"key material version {version} is out of range")
    kind, raw_id = _parse_key_id(key_id)
    return _HEADER.pack(BLOB_FORMAT, kind, raw_id, version)


@functools.lru_cache(maxsize=4096)
def _parse_key_id(key_id: str) -> tuple[int, bytes]:
    if _UUID_RE.fullmatch(key_id):
        return _UUID_KIND, bytes.fromhex(key_id.replace("-", ""))
    if _MRK_RE.fullmatch(key_id):
        return _MRK_KIND, bytes.fromhex(key_id[4:])
    raise KmsCryptoError(f"key id {key_id} is neither a UUID nor a multi-Region key id")


def _format_key_id(kind: int, raw_id: bytes) -> str:
    digits = raw_id.hex()
    if kind == _UUID_KIND:
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
    if kind == _MRK_KIND:
        return "mrk-" + digits
    raise InvalidCiphertext("the ciphertext names no key")


def _check_shape(blob: bytes) -> None:
    if len(blob) < BLOB_OVERHEAD or blob[0] != BLOB_FORMAT:
        raise InvalidCiphertext("the ciphertext is not a valid ciphertext blob")


@functools.lru_cache(maxsize=1024)
def _aead(material: bytes) -> AESGCM:
    if len(material) != SYMMETRIC_KEY_BYTES:
        raise InvalidKeyMaterial(f"symmetric key material must be {SYMMETRIC_KEY_BYTES} bytes")
    return AESGCM(material)
