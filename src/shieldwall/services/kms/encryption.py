"""Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateDataKeyPair(WithoutPlaintext) and
GenerateRandom.

Symmetric keys encrypt into self-describing blobs bound to the encryption context; RSA keys encrypt with
RSAES-OAEP and take no encryption context. Every answer names the key by its ARN, as AWS's does.
"""

from __future__ import annotations

from typing import Any

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.kms import crypto, errors
from shieldwall.services.kms.cipher import (
    SYMMETRIC_DEFAULT,
    check_algorithm,
    open_symmetric,
    rsa_decrypt,
    rsa_encrypt,
    seal_symmetric,
)
from shieldwall.services.kms.common import (
    KmsBase,
    check_dry_run,
    check_enum,
    reject_recipient,
    require_usable,
    require_usage,
)
from shieldwall.services.kms.keys import enum_of
from shieldwall.services.kms.lookup import Found, ciphertext_key, ciphertext_of
from shieldwall.services.kms.models import Key

_DATA_KEY_BYTES = {"AES_256": 32, "AES_128": 16}


def _context(params: Params, member: str = "EncryptionContext") -> dict[str, str]:
    context: dict[str, str] = params.get(member) or {}
    return context


def _encrypting_key(found: Found, operation: str) -> Key:
    key = found.key
    require_usable(key)
    require_usage(key, crypto.ENCRYPT_DECRYPT, operation)
    return key


def _algorithm(key: Key, params: Params, member: str = "EncryptionAlgorithm") -> str:
    algorithm: str = params.get(member) or SYMMETRIC_DEFAULT
    check_enum(member[:1].lower() + member[1:], algorithm, enum_of("EncryptionAlgorithmSpec"))
    check_algorithm(key, crypto.ENCRYPT_DECRYPT, algorithm)
    return algorithm


def _symmetric_only(key: Key, operation: str) -> None:
    if key.key_spec != SYMMETRIC_DEFAULT:
        raise errors.invalid_key_spec(key.arn, key.key_spec, operation)


def _no_context_for_rsa(key: Key, context: dict[str, str]) -> None:
    if context and key.key_spec != SYMMETRIC_DEFAULT:
        raise errors.validation("EncryptionContext is not supported with asymmetric KMS keys.")


