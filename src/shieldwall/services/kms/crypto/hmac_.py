"""GenerateMac and VerifyMac: RFC 2104 HMAC with the digest of the key spec."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hmac

from .errors import InvalidMessage
from .primitives import DIGESTS
from .specs import GENERATE_VERIFY_MAC, MAX_MESSAGE_BYTES, require_algorithm


def generate_mac(key_spec: str, material: bytes, algorithm: str, message: bytes) -> bytes:
    return _keyed(key_spec, material, algorithm, message).finalize()


def verify_mac(key_spec: str, material: bytes, algorithm: str, message: bytes, mac: bytes) -> bool:
    """Compares in constant time; False for any MAC but the right one."""
    try:
        _keyed(key_spec, material, algorithm, message).verify(mac)
    except InvalidSignature:
        return False
    return True


def _keyed(key_spec: str, material: bytes, algorithm: str, message: bytes) -> hmac.HMAC:
    require_algorithm(key_spec, GENERATE_VERIFY_MAC, algorithm)
    if len(message) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(f"a message must be at most {MAX_MESSAGE_BYTES} bytes")
    keyed = hmac.HMAC(material, DIGESTS[algorithm])
    keyed.update(message)
    return keyed
