"""Sign, Verify, GetPublicKey, GenerateMac, VerifyMac and DeriveSharedSecret: asymmetric and HMAC keys.

A failed verification is an error, not `false`: AWS answers KMSInvalidSignatureException and
KMSInvalidMacException, with no message.
"""

from __future__ import annotations

from typing import Any

from shieldwall.errors import internal_error
from shieldwall.services.base import Call, Params
from shieldwall.services.kms import crypto, errors
from shieldwall.services.kms.cipher import check_algorithm, current_material
from shieldwall.services.kms.common import (
    KmsBase,
    check_dry_run,
    check_enum,
    reject_recipient,
    require_usable,
    require_usage,
)
from shieldwall.services.kms.keys import enum_of
from shieldwall.services.kms.metadata import algorithm_members
from shieldwall.services.kms.models import Key

# AWS lists these enums in its own order in validation messages.
MAC_ALGORITHMS = ("HMAC_SHA_384", "HMAC_SHA_256", "HMAC_SHA_224", "HMAC_SHA_512")
KEY_AGREEMENT_ALGORITHMS = ("ECDH",)
_PUBLIC_KEY_SPECS = ("RSA_", "ECC_")


class SigningMixin(KmsBase):
    def _usable_key(self, call: Call, params: Params, usage: str, operation: str) -> Key:
        key = self.counted(call, self.found(call, params["KeyId"])).key
        require_usable(key)
        require_usage(key, usage, operation)
        return key

    def sign(self, call: Call, params: Params) -> Params:
        key = self._usable_key(call, params, crypto.SIGN_VERIFY, "Sign")
        algorithm, message_type = _signing(key, params)
        check_dry_run(params)
        try:
            signature = crypto.sign(
                key.key_spec, current_material(self.sealer, key), algorithm, params["Message"], message_type
            )
        except crypto.InvalidMessage as error:
            raise errors.validation(error.message) from None
        except crypto.KmsCryptoError:
            raise internal_error() from None
        return {"KeyId": key.arn, "Signature": signature, "SigningAlgorithm": algorithm}

    def verify(self, call: Call, params: Params) -> Params:
        key = self._usable_key(call, params, crypto.SIGN_VERIFY, "Verify")
        algorithm, message_type = _signing(key, params)
        check_dry_run(params)
        material = current_material(self.sealer, key)
        try:
            valid = crypto.verify(
                key.key_spec, material, algorithm, params["Message"], message_type, params["Signature"]
            )
        except crypto.InvalidMessage as error:
            raise errors.validation(error.message) from None
        except crypto.KmsCryptoError:
            raise internal_error() from None
        if not valid:
            raise errors.kms_error("KMSInvalidSignatureException")
        return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}

    def get_public_key(self, call: Call, params: Params) -> Params:
        key = self.found(call, params["KeyId"]).key
        require_usable(key)
        if not key.key_spec.startswith(_PUBLIC_KEY_SPECS):
            raise errors.unsupported(
                f"{key.arn} key spec is {key.key_spec} which is not valid for GetPublicKey."
            )
        public = crypto.public_key_der(key.key_spec, current_material(self.sealer, key))
        out: dict[str, Any] = {
            "KeyId": key.arn,
            "PublicKey": public,
            "CustomerMasterKeySpec": key.key_spec,
            "KeySpec": key.key_spec,
            "KeyUsage": key.key_usage,
        }
        out.update(algorithm_members(key))
        return out

    def generate_mac(self, call: Call, params: Params) -> Params:
        key = self._usable_key(call, params, crypto.GENERATE_VERIFY_MAC, "GenerateMac")
        algorithm = _mac_algorithm(key, params)
        check_dry_run(params)
        try:
            mac = crypto.generate_mac(
                key.key_spec, current_material(self.sealer, key), algorithm, params["Message"]
            )
        except crypto.KmsCryptoError:
            raise internal_error() from None
        return {"Mac": mac, "MacAlgorithm": algorithm, "KeyId": key.arn}

    def verify_mac(self, call: Call, params: Params) -> Params:
        key = self._usable_key(call, params, crypto.GENERATE_VERIFY_MAC, "VerifyMac")
        algorithm = _mac_algorithm(key, params)
        check_dry_run(params)
        material = current_material(self.sealer, key)
        try:
            valid = crypto.verify_mac(key.key_spec, material, algorithm, params["Message"], params["Mac"])
        except crypto.KmsCryptoError:
            raise internal_error() from None
        if not valid:
            raise errors.kms_error("KMSInvalidMacException")
        return {"KeyId": key.arn, "MacValid": True, "MacAlgorithm": algorithm}

    def derive_shared_secret(self, call: Call, params: Params) -> Params:
        key = self._usable_key(call, params, crypto.KEY_AGREEMENT, "DeriveSharedSecret")
        algorithm: str = params["KeyAgreementAlgorithm"]
        check_enum("keyAgreementAlgorithm", algorithm, KEY_AGREEMENT_ALGORITHMS)
        reject_recipient(params)
        check_dry_run(params)
        try:
            secret = crypto.derive_shared_secret(
                key.key_spec, current_material(self.sealer, key), params["PublicKey"]
            )
        except crypto.InvalidPublicKey:
            raise errors.validation("") from None
        except crypto.KmsCryptoError:
            raise internal_error() from None
        return {
            "KeyId": key.arn,
            "SharedSecret": secret,
            "KeyAgreementAlgorithm": algorithm,
            "KeyOrigin": key.origin,
        }


def _signing(key: Key, params: Params) -> tuple[str, str]:
    algorithm: str = params["SigningAlgorithm"]
    check_enum("signingAlgorithm", algorithm, enum_of("SigningAlgorithmSpec"))
    message_type: str = params.get("MessageType") or "RAW"
    check_enum("messageType", message_type, enum_of("MessageType"))
    check_algorithm(key, crypto.SIGN_VERIFY, algorithm)
    if message_type not in crypto.MESSAGE_TYPES:
        raise errors.validation(f"MessageType {message_type} is not valid for key spec {key.key_spec}.")
    return algorithm, message_type


def _mac_algorithm(key: Key, params: Params) -> str:
    algorithm: str = params["MacAlgorithm"]
    check_enum("macAlgorithm", algorithm, MAC_ALGORITHMS)
    check_algorithm(key, crypto.GENERATE_VERIFY_MAC, algorithm)
    return algorithm
