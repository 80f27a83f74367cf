"""Client-side helpers for importing key material: wrapping it as a client does with `cryptography`."""

from __future__ import annotations

import os
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding


def wrap(public_der: bytes, algorithm: str, material: bytes) -> bytes:
    """What a client sends as EncryptedKeyMaterial (KMS Developer Guide, "Encrypt the key material")."""
    public = serialization.load_der_public_key(public_der)
    assert isinstance(public, rsa.RSAPublicKey)
    digest = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, oaep)
    aes_key = os.urandom(32)
    return public.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)


def import_material(
    kms: Any, key_id: str, material: bytes, algorithm: str = "RSAES_OAEP_SHA_256", **expiry: Any
) -> dict[str, Any]:
    params = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_2048"
    )
    expiry = expiry or {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
    return dict(
        kms.import_key_material(
            KeyId=key_id,
            ImportToken=params["ImportToken"],
            EncryptedKeyMaterial=wrap(params["PublicKey"], algorithm, material),
            **expiry,
        )
    )


def external_key(kms: Any, **spec: Any) -> dict[str, Any]:
    return dict(kms.create_key(Origin="EXTERNAL", **spec)["KeyMetadata"])
