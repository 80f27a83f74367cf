"""Key objects from `cryptography`: curves and digests by AWS name, generation, cached loading, encoding.

Loaded private keys are cached by their DER bytes, since parsing (and for RSA, checking) a key costs far more
than the signature or decryption done with it. Material reaching `load_private_key` was generated here or
checked in full by `imports.check_import`, so RSA's expensive consistency check is skipped on load.
"""

from __future__ import annotations

import functools

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .errors import InvalidKeyMaterial, UnsupportedSpec
from .specs import RSA_BITS

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

CURVES: dict[str, ec.EllipticCurve] = {
    "ECC_NIST_P256": ec.SECP256R1(),
    "ECC_NIST_P384": ec.SECP384R1(),
    "ECC_NIST_P521": ec.SECP521R1(),
    "ECC_SECG_P256K1": ec.SECP256K1(),
}

_SHA1 = hashes.SHA1()
_SHA224 = hashes.SHA224()
_SHA256 = hashes.SHA256()
_SHA384 = hashes.SHA384()
_SHA512 = hashes.SHA512()

DIGESTS: dict[str, hashes.HashAlgorithm] = {
    "RSAES_OAEP_SHA_1": _SHA1,
    "RSAES_OAEP_SHA_256": _SHA256,
    "RSA_AES_KEY_WRAP_SHA_1": _SHA1,
    "RSA_AES_KEY_WRAP_SHA_256": _SHA256,
    "RSASSA_PSS_SHA_256": _SHA256,
    "RSASSA_PSS_SHA_384": _SHA384,
    "RSASSA_PSS_SHA_512": _SHA512,
    "RSASSA_PKCS1_V1_5_SHA_256": _SHA256,
    "RSASSA_PKCS1_V1_5_SHA_384": _SHA384,
    "RSASSA_PKCS1_V1_5_SHA_512": _SHA512,
    "ECDSA_SHA_256": _SHA256,
    "ECDSA_SHA_384": _SHA384,
    "ECDSA_SHA_512": _SHA512,
    "HMAC_SHA_224": _SHA224,
    "HMAC_SHA_256": _SHA256,
    "HMAC_SHA_384": _SHA384,
    "HMAC_SHA_512": _SHA512,
}

_PKCS8 = serialization.PrivateFormat.PKCS8
_DER = serialization.Encoding.DER
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_NO_ENCRYPTION = serialization.NoEncryption()


def generate_rsa_der(bits: int) -> bytes:
    return private_der(rsa.generate_private_key(public_exponent=65537, key_size=bits))


def generate_ec_der(key_spec: str) -> bytes:
    return private_der(ec.generate_private_key(curve_of(key_spec)))


def curve_of(key_spec: str) -> ec.EllipticCurve:
    curve = CURVES.get(key_spec)
    if curve is None:
        raise UnsupportedSpec(f"key spec {key_spec} is not an elliptic curve key spec")
    return curve


def private_der(key: PrivateKey) -> bytes:
    return key.private_bytes(_DER, _PKCS8, _NO_ENCRYPTION)


def public_der(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(_DER, _SPKI)


def parse_private_key(material: bytes, *, trusted: bool = True) -> PrivateKey:
    """Parse DER private key material; `trusted=False` runs every consistency check (imported material)."""
    try:
        key = serialization.load_der_private_key(material, None, unsafe_skip_rsa_key_validation=trusted)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InvalidKeyMaterial("the key material is not a DER-encoded private key") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise InvalidKeyMaterial("the key material is neither an RSA nor an elliptic curve private key")
    return key


def require_spec(key: PrivateKey, key_spec: str) -> None:
    """Raise unless the key is of `key_spec`: an RSA key of its size, or an EC key on its curve."""
    if key_spec in RSA_BITS:
        if not isinstance(key, rsa.RSAPrivateKey) or key.key_size != RSA_BITS[key_spec]:
            raise InvalidKeyMaterial(f"the key material is not an {key_spec} private key")
    elif key_spec in CURVES:
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != CURVES[key_spec].name:
            raise InvalidKeyMaterial(f"the key material is not an {key_spec} private key")
    else:
        raise UnsupportedSpec(f"key spec {key_spec} has no private key")


@functools.lru_cache(maxsize=512)
def load_private_key(key_spec: str, material: bytes) -> PrivateKey:
    key = parse_private_key(material)
    require_spec(key, key_spec)
    return key


def load_rsa_key(key_spec: str, material: bytes) -> rsa.RSAPrivateKey:
    key = load_private_key(key_spec, material)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UnsupportedSpec(f"key spec {key_spec} is not an RSA key spec")
    return key


def load_ec_key(key_spec: str, material: bytes) -> ec.EllipticCurvePrivateKey:
    key = load_private_key(key_spec, material)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise UnsupportedSpec(f"key spec {key_spec} is not an elliptic curve key spec")
    return key


@functools.lru_cache(maxsize=512)
def load_public_der(key_spec: str, material: bytes) -> bytes:
    return public_der(load_private_key(key_spec, material))
