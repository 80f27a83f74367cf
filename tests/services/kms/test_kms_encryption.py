"""Encrypt, Decrypt, ReEncrypt, data keys and GenerateRandom through boto3, error paths included."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from kms_helpers import error_of

from shieldwall.testing import ServerInfo


def arn_of(kms: Any, key_id: str) -> str:
    return str(kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])


def test_ciphertext_decrypts_only_with_the_encryption_context_it_was_made_with(kms: Any, key_id: str) -> None:
    context = {"tenant": "acme", "purpose": "invoice"}
    answer = kms.encrypt(KeyId=key_id, Plaintext=b"invoice 42", EncryptionContext=context)

    assert (answer["KeyId"], answer["EncryptionAlgorithm"]) == (arn_of(kms, key_id), "SYMMETRIC_DEFAULT")
    reordered = dict(reversed(list(context.items())))
    decrypted = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], EncryptionContext=reordered)
    assert decrypted["Plaintext"] == b"invoice 42"
    assert decrypted["KeyId"] == answer["KeyId"]
    assert decrypted["KeyMaterialId"] == kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    for wrong in ({}, {"tenant": "acme"}, {**context, "purpose": "receipt"}):
        assert error_of(kms.decrypt, CiphertextBlob=answer["CiphertextBlob"], EncryptionContext=wrong) == (
            "InvalidCiphertextException",
            400,
            "",
        )


def test_a_tampered_or_foreign_ciphertext_is_invalid(kms: Any, key_id: str) -> None:
    blob = bytearray(kms.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"])
    blob[-1] ^= 1

    assert error_of(kms.decrypt, CiphertextBlob=bytes(blob))[0] == "InvalidCiphertextException"
    assert error_of(kms.decrypt, CiphertextBlob=b"not a ciphertext blob at all, far too short?")[0] == (
        "InvalidCiphertextException"
    )


def test_decrypt_with_a_key_id_must_name_the_key_of_the_ciphertext(kms: Any, key_id: str) -> None:
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/right", TargetKeyId=key_id)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"]

    assert kms.decrypt(CiphertextBlob=blob, KeyId="alias/right")["Plaintext"] == b"data"
    assert error_of(kms.decrypt, CiphertextBlob=blob, KeyId=other) == (
        "IncorrectKeyException",
        400,
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


def test_encrypt_refuses_more_than_4096_bytes_as_aws_words_it(kms: Any, key_id: str) -> None:
    code, status, message = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x" * 4097)

    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value")
    assert message.endswith(
        "at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
    )


def test_encrypt_with_a_signing_key_is_an_invalid_key_usage(kms: Any) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]

    assert error_of(kms.encrypt, KeyId=signing["KeyId"], Plaintext=b"x") == (
        "InvalidKeyUsageException",
        400,
        f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for Encrypt.",
    )


def test_re_encrypt_moves_a_ciphertext_to_another_key_and_context(kms: Any, key_id: str) -> None:
    destination = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"moving", EncryptionContext={"v": "1"})["CiphertextBlob"]

    answer = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"v": "1"},
        DestinationKeyId=destination,
        DestinationEncryptionContext={"v": "2"},
    )

    assert answer["SourceKeyId"] == arn_of(kms, key_id)
    assert answer["KeyId"] == arn_of(kms, destination)
    assert (answer["SourceEncryptionAlgorithm"], answer["DestinationEncryptionAlgorithm"]) == (
        "SYMMETRIC_DEFAULT",
        "SYMMETRIC_DEFAULT",
    )
    decrypted = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], EncryptionContext={"v": "2"})
    assert (decrypted["Plaintext"], decrypted["KeyId"]) == (b"moving", answer["KeyId"])
    assert error_of(kms.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination)[0] == (
        "InvalidCiphertextException"
    )


def test_generate_data_key_returns_a_key_and_its_ciphertext(kms: Any, key_id: str) -> None:
    answer = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext={"file": "a.txt"})

    assert len(answer["Plaintext"]) == 32
    assert answer["KeyId"] == arn_of(kms, key_id)
    decrypted = kms.decrypt(CiphertextBlob=answer["CiphertextBlob"], EncryptionContext={"file": "a.txt"})
    assert decrypted["Plaintext"] == answer["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key_id, NumberOfBytes=64)["Plaintext"]) == 64
    assert len(kms.generate_data_key(KeyId=key_id, KeySpec="AES_128")["Plaintext"]) == 16
    bare = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256")
    assert "Plaintext" not in bare
    assert len(kms.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == 32


@pytest.mark.parametrize("request_", [{}, {"KeySpec": "AES_256", "NumberOfBytes": 32}])
def test_generate_data_key_needs_exactly_one_of_key_spec_and_number_of_bytes(
    kms: Any, key_id: str, request_: dict[str, Any]
) -> None:
    assert error_of(kms.generate_data_key, KeyId=key_id, **request_) == (
        "ValidationException",
        400,
        "Please specify either number of bytes or key spec.",
    )


def test_generate_data_key_refuses_an_asymmetric_key(kms: Any) -> None:
    rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]

    code, _, message = error_of(kms.generate_data_key, KeyId=rsa_key["KeyId"], KeySpec="AES_256")
    assert code == "InvalidKeyUsageException" and rsa_key["Arn"] in message


@pytest.mark.parametrize(
    ("pair_spec", "kind"), [("ECC_NIST_P256", ec.EllipticCurvePrivateKey), ("RSA_2048", rsa.RSAPrivateKey)]
)
def test_generate_data_key_pair_returns_a_matching_pair_and_the_sealed_private_key(
    kms: Any, key_id: str, pair_spec: str, kind: type
) -> None:
    answer = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec=pair_spec, EncryptionContext={"k": "v"})

    private = serialization.load_der_private_key(answer["PrivateKeyPlaintext"], None)
    assert isinstance(private, kind)
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert (answer["PublicKey"], answer["KeyPairSpec"]) == (public, pair_spec)
    unsealed = kms.decrypt(CiphertextBlob=answer["PrivateKeyCiphertextBlob"], EncryptionContext={"k": "v"})
    assert unsealed["Plaintext"] == answer["PrivateKeyPlaintext"]
    bare = kms.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec=pair_spec)
    assert "PrivateKeyPlaintext" not in bare and bare["PublicKey"]


def test_generate_random_answers_the_bytes_asked_for(kms: Any) -> None:
    assert len(kms.generate_random(NumberOfBytes=1)["Plaintext"]) == 1
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024
    assert error_of(kms.generate_random) == ("ValidationException", 400, "NumberOfBytes is required.")
    assert error_of(kms.generate_random, NumberOfBytes=1025)[2] == (
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: "
        "Member must have value less than or equal to 1024"
    )


def test_an_rsa_key_encrypts_with_oaep_and_needs_its_key_id_to_decrypt(kms: Any) -> None:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"rsa", EncryptionAlgorithm="RSAES_OAEP_SHA_256")[
        "CiphertextBlob"
    ]

    assert len(blob) == 256
    decrypted = kms.decrypt(CiphertextBlob=blob, KeyId=key["KeyId"], EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert (decrypted["Plaintext"], decrypted["EncryptionAlgorithm"]) == (b"rsa", "RSAES_OAEP_SHA_256")
    assert error_of(kms.decrypt, CiphertextBlob=blob)[0] == "InvalidCiphertextException"
    assert error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x") == (
        "InvalidKeyUsageException",
        400,
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.",
    )
    assert error_of(
        kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x" * 191, EncryptionAlgorithm="RSAES_OAEP_SHA_256"
    ) == (
        "ValidationException",
        400,
        "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.",
    )


def test_a_dry_run_answers_that_the_request_would_have_succeeded(kms: Any, key_id: str) -> None:
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x", DryRun=True) == (
        "DryRunOperationException",
        400,
        "The request would have succeeded, but the DryRun option is set.",
    )


def test_a_key_pending_deletion_cannot_be_used(kms: Any, key_id: str) -> None:
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    arn = arn_of(kms, key_id)

    assert error_of(kms.decrypt, CiphertextBlob=blob) == (
        "KMSInvalidStateException",
        400,
        f"{arn} is pending deletion.",
    )
    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x")[2] == f"{arn} is pending deletion."


def test_another_regions_ciphertext_finds_no_key(shieldwall: ServerInfo, kms: Any, key_id: str) -> None:
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]

    elsewhere = shieldwall.client("kms", region_name="eu-west-1")
    code, _, message = error_of(elsewhere.decrypt, CiphertextBlob=blob)
    assert code == "NotFoundException" and ":eu-west-1:" in message and key_id in message
