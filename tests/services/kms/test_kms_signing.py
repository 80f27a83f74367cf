"""Sign/Verify, GetPublicKey, GenerateMac/VerifyMac and DeriveSharedSecret, checked with plain `cryptography`."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from kms_helpers import error_of


def public_key_of(kms: Any, key_id: str) -> Any:
    answer = kms.get_public_key(KeyId=key_id)
    return answer, serialization.load_der_public_key(answer["PublicKey"])


def test_an_rsa_pss_signature_verifies_with_the_public_key_outside_kms(kms: Any) -> None:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    message = b"release v1.2.3"

    signed = kms.sign(KeyId=key["KeyId"], Message=message, SigningAlgorithm="RSASSA_PSS_SHA_256")

    assert (signed["KeyId"], signed["SigningAlgorithm"]) == (key["Arn"], "RSASSA_PSS_SHA_256")
    answer, public = public_key_of(kms, key["KeyId"])
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048
    assert (answer["KeySpec"], answer["KeyUsage"]) == ("RSA_2048", "SIGN_VERIFY")
    assert "RSASSA_PSS_SHA_256" in answer["SigningAlgorithms"]
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    public.verify(signed["Signature"], message, pss, hashes.SHA256())
    verified = kms.verify(
        KeyId=key["KeyId"],
        Message=message,
        Signature=signed["Signature"],
        SigningAlgorithm="RSASSA_PSS_SHA_256",
    )
    assert verified["SignatureValid"] is True


def test_an_ecdsa_signature_of_a_digest_verifies_outside_kms(kms: Any) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    digest = hashlib.sha256(b"document").digest()

    signed = kms.sign(
        KeyId=key["KeyId"], Message=digest, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256"
    )

    _, public = public_key_of(kms, key["KeyId"])
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signed["Signature"], b"document", ec.ECDSA(hashes.SHA256()))


def test_a_wrong_signature_or_digest_length_is_refused(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signature = kms.sign(KeyId=key_id, Message=b"a", SigningAlgorithm="ECDSA_SHA_256")["Signature"]

    assert error_of(
        kms.verify, KeyId=key_id, Message=b"b", Signature=signature, SigningAlgorithm="ECDSA_SHA_256"
    ) == ("KMSInvalidSignatureException", 400, "")
    assert error_of(
        kms.sign, KeyId=key_id, Message=b"short", MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256"
    ) == ("ValidationException", 400, "Digest is invalid length for algorithm ECDSA_SHA_256.")
    assert error_of(kms.sign, KeyId=key_id, Message=b"a", SigningAlgorithm="RSASSA_PSS_SHA_256") == (
        "InvalidKeyUsageException",
        400,
        "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256.",
    )


def test_signing_with_an_encryption_key_is_an_invalid_key_usage(kms: Any, key_id: str) -> None:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]

    assert error_of(kms.sign, KeyId=key_id, Message=b"a", SigningAlgorithm="ECDSA_SHA_256") == (
        "InvalidKeyUsageException",
        400,
        f"{arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.",
    )
    assert error_of(kms.get_public_key, KeyId=key_id)[0] == "UnsupportedOperationException"


@pytest.mark.parametrize(
    ("key_spec", "algorithm", "digest"),
    [("HMAC_224", "HMAC_SHA_224", "sha224"), ("HMAC_512", "HMAC_SHA_512", "sha512")],
)
def test_a_mac_verifies_and_a_wrong_one_is_refused(
    kms: Any, key_spec: str, algorithm: str, digest: str
) -> None:
    key_id = kms.create_key(KeySpec=key_spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]

    mac = kms.generate_mac(KeyId=key_id, Message=b"payload", MacAlgorithm=algorithm)

    assert len(mac["Mac"]) == hashlib.new(digest).digest_size
    assert kms.verify_mac(KeyId=key_id, Message=b"payload", Mac=mac["Mac"], MacAlgorithm=algorithm)[
        "MacValid"
    ]
    assert error_of(
        kms.verify_mac, KeyId=key_id, Message=b"other", Mac=mac["Mac"], MacAlgorithm=algorithm
    ) == (
        "KMSInvalidMacException",
        400,
        "",
    )
    assert mac["Mac"] != hmac.new(b"\0" * 32, b"payload", digest).digest()


def test_a_mac_algorithm_must_match_the_key_spec(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="HMAC_224", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]

    assert error_of(kms.generate_mac, KeyId=key_id, Message=b"m", MacAlgorithm="HMAC_SHA_256") == (
        "InvalidKeyUsageException",
        400,
        "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.",
    )
    assert error_of(kms.generate_mac, KeyId=key_id, Message=b"m", MacAlgorithm="INVALID") == (
        "ValidationException",
        400,
        "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: "
        "Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]",
    )


def test_derive_shared_secret_agrees_with_ecdh_outside_kms(kms: Any) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]
    _, kms_public = public_key_of(kms, key["KeyId"])
    peer = ec.generate_private_key(ec.SECP256R1())
    peer_der = peer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    answer = kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=peer_der)

    assert answer["SharedSecret"] == peer.exchange(ec.ECDH(), kms_public)
    assert (answer["KeyId"], answer["KeyOrigin"], answer["KeyAgreementAlgorithm"]) == (
        key["Arn"],
        "AWS_KMS",
        "ECDH",
    )
    assert error_of(
        kms.derive_shared_secret, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=b"junk"
    ) == ("ValidationException", 400, "")


def test_derive_shared_secret_needs_a_key_agreement_key(kms: Any) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]

    assert error_of(
        kms.derive_shared_secret, KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=b"x"
    ) == (
        "InvalidKeyUsageException",
        400,
        f"{key['Arn']} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.",
    )
