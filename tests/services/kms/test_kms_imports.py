"""Imported key material, wrapped the way a client wraps it with `cryptography`: every wrapping algorithm,
symmetric, HMAC and asymmetric material, expiry by the server's clock, reimport, deletion and the errors."""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from kms_helpers import error_of
from kms_import_helpers import external_key, import_material, wrap

from shieldwall.testing import ServerInfo

HOUR = 3600
_PKCS8 = (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.mark.parametrize(
    "algorithm",
    ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"],
)
def test_imported_symmetric_material_makes_the_key_usable(kms: Any, algorithm: str) -> None:
    key = external_key(kms)
    assert (key["KeyState"], key["Origin"], key["Enabled"]) == ("PendingImport", "EXTERNAL", False)
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x") == (
        "KMSInvalidStateException",
        400,
        f"{key['Arn']} is pending import.",
    )

    answer = import_material(kms, key["KeyId"], os.urandom(32), algorithm)

    metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (metadata["KeyState"], metadata["ExpirationModel"]) == ("Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE")
    assert (answer["KeyId"], answer["KeyMaterialId"]) == (key["Arn"], metadata["CurrentKeyMaterialId"])
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_imported_hmac_material_is_the_material_macs_are_made_with(kms: Any) -> None:
    key = external_key(kms, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    secret = os.urandom(48)

    import_material(kms, key["KeyId"], secret, "RSAES_OAEP_SHA_1")

    mac = kms.generate_mac(KeyId=key["KeyId"], Message=b"message", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(secret, b"message", hashlib.sha256).digest()


def test_an_imported_ecc_key_signs_for_the_clients_public_key(kms: Any) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    key = external_key(kms, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")

    import_material(kms, key["KeyId"], private.private_bytes(*_PKCS8), "RSAES_OAEP_SHA_256")

    signature = kms.sign(KeyId=key["KeyId"], Message=b"hello", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    private.public_key().verify(signature, b"hello", ec.ECDSA(hashes.SHA256()))


def test_an_rsa_private_key_is_imported_with_an_rsa_aes_wrap_only(kms: Any) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = external_key(kms, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    code, _, message = error_of(
        kms.get_parameters_for_import,
        KeyId=key["KeyId"],
        WrappingAlgorithm="RSAES_OAEP_SHA_256",
        WrappingKeySpec="RSA_4096",
    )
    assert (code, "RSA_2048" in message) == ("ValidationException", True)
    import_material(kms, key["KeyId"], private.private_bytes(*_PKCS8), "RSA_AES_KEY_WRAP_SHA_256")
    assert kms.get_public_key(KeyId=key["KeyId"])["PublicKey"] == spki


def test_material_expires_at_valid_to_and_the_same_material_brings_old_ciphertexts_back(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key = external_key(kms)
    material = os.urandom(32)
    valid_to = datetime.now(UTC) + timedelta(hours=1)
    import_material(kms, key["KeyId"], material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"kept")["CiphertextBlob"]
    metadata = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert metadata["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    assert abs((metadata["ValidTo"] - valid_to).total_seconds()) < 1

    shieldwall.advance_clock(HOUR + 60)

    expired = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (expired["KeyState"], "ValidTo" in expired, "CurrentKeyMaterialId" in expired) == (
        "PendingImport",
        False,
        False,
    )
    assert error_of(kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    import_material(kms, key["KeyId"], material)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"


def test_reimporting_other_material_is_incorrect_key_material(kms: Any) -> None:
    key = external_key(kms)
    first = import_material(kms, key["KeyId"], os.urandom(32))

    code, status, _ = error_of(import_material, kms=kms, key_id=key["KeyId"], material=os.urandom(32))

    assert (code, status) == ("IncorrectKeyMaterialException", 400)
    assert (
        kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == first["KeyMaterialId"]
    )


def test_delete_imported_key_material_makes_the_key_wait_for_a_reimport(kms: Any) -> None:
    key = external_key(kms)
    material = os.urandom(32)
    imported = import_material(kms, key["KeyId"], material)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"data")["CiphertextBlob"]

    deleted = kms.delete_imported_key_material(KeyId=key["KeyId"])

    assert (deleted["KeyId"], deleted["KeyMaterialId"]) == (key["Arn"], imported["KeyMaterialId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    assert error_of(kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    assert error_of(import_material, kms=kms, key_id=key["KeyId"], material=os.urandom(32))[0] == (
        "IncorrectKeyMaterialException"
    )
    import_material(kms, key["KeyId"], material)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"data"


def test_import_tokens_are_bound_to_their_key_and_expire_after_a_day(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key, other = external_key(kms), external_key(kms)
    params = kms.get_parameters_for_import(
        KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    wrapped = wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", os.urandom(32))
    kwargs = {"EncryptedKeyMaterial": wrapped, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
    assert params["KeyId"] == key["Arn"]
    assert timedelta(hours=23) < params["ParametersValidTo"] - datetime.now(UTC) <= timedelta(hours=24)

    assert (
        error_of(kms.import_key_material, KeyId=other["KeyId"], ImportToken=params["ImportToken"], **kwargs)[
            0
        ]
        == "InvalidImportTokenException"
    )
    assert error_of(kms.import_key_material, KeyId=key["KeyId"], ImportToken=b"garbage" * 10, **kwargs)[
        0
    ] == ("InvalidImportTokenException")
    shieldwall.advance_clock(24 * HOUR + 1)
    assert (
        error_of(kms.import_key_material, KeyId=key["KeyId"], ImportToken=params["ImportToken"], **kwargs)[0]
        == "ExpiredImportTokenException"
    )


def test_material_not_wrapped_under_the_wrapping_key_is_an_invalid_ciphertext(kms: Any) -> None:
    key = external_key(kms)
    params = kms.get_parameters_for_import(
        KeyId=key["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048"
    )
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    stranger_der = stranger.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    common = {
        "KeyId": key["KeyId"],
        "ImportToken": params["ImportToken"],
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }

    assert (
        error_of(
            kms.import_key_material,
            EncryptedKeyMaterial=wrap(stranger_der, "RSAES_OAEP_SHA_256", os.urandom(32)),
            **common,
        )[0]
        == "InvalidCiphertextException"
    )
    assert (
        error_of(
            kms.import_key_material,
            EncryptedKeyMaterial=wrap(params["PublicKey"], "RSAES_OAEP_SHA_256", os.urandom(16)),
            **common,
        )[0]
        == "IncorrectKeyMaterialException"
    )


@pytest.mark.parametrize(
    "expiry",
    [
        {"ExpirationModel": "KEY_MATERIAL_EXPIRES"},
        {"ValidTo": datetime(2001, 1, 1, tzinfo=UTC)},
        {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE", "ValidTo": datetime.now(UTC) + timedelta(days=1)},
        {"ValidTo": datetime.now(UTC) + timedelta(days=400)},
    ],
)
def test_expiration_settings_aws_refuses_are_validation_errors(kms: Any, expiry: dict[str, Any]) -> None:
    key = external_key(kms)

    assert error_of(import_material, kms=kms, key_id=key["KeyId"], material=os.urandom(32), **expiry)[0] == (
        "ValidationException"
    )
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"


def test_import_operations_need_a_key_with_external_origin(kms: Any, key_id: str) -> None:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    expected = (
        "UnsupportedOperationException",
        400,
        f"{arn} origin is AWS_KMS which is not valid for this operation.",
    )

    assert (
        error_of(
            kms.get_parameters_for_import,
            KeyId=key_id,
            WrappingAlgorithm="RSAES_OAEP_SHA_256",
            WrappingKeySpec="RSA_2048",
        )
        == expected
    )
    assert error_of(kms.delete_imported_key_material, KeyId=key_id) == expected
    assert (
        error_of(kms.import_key_material, KeyId=key_id, ImportToken=b"t" * 32, EncryptedKeyMaterial=b"m" * 32)
        == expected
    )


def test_retired_wrapping_algorithms_are_refused(kms: Any) -> None:
    key = external_key(kms)

    assert (
        error_of(
            kms.get_parameters_for_import,
            KeyId=key["KeyId"],
            WrappingAlgorithm="RSAES_PKCS1_V1_5",
            WrappingKeySpec="RSA_2048",
        )[0]
        == "ValidationException"
    )


def test_import_operations_follow_the_key_state_and_the_material_named(kms: Any) -> None:
    key = external_key(kms)
    import_material(kms, key["KeyId"], os.urandom(32))

    assert error_of(kms.delete_imported_key_material, KeyId=key["KeyId"], KeyMaterialId="0" * 64)[0] == (
        "NotFoundException"
    )
    kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert (
        error_of(
            kms.get_parameters_for_import,
            KeyId=key["KeyId"],
            WrappingAlgorithm="RSAES_OAEP_SHA_256",
            WrappingKeySpec="RSA_2048",
        )[0]
        == "KMSInvalidStateException"
    )
    kms.delete_imported_key_material(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