class EncryptionMixin(KmsBase):
    def encrypt(self, call: Call, params: Params) -> Params:
        key = _encrypting_key(self.counted(call, self.found(call, params["KeyId"])), "Encrypt")
        algorithm = _algorithm(key, params)
        context = _context(params)
        _no_context_for_rsa(key, context)
        check_dry_run(params)
        blob, material_id = self._encrypt_with(key, algorithm, params["Plaintext"], context)
        # KeyMaterialId is no member of Encrypt's response (the serializer drops it); the trail records it as
        # additionalEventData.keyMaterialId, as CloudTrail does.
        return {
            "CiphertextBlob": blob,
            "KeyId": key.arn,
            "EncryptionAlgorithm": algorithm,
            "KeyMaterialId": material_id,
        }

    def _encrypt_with(
        self, key: Key, algorithm: str, plaintext: bytes, context: dict[str, str]
    ) -> tuple[bytes, str | None]:
        """(ciphertext, KeyMaterialId of a symmetric blob)."""
        if key.key_spec == SYMMETRIC_DEFAULT:
            blob, material = seal_symmetric(self.sealer, key, plaintext, context)
            return blob, material.material_id
        return rsa_encrypt(self.sealer, key, algorithm, plaintext), None

    def decrypt(self, call: Call, params: Params) -> Params:
        found = self.counted(call, self._source(call, ciphertext_of(params), params.get("KeyId")))
        key = _encrypting_key(found, "Decrypt")
        algorithm = _algorithm(key, params)
        context = _context(params)
        reject_recipient(params)
        check_dry_run(params)
        plaintext, material_id = self._decrypt_with(found, algorithm, ciphertext_of(params), context)
        out: dict[str, Any] = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        if material_id is not None:
            out["KeyMaterialId"] = material_id
        return out

    def _source(self, call: Call, blob: bytes, key_id: str | None) -> Found:
        return self.kept(call, ciphertext_key(self.store, call, blob, key_id, call.now()))

    def _decrypt_with(
        self, found: Found, algorithm: str, blob: bytes, context: dict[str, str]
    ) -> tuple[bytes, str | None]:
        key = found.key
        if key.key_spec == SYMMETRIC_DEFAULT:
            plaintext, material = open_symmetric(self.sealer, key, blob, found.blob_version, context)
            return plaintext, material.material_id
        _no_context_for_rsa(key, context)
        return rsa_decrypt(self.sealer, key, algorithm, blob), None

    def re_encrypt(self, call: Call, params: Params) -> Params:
        source = self.counted(call, self._source(call, ciphertext_of(params), params.get("SourceKeyId")))
        source_key = _encrypting_key(source, "ReEncrypt")
        source_algorithm = _algorithm(source_key, params, "SourceEncryptionAlgorithm")
        destination = _encrypting_key(self.found(call, params["DestinationKeyId"]), "ReEncrypt")
        destination_algorithm = _algorithm(destination, params, "DestinationEncryptionAlgorithm")
        destination_context = _context(params, "DestinationEncryptionContext")
        _no_context_for_rsa(destination, destination_context)
        check_dry_run(params)
        source_context = _context(params, "SourceEncryptionContext")
        plaintext, source_material = self._decrypt_with(
            source, source_algorithm, ciphertext_of(params), source_context
        )
        blob, destination_material = self._encrypt_with(
            destination, destination_algorithm, plaintext, destination_context
        )
        out: dict[str, Any] = {
            "CiphertextBlob": blob,
            "SourceKeyId": source_key.arn,
            "KeyId": destination.arn,
            "SourceEncryptionAlgorithm": source_algorithm,
            "DestinationEncryptionAlgorithm": destination_algorithm,
        }
        if source_material is not None:
            out["SourceKeyMaterialId"] = source_material
        if destination_material is not None:
            out["DestinationKeyMaterialId"] = destination_material
        return out

    # -- data keys -------------------------------------------------------------------------------------------------

    def generate_data_key(self, call: Call, params: Params) -> Params:
        return self._data_key(call, params, "GenerateDataKey", with_plaintext=True)

    def generate_data_key_without_plaintext(self, call: Call, params: Params) -> Params:
        return self._data_key(call, params, "GenerateDataKeyWithoutPlaintext", with_plaintext=False)

    def _data_key(self, call: Call, params: Params, operation: str, *, with_plaintext: bool) -> Params:
        key = _encrypting_key(self.counted(call, self.found(call, params["KeyId"])), operation)
        _symmetric_only(key, operation)
        size = _data_key_size(params)
        reject_recipient(params)
        check_dry_run(params)
        plaintext = ids.token_bytes(size)
        blob, material = seal_symmetric(self.sealer, key, plaintext, _context(params))
        out: dict[str, Any] = {
            "CiphertextBlob": blob,
            "KeyId": key.arn,
            "KeyMaterialId": material.material_id,
        }
        if with_plaintext:
            out["Plaintext"] = plaintext
        return out

    def generate_data_key_pair(self, call: Call, params: Params) -> Params:
        return self._data_key_pair(call, params, "GenerateDataKeyPair", with_plaintext=True)

    def generate_data_key_pair_without_plaintext(self, call: Call, params: Params) -> Params:
        return self._data_key_pair(call, params, "GenerateDataKeyPairWithoutPlaintext", with_plaintext=False)

    def _data_key_pair(self, call: Call, params: Params, operation: str, *, with_plaintext: bool) -> Params:
        key = _encrypting_key(self.found(call, params["KeyId"]), operation)
        _symmetric_only(key, operation)
        pair_spec: str = params["KeyPairSpec"]
        check_enum("keyPairSpec", pair_spec, enum_of("DataKeyPairSpec"))
        if pair_spec not in crypto.DATA_KEY_PAIR_SPECS:
            raise errors.unsupported(f"KeyPairSpec {pair_spec} is not supported in this region.")
        reject_recipient(params)
        check_dry_run(params)
        private, public = crypto.data_key_pair(pair_spec, self.pool)
        blob, material = seal_symmetric(self.sealer, key, private, _context(params))
        out: dict[str, Any] = {
            "PrivateKeyCiphertextBlob": blob,
            "PublicKey": public,
            "KeyId": key.arn,
            "KeyPairSpec": pair_spec,
            "KeyMaterialId": material.material_id,
        }
        if with_plaintext:
            out["PrivateKeyPlaintext"] = private
        return out

    def generate_random(self, call: Call, params: Params) -> Params:
        self.throttle(call, SYMMETRIC_DEFAULT)
        size = params.get("NumberOfBytes")
        if size is None:
            raise errors.validation("NumberOfBytes is required.")
        if params.get("CustomKeyStoreId"):
            raise errors.unsupported("shieldwall does not support custom key stores")
        reject_recipient(params)
        return {"Plaintext": ids.token_bytes(size)}


def _data_key_size(params: Params) -> int:
    spec: str | None = params.get("KeySpec")
    count: int | None = params.get("NumberOfBytes")
    if spec is not None and count is None:
        check_enum("keySpec", spec, ("AES_256", "AES_128"))
        return _DATA_KEY_BYTES[spec]
    if count is not None and spec is None:
        return count
    raise errors.validation("Please specify either number of bytes or key spec.")
