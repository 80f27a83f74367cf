"""Imported key material: the RSA wrapping keys of GetParametersForImport, unwrapping, and checking material.

The caller encrypts its material under the wrapping public key with one of four algorithms:
RSAES_OAEP_SHA_1/256 encrypt the material itself with RSA-OAEP; RSA_AES_KEY_WRAP_SHA_1/256 encrypt a fresh
256-bit AES key with RSA-OAEP and append the material wrapped under that key with AES key wrap with padding
(RFC 5649). Symmetric material is 32 raw bytes, HMAC material raw bytes of the spec's length range, and
asymmetric material a DER PKCS#8 private key.
See https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html
"""

from __future__ import annotations

import functools

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap_with_padding

from .asymmetric import oaep_decrypt
from .errors import InvalidAlgorithm, InvalidCiphertext, InvalidKeyMaterial, UnsupportedSpec
from .pool import RsaPool
from .primitives import CURVES, DIGESTS, generate_rsa_der, parse_private_key, require_spec
from .specs import (
    HMAC_IMPORT_BYTES,
    RSA_AES_WRAPPING,
    RSA_BITS,
    RSAES_WRAPPING,
    SYMMETRIC_DEFAULT,
    SYMMETRIC_KEY_BYTES,
    WRAPPING_KEY_SPECS,
)

_EPHEMERAL_AES_BYTES = 32
_PKCS8_VERSIONS = (b"\x02\x01\x00", b"\x02\x01\x01")
_SEQUENCE = 0x30


def wrapping_key(spec: str, pool: RsaPool | None = None) -> bytes:
    """A new import wrapping key of WrappingKeySpec `spec`, as a DER PKCS#8 RSA private key."""
    bits = WRAPPING_KEY_SPECS.get(spec)
    if bits is None:
        raise UnsupportedSpec(f"wrapping key spec {spec} is not supported")
    return pool.take(bits) if pool is not None else generate_rsa_der(bits)


def unwrap_import(wrapping_private: bytes, algorithm: str, encrypted: bytes) -> bytes:
    """The key material inside `encrypted`; InvalidCiphertext when it does not unwrap."""
    key = _wrapping_rsa_key(wrapping_private)
    if algorithm in RSAES_WRAPPING:
        return oaep_decrypt(key, DIGESTS[algorithm], encrypted)
    if algorithm in RSA_AES_WRAPPING:
        return _unwrap_rsa_aes(key, algorithm, encrypted)
    raise InvalidAlgorithm(f"wrapping algorithm {algorithm} is not supported")


def check_import(key_spec: str, material: bytes) -> None:
    """Raise InvalidKeyMaterial unless `material` is key material of `key_spec`."""
    if key_spec == SYMMETRIC_DEFAULT:
        _check_length(key_spec, material, SYMMETRIC_KEY_BYTES, SYMMETRIC_KEY_BYTES)
    elif key_spec in HMAC_IMPORT_BYTES:
        _check_length(key_spec, material, *HMAC_IMPORT_BYTES[key_spec])
    elif key_spec in RSA_BITS or key_spec in CURVES:
        _check_private_key(key_spec, material)
    else:
        raise UnsupportedSpec(f"key material cannot be imported for key spec {key_spec}")


def _unwrap_rsa_aes(key: rsa.RSAPrivateKey, algorithm: str, encrypted: bytes) -> bytes:
    split = key.key_size // 8
    if len(encrypted) <= split:
        raise InvalidCiphertext(f"the encrypted key material is too short for {algorithm}")
    aes_key = oaep_decrypt(key, DIGESTS[algorithm], encrypted[:split])
    if len(aes_key) != _EPHEMERAL_AES_BYTES:
        raise InvalidCiphertext("the wrapped AES key must be 256 bits")
    try:
        return aes_key_unwrap_with_padding(aes_key, encrypted[split:])
    except (InvalidUnwrap, ValueError):
        raise InvalidCiphertext("the key material does not unwrap under the wrapped AES key") from None


@functools.lru_cache(maxsize=64)
def _wrapping_rsa_key(wrapping_private: bytes) -> rsa.RSAPrivateKey:
    key = parse_private_key(wrapping_private)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKeyMaterial("the wrapping key is not an RSA private key")
    return key


def _check_length(key_spec: str, material: bytes, shortest: int, longest: int) -> None:
    if not shortest <= len(material) <= longest:
        span = f"{shortest} bytes" if shortest == longest else f"{shortest} to {longest} bytes"
        raise InvalidKeyMaterial(f"key material of {key_spec} must be {span}, not {len(material)}")


def _check_private_key(key_spec: str, material: bytes) -> None:
    if not _is_pkcs8(material):
        raise InvalidKeyMaterial(f"key material of {key_spec} must be a DER-encoded PKCS#8 private key")
    require_spec(parse_private_key(material, trusted=False), key_spec)


def _is_pkcs8(der: bytes) -> bool:
    """A PrivateKeyInfo opens with SEQUENCE, version 0 (or 1), then the AlgorithmIdentifier SEQUENCE.

    PKCS#1 RSAPrivateKey and SEC 1 ECPrivateKey, which OpenSSL also parses, differ right after the version.
    """
    if len(der) < 2 or der[0] != _SEQUENCE:
        return False
    start = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    return der[start : start + 3] in _PKCS8_VERSIONS and der[start + 3 : start + 4] == bytes([_SEQUENCE])
