"""A stored key's material put to use: symmetric blobs, RSA encryption, and the algorithm checks around them.

These functions take a key record and the server's sealer, so other services (Secrets Manager, SSM, S3
encrypting with a KMS key) use exactly what Encrypt and Decrypt use.
"""

from __future__ import annotations

from collections.abc import Mapping

from shieldwall.errors import internal_error
from shieldwall.services.kms import crypto, errors
from shieldwall.services.kms.material import open_material
from shieldwall.services.kms.models import Key, Material
from shieldwall.store.sealing import Sealer

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
_RSA_BYTES = {"RSA_2048": 256, "RSA_3072": 384, "RSA_4096": 512}
_OAEP_DIGEST_BYTES = {"RSAES_OAEP_SHA_1": 20, "RSAES_OAEP_SHA_256": 32}


def seal_symmetric(
    sealer: Sealer, key: Key, plaintext: bytes, context: Mapping[str, str]
) -> tuple[bytes, Material]:
    """A ciphertext blob under the key's current material version, bound to `context`."""
    current = key.current
    if current is None:
        raise errors.pending_import(key.arn)
    plain = open_material(sealer, key, current)
    try:
        return crypto.encrypt_blob(key.key_id, current.version, plain, plaintext, context), current
    except crypto.KmsCryptoError:
        raise internal_error() from None


def open_symmetric(
    sealer: Sealer, key: Key, blob: bytes, version: int | None, context: Mapping[str, str]
) -> tuple[bytes, Material]:
    """The plaintext of a blob made under any of the key's material versions, if `context` matches."""
    found = key.material(version) if version is not None else None
    if found is None:
        raise errors.invalid_ciphertext()
    try:
        return crypto.decrypt_blob(open_material(sealer, key, found), blob, context), found
    except crypto.KmsCryptoError:
        raise errors.invalid_ciphertext() from None


def check_algorithm(key: Key, usage: str, algorithm: str) -> None:
    """InvalidKeyUsageException unless `algorithm` is one the key's spec offers for `usage`."""
    if algorithm not in crypto.SPECS[key.key_spec].algorithms(usage):
        raise errors.incompatible_algorithm(algorithm, key.key_spec)


def rsa_encrypt(sealer: Sealer, key: Key, algorithm: str, plaintext: bytes) -> bytes:
    limit = _RSA_BYTES[key.key_spec] - 2 * _OAEP_DIGEST_BYTES[algorithm] - 2
    if len(plaintext) > limit:
        raise errors.validation(
            f"Algorithm {algorithm} and key spec {key.key_spec} cannot encrypt data larger than {limit} bytes."
        )
    try:
        return crypto.rsa_encrypt(key.key_spec, current_material(sealer, key), algorithm, plaintext)
    except crypto.KmsCryptoError:
        raise internal_error() from None


def rsa_decrypt(sealer: Sealer, key: Key, algorithm: str, ciphertext: bytes) -> bytes:
    try:
        return crypto.rsa_decrypt(key.key_spec, current_material(sealer, key), algorithm, ciphertext)
    except crypto.KmsCryptoError:
        raise errors.invalid_ciphertext() from None


def current_material(sealer: Sealer, key: Key) -> bytes:
    current = key.current
    if current is None:
        raise errors.pending_import(key.arn)
    return open_material(sealer, key, current)
