"""Imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.

GetParametersForImport makes a fresh RSA wrapping key pair and returns its public half with an import token. The
token carries everything ImportKeyMaterial needs, sealed under the root key with the key's ARN as associated
data: the wrapping private key, the wrapping algorithm and spec, and the end of its 24-hour validity by the
server's clock. So the private key is never stored in the clear nor handed out, a token works only for the key
it was issued for (InvalidImportTokenException), and an old one is ExpiredImportTokenException.

A key holds one imported material. Its KeyMaterialId is a SHA-256 digest of the key id and the material, kept
on the key after the material is deleted or expires, so a reimport is recognized as the same material (and the
ciphertexts made before decrypt again), and any other material is IncorrectKeyMaterialException. The replicas of
a multi-Region key must import their primary's material, checked the same way.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import datetime, timedelta
from typing import Any

import orjson

from shieldwall.services.base import Call, Params
from shieldwall.services.kms import crypto, errors, material
from shieldwall.services.kms.common import KmsBase, check_enum, require_not_pending_deletion
from shieldwall.services.kms.keys import enum_of
from shieldwall.services.kms.models import (
    ENABLED,
    EXTERNAL,
    PENDING_DELETION,
    PENDING_IMPORT,
    PENDING_REPLICA_DELETION,
    Key,
    Material,
)
from shieldwall.services.kms.records import peer_regions, peer_scope, read_key
from shieldwall.store.sealing import Sealer, SealingError

TOKEN_PURPOSE = "kms.import-token"
TOKEN_LIFETIME = timedelta(hours=24)
MAX_VALIDITY = timedelta(days=365)
EXPIRES = "KEY_MATERIAL_EXPIRES"
DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE"
NEW_KEY_MATERIAL = "NEW_KEY_MATERIAL"
IMPORTED_VERSION = 1
_HEADER_LENGTH = struct.Struct(">H")
_RETIRED_ALGORITHMS = {
    "RSAES_PKCS1_V1_5": "The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported.",
    "SM2PKE": "The SM2PKE wrapping algorithm is supported only in China Regions.",
}


# -- import tokens ---------------------------------------------------------------------------------------------


def seal_token(
    sealer: Sealer, key: Key, spec: str, algorithm: str, valid_to: datetime, private: bytes
) -> bytes:
    header = orjson.dumps({"spec": spec, "algorithm": algorithm, "validTo": valid_to.timestamp()})
    body = _HEADER_LENGTH.pack(len(header)) + header + private
    return sealer.seal(body, TOKEN_PURPOSE, key.arn.encode("utf-8"))


def open_token(sealer: Sealer, key: Key, token: bytes, now: datetime) -> tuple[str, bytes]:
    """(wrapping algorithm, wrapping private key) of a token issued for `key` and still valid."""
    try:
        body = sealer.open_sealed(token, TOKEN_PURPOSE, key.arn.encode("utf-8"))
        (length,) = _HEADER_LENGTH.unpack_from(body)
        header: dict[str, Any] = orjson.loads(body[2 : 2 + length])
        algorithm, valid_to, private = str(header["algorithm"]), float(header["validTo"]), body[2 + length :]
    except (SealingError, struct.error, ValueError, KeyError, TypeError):
        raise errors.invalid_import_token() from None
    if valid_to <= now.timestamp():
        raise errors.expired_import_token()
    return algorithm, private


def material_id_of(key: Key, plain: bytes) -> str:
    return hashlib.sha256(key.key_id.encode("ascii") + b"\x00" + plain).hexdigest()


# -- checks ----------------------------------------------------------------------------------------------------


def _require_external(key: Key) -> None:
    if key.origin != EXTERNAL:
        raise errors.origin_not_valid(key.arn, key.origin)
    require_not_pending_deletion(key)


def _check_wrapping(key: Key, params: Params) -> tuple[str, str]:
    algorithm: str = params["WrappingAlgorithm"]
    spec: str = params["WrappingKeySpec"]
    check_enum("wrappingAlgorithm", algorithm, enum_of("AlgorithmSpec"))
    check_enum("wrappingKeySpec", spec, enum_of("WrappingKeySpec"))
    if algorithm in _RETIRED_ALGORITHMS:
        raise errors.validation(_RETIRED_ALGORITHMS[algorithm])
    if spec not in crypto.WRAPPING_KEY_SPECS:
        raise errors.validation(f"The {spec} wrapping key spec is supported only in China Regions.")
    try:
        crypto.check_wrapping(key.key_spec, spec, algorithm)
    except crypto.KmsCryptoError:
        raise errors.validation(
            f"The {algorithm} wrapping algorithm with a {spec} wrapping key cannot import key material "
            f"of key spec {key.key_spec}."
        ) from None
    return algorithm, spec


def _expiry(params: Params, now: datetime) -> tuple[str, datetime | None]:
    model: str = params.get("ExpirationModel") or EXPIRES
    check_enum("expirationModel", model, enum_of("ExpirationModelType"))
    valid_to: datetime | None = params.get("ValidTo")
    if model == DOES_NOT_EXPIRE:
        if valid_to is not None:
            raise errors.validation(
                "ValidTo must not be set when the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE."
            )
        return model, None
    if valid_to is None:
        raise errors.validation(
            "A ValidTo date must be set when the ExpirationModel is KEY_MATERIAL_EXPIRES."
        )
    if valid_to <= now:
        raise errors.validation("ValidTo must be a date and time in the future.")
    if valid_to > now + MAX_VALIDITY:
        raise errors.validation("ValidTo must be at most 365 days after the request.")
    return model, valid_to


def _check_import_type(key: Key, params: Params) -> str | None:
    import_type: str | None = params.get("ImportType")
    if import_type is None and params.get("KeyMaterialDescription") is None:
        return None
    if key.key_spec != "SYMMETRIC_DEFAULT":
        raise errors.validation(
            "ImportType and KeyMaterialDescription apply to symmetric encryption keys only."
        )
    if import_type is not None:
        check_enum("importType", import_type, enum_of("ImportType"))
    return import_type


class ImportsMixin(KmsBase):
    def get_parameters_for_import(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        _require_external(key)
        algorithm, spec = _check_wrapping(key, params)
        private = crypto.wrapping_key(spec, self.pool)
        valid_to = call.now() + TOKEN_LIFETIME
        return {
            "KeyId": key.arn,
            "ImportToken": seal_token(self.sealer, key, spec, algorithm, valid_to, private),
            "PublicKey": crypto.public_key_der(spec, private),
            "ParametersValidTo": valid_to,
        }

    def import_key_material(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        _require_external(key)
        now = call.now()
        algorithm, private = open_token(self.sealer, key, params["ImportToken"], now)
        model, valid_to = _expiry(params, now)
        import_type = _check_import_type(key, params)
        plain = self._unwrapped(key, algorithm, private, params["EncryptedKeyMaterial"])
        material_id = material_id_of(key, plain)
        self._check_same_material(key, material_id, import_type, params.get("KeyMaterialId"))
        imported = Material(
            version=IMPORTED_VERSION,
            material_id=material_id,
            sealed=self.sealer.seal(
                plain, material.PURPOSE, material.material_aad(key.key_id, IMPORTED_VERSION)
            ),
            origin=EXTERNAL,
            created=now,
            valid_to=valid_to,
            description=params.get("KeyMaterialDescription"),
        )

        def install(stored: Key) -> None:
            stored.materials = [imported]
            stored.current_version = IMPORTED_VERSION
            stored.imported_material_id = material_id
            stored.expiration_model = model
            if stored.state == PENDING_IMPORT:
                stored.state = ENABLED

        self.change(key, install)
        return {"KeyId": key.arn, "KeyMaterialId": material_id}

    def _unwrapped(self, key: Key, algorithm: str, private: bytes, encrypted: bytes) -> bytes:
        try:
            plain = crypto.unwrap_import(private, algorithm, encrypted)
        except crypto.KmsCryptoError:
            raise errors.invalid_ciphertext() from None
        try:
            crypto.check_import(key.key_spec, plain)
        except crypto.KmsCryptoError as error:
            raise errors.incorrect_key_material(
                f"The key material is not valid for {key.key_spec}: {error}"
            ) from None
        return plain

    def _check_same_material(
        self, key: Key, material_id: str, import_type: str | None, named: str | None
    ) -> None:
        expected = key.imported_material_id or self._peer_material_id(key)
        if expected is not None and material_id != expected:
            if import_type == NEW_KEY_MATERIAL and key.imported_material_id is not None:
                raise errors.unsupported("shieldwall does not support importing more than one key material.")
            raise errors.incorrect_key_material(
                "The key material is not the key material previously imported into this key."
            )
        if import_type == NEW_KEY_MATERIAL and key.imported_material_id == material_id:
            raise errors.incorrect_key_material("The key material is already associated with this key.")
        if named is not None and named != material_id:
            raise errors.incorrect_key_material(f"The key material is not key material {named}.")

    def _peer_material_id(self, key: Key) -> str | None:
        """The material a multi-Region key's peers hold: a replica must import its primary's."""
        for region in peer_regions(key) if key.multi_region else []:
            peer = read_key(self.store, peer_scope(key, region), key.key_id)
            if peer is not None and peer.imported_material_id is not None:
                return peer.imported_material_id
        return None

    def delete_imported_key_material(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        if key.origin != EXTERNAL:
            raise errors.origin_not_valid(key.arn, key.origin)
        named = params.get("KeyMaterialId")
        if named is not None and named != key.imported_material_id:
            raise errors.kms_error("NotFoundException", f"Key material {named} does not exist for {key.arn}.")

        def delete(stored: Key) -> None:
            stored.materials = []
            stored.current_version = 0
            if stored.state not in (PENDING_DELETION, PENDING_REPLICA_DELETION):
                stored.state = PENDING_IMPORT

        self.change(key, delete)
        material.forget(key.key_id)
        out: dict[str, Any] = {"KeyId": key.arn}
        if key.imported_material_id is not None:
            out["KeyMaterialId"] = key.imported_material_id
        return out
