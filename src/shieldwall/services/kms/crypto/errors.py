"""What the KMS cryptography library raises; the service maps each class to an AWS error code.

Messages are written so the service can pass them on to the caller unchanged.
"""

from __future__ import annotations


class KmsCryptoError(Exception):
    @property
    def message(self) -> str:
        return str(self)


class InvalidCiphertext(KmsCryptoError):
    """The ciphertext is malformed, was tampered with, or does not match the key or encryption context."""


class UnsupportedSpec(KmsCryptoError):
    """A key spec (or data key pair / wrapping key spec) this implementation does not support."""


class InvalidKeyMaterial(KmsCryptoError):
    """Key material that is not material of the key spec it is used or imported as."""


class InvalidAlgorithm(KmsCryptoError):
    """An algorithm that is unknown or not valid for the key spec."""


class InvalidMessage(KmsCryptoError, ValueError):
    """A message, digest or plaintext whose size or type is not acceptable for the operation."""


class PlaintextTooLong(InvalidMessage):
    """RSA encryption of a plaintext longer than the key spec and algorithm allow."""


class InvalidPublicKey(KmsCryptoError):
    """A peer public key (DeriveSharedSecret) that is not a DER SubjectPublicKeyInfo on the key's curve."""
