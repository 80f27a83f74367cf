"""Key material of every spec: generation, the public key GetPublicKey returns, GenerateDataKeyPair pairs."""

from __future__ import annotations

from shieldwall import ids

from .errors import UnsupportedSpec
from .pool import RsaPool
from .primitives import (
    CURVES,
    generate_ec_der,
    generate_rsa_der,
    load_public_der,
    parse_private_key,
    public_der,
)
from .specs import DATA_KEY_PAIR_SPECS, HMAC_KEY_BYTES, RSA_BITS, SYMMETRIC_DEFAULT, SYMMETRIC_KEY_BYTES


def generate_material(key_spec: str, pool: RsaPool | None = None) -> bytes:
    """New key material: AES and HMAC keys as raw bytes, RSA and ECC keys as DER PKCS#8 private keys."""
    if key_spec == SYMMETRIC_DEFAULT:
        return ids.token_bytes(SYMMETRIC_KEY_BYTES)
    if key_spec in HMAC_KEY_BYTES:
        return ids.token_bytes(HMAC_KEY_BYTES[key_spec])
    if key_spec in RSA_BITS:
        bits = RSA_BITS[key_spec]
        return pool.take(bits) if pool is not None else generate_rsa_der(bits)
    if key_spec in CURVES:
        return generate_ec_der(key_spec)
    raise UnsupportedSpec(f"key spec {key_spec} is not supported")


def public_key_der(key_spec: str, material: bytes) -> bytes:
    """The DER SubjectPublicKeyInfo of an asymmetric key; UnsupportedSpec for symmetric and HMAC keys."""
    if key_spec not in RSA_BITS and key_spec not in CURVES:
        raise UnsupportedSpec(f"key spec {key_spec} has no public key")
    return load_public_der(key_spec, material)


def data_key_pair(pair_spec: str, pool: RsaPool | None = None) -> tuple[bytes, bytes]:
    """A new key pair for GenerateDataKeyPair: (DER PKCS#8 private key, DER SubjectPublicKeyInfo)."""
    if pair_spec not in DATA_KEY_PAIR_SPECS:
        raise UnsupportedSpec(f"key pair spec {pair_spec} is not supported")
    private = generate_material(pair_spec, pool)
    return private, public_der(parse_private_key(private))
