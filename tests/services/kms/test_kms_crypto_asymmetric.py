from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from shieldwall.services.kms import crypto

ASYMMETRIC = (
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
)
SIGNING = [(spec, alg) for spec in ASYMMETRIC for alg in crypto.SPECS[spec].algorithms("SIGN_VERIFY")]
ENCRYPTION = [(spec, alg) for spec in ASYMMETRIC for alg in crypto.SPECS[spec].algorithms("ENCRYPT_DECRYPT")]
HASHES: dict[str, hashes.HashAlgorithm] = {"1": hashes.SHA1(), "256": hashes.SHA256(), "384": hashes.SHA384()}
HASHES["512"] = hashes.SHA512()
MESSAGE = b"the message KMS signs"


@pytest.fixture(scope="module")
def materials() -> dict[str, bytes]:
    return {spec: crypto.generate_material(spec) for spec in ASYMMETRIC}


def _public(materials: dict[str, bytes], spec: str) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
    key = serialization.load_der_public_key(crypto.public_key_der(spec, materials[spec]))
    assert isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey)
    return key


def _private(material: bytes) -> object:
    return serialization.load_der_private_key(material, None, unsafe_skip_rsa_key_validation=True)


def _digest_of(algorithm: str) -> hashes.HashAlgorithm:
    return HASHES[algorithm.rsplit("_", 1)[1]]


def _verify_independently(public: object, algorithm: str, signature: bytes, message: bytes) -> None:
    digest = _digest_of(algorithm)
    if isinstance(public, rsa.RSAPublicKey):
        if algorithm.startswith("RSASSA_PSS"):
            pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            public.verify(signature, message, pss, digest)
        else:
            public.verify(signature, message, padding.PKCS1v15(), digest)
    else:
        assert isinstance(public, ec.EllipticCurvePublicKey)
        public.verify(signature, message, ec.ECDSA(digest))


def test_material_is_pkcs8_and_public_key_is_spki_of_the_spec(materials: dict[str, bytes]) -> None:
    for spec, material in materials.items():
        private = _private(material)
        assert material == private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = _public(materials, spec)
        if isinstance(public, rsa.RSAPublicKey):
            assert public.key_size == int(spec[4:])
        else:
            assert public.curve.name == {"256": "secp256r1", "384": "secp384r1", "521": "secp521r1"}.get(
                spec[-3:], "secp256k1"
            )


@pytest.mark.parametrize(("spec", "algorithm"), SIGNING)
def test_raw_signatures_verify_with_plain_cryptography(
    materials: dict[str, bytes], spec: str, algorithm: str
) -> None:
    signature = crypto.sign(spec, materials[spec], algorithm, MESSAGE, "RAW")
    _verify_independently(_public(materials, spec), algorithm, signature, MESSAGE)
    assert crypto.verify(spec, materials[spec], algorithm, MESSAGE, "RAW", signature)
    assert not crypto.verify(spec, materials[spec], algorithm, MESSAGE + b"!", "RAW", signature)


@pytest.mark.parametrize(("spec", "algorithm"), SIGNING)
def test_digest_signatures_are_signatures_of_the_message(
    materials: dict[str, bytes], spec: str, algorithm: str
) -> None:
    digest = hashlib.new("sha" + algorithm.rsplit("_", 1)[1], MESSAGE).digest()
    signature = crypto.sign(spec, materials[spec], algorithm, digest, "DIGEST")
    _verify_independently(_public(materials, spec), algorithm, signature, MESSAGE)
    assert crypto.verify(spec, materials[spec], algorithm, MESSAGE, "RAW", signature)
    assert crypto.verify(spec, materials[spec], algorithm, digest, "DIGEST", signature)


def test_client_made_ecdsa_signature_verifies(materials: dict[str, bytes]) -> None:
    private = _private(materials["ECC_SECG_P256K1"])
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    signature = private.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    assert crypto.verify(
        "ECC_SECG_P256K1", materials["ECC_SECG_P256K1"], "ECDSA_SHA_256", MESSAGE, "RAW", signature
    )


@pytest.mark.parametrize(
    ("spec", "algorithm"), [("RSA_2048", "RSASSA_PSS_SHA_384"), ("ECC_NIST_P521", "ECDSA_SHA_512")]
)
@pytest.mark.parametrize("length", [0, 32, 47, 49, 65])
def test_digest_of_the_wrong_length_is_rejected(
    materials: dict[str, bytes], spec: str, algorithm: str, length: int
) -> None:
    with pytest.raises(crypto.InvalidMessage, match="Digest is invalid length"):
        crypto.sign(spec, materials[spec], algorithm, b"\x00" * length, "DIGEST")
    with pytest.raises(crypto.InvalidMessage):
        crypto.verify(spec, materials[spec], algorithm, b"\x00" * length, "DIGEST", b"sig")


def test_raw_message_longer_than_4096_bytes_is_rejected(materials: dict[str, bytes]) -> None:
    material = materials["ECC_NIST_P256"]
    crypto.sign("ECC_NIST_P256", material, "ECDSA_SHA_256", b"m" * 4096, "RAW")
    with pytest.raises(crypto.InvalidMessage):
        crypto.sign("ECC_NIST_P256", material, "ECDSA_SHA_256", b"m" * 4097, "RAW")


def test_unknown_message_type_is_rejected(materials: dict[str, bytes]) -> None:
    with pytest.raises(crypto.InvalidMessage):
        crypto.sign("ECC_NIST_P256", materials["ECC_NIST_P256"], "ECDSA_SHA_256", MESSAGE, "EXTERNAL_MU")


@pytest.mark.parametrize("signature", [b"", b"\x30\x00", b"\x00" * 256, b"garbage" * 40])
def test_malformed_signatures_do_not_verify(materials: dict[str, bytes], signature: bytes) -> None:
    assert not crypto.verify(
        "RSA_2048", materials["RSA_2048"], "RSASSA_PSS_SHA_256", MESSAGE, "RAW", signature
    )
    assert not crypto.verify(
        "ECC_NIST_P384", materials["ECC_NIST_P384"], "ECDSA_SHA_384", MESSAGE, "RAW", signature
    )


def test_signature_under_another_algorithm_does_not_verify(materials: dict[str, bytes]) -> None:
    pss = crypto.sign("RSA_3072", materials["RSA_3072"], "RSASSA_PSS_SHA_256", MESSAGE, "RAW")
    assert not crypto.verify(
        "RSA_3072", materials["RSA_3072"], "RSASSA_PKCS1_V1_5_SHA_256", MESSAGE, "RAW", pss
    )


@pytest.mark.parametrize(
    ("spec", "algorithm"),
    [("ECC_NIST_P256", "ECDSA_SHA_384"), ("RSA_2048", "ECDSA_SHA_256"), ("RSA_2048", "RSAES_OAEP_SHA_256")],
)
def test_signing_algorithm_not_of_the_spec_is_rejected(
    materials: dict[str, bytes], spec: str, algorithm: str
) -> None:
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.sign(spec, materials[spec], algorithm, MESSAGE, "RAW")


@pytest.mark.parametrize(("spec", "algorithm"), ENCRYPTION)
def test_rsa_encryption_round_trips_both_ways(materials: dict[str, bytes], spec: str, algorithm: str) -> None:
    digest = _digest_of(algorithm)
    ciphertext = crypto.rsa_encrypt(spec, materials[spec], algorithm, b"plaintext")
    private = _private(materials[spec])
    assert isinstance(private, rsa.RSAPrivateKey)
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    assert private.decrypt(ciphertext, oaep) == b"plaintext"
    public = _public(materials, spec)
    assert isinstance(public, rsa.RSAPublicKey)
    assert crypto.rsa_decrypt(spec, materials[spec], algorithm, public.encrypt(b"from a client", oaep)) == (
        b"from a client"
    )


@pytest.mark.parametrize(
    ("spec", "algorithm", "limit"),
    [
        ("RSA_2048", "RSAES_OAEP_SHA_1", 214),
        ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
        ("RSA_3072", "RSAES_OAEP_SHA_1", 342),
        ("RSA_3072", "RSAES_OAEP_SHA_256", 318),
        ("RSA_4096", "RSAES_OAEP_SHA_1", 470),
        ("RSA_4096", "RSAES_OAEP_SHA_256", 446),
    ],
)
def test_rsa_plaintext_limits_match_aws(
    materials: dict[str, bytes], spec: str, algorithm: str, limit: int
) -> None:
    ciphertext = crypto.rsa_encrypt(spec, materials[spec], algorithm, b"p" * limit)
    assert crypto.rsa_decrypt(spec, materials[spec], algorithm, ciphertext) == b"p" * limit
    with pytest.raises(crypto.PlaintextTooLong) as raised:
        crypto.rsa_encrypt(spec, materials[spec], algorithm, b"p" * (limit + 1))
    assert isinstance(raised.value, ValueError)


def test_rsa_ciphertext_under_another_algorithm_is_invalid(materials: dict[str, bytes]) -> None:
    ciphertext = crypto.rsa_encrypt("RSA_2048", materials["RSA_2048"], "RSAES_OAEP_SHA_1", b"data")
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.rsa_decrypt("RSA_2048", materials["RSA_2048"], "RSAES_OAEP_SHA_256", ciphertext)


@pytest.mark.parametrize("ciphertext", [b"", b"\x00" * 255, b"\x00" * 256, b"\xff" * 256, b"\x01" * 512])
def test_malformed_rsa_ciphertext_is_invalid(materials: dict[str, bytes], ciphertext: bytes) -> None:
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.rsa_decrypt("RSA_2048", materials["RSA_2048"], "RSAES_OAEP_SHA_256", ciphertext)


def test_symmetric_algorithm_is_not_an_rsa_algorithm(materials: dict[str, bytes]) -> None:
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.rsa_encrypt("RSA_2048", materials["RSA_2048"], "SYMMETRIC_DEFAULT", b"x")


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521"])
def test_ecdh_secret_equals_the_peers_view(materials: dict[str, bytes], spec: str) -> None:
    peer = ec.generate_private_key(_public(materials, spec).curve)  # type: ignore[union-attr]
    peer_der = peer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ours = _public(materials, spec)
    assert isinstance(ours, ec.EllipticCurvePublicKey)
    secret = crypto.derive_shared_secret(spec, materials[spec], peer_der)
    assert secret == peer.exchange(ec.ECDH(), ours)
    assert len(secret) == (ours.curve.key_size + 7) // 8


def test_ecdh_peer_key_on_another_curve_is_rejected(materials: dict[str, bytes]) -> None:
    peer_der = crypto.public_key_der("ECC_NIST_P384", materials["ECC_NIST_P384"])
    with pytest.raises(crypto.InvalidPublicKey):
        crypto.derive_shared_secret("ECC_NIST_P256", materials["ECC_NIST_P256"], peer_der)


@pytest.mark.parametrize("peer", ["RSA_2048", "garbage", "empty"])
def test_ecdh_peer_key_that_is_not_an_ec_spki_is_rejected(materials: dict[str, bytes], peer: str) -> None:
    malformed = {"garbage": b"\x30\x03\x02\x01\x00", "empty": b""}
    peer_der = malformed[peer] if peer in malformed else crypto.public_key_der(peer, materials[peer])
    with pytest.raises(crypto.InvalidPublicKey):
        crypto.derive_shared_secret("ECC_NIST_P256", materials["ECC_NIST_P256"], peer_der)


@pytest.mark.parametrize("spec", ["ECC_SECG_P256K1", "RSA_2048"])
def test_specs_without_key_agreement_refuse_ecdh(materials: dict[str, bytes], spec: str) -> None:
    peer_der = crypto.public_key_der(spec, materials[spec])
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.derive_shared_secret(spec, materials[spec], peer_der)


def test_symmetric_and_hmac_keys_have_no_public_key() -> None:
    for spec in ("SYMMETRIC_DEFAULT", "HMAC_256"):
        with pytest.raises(crypto.UnsupportedSpec):
            crypto.public_key_der(spec, crypto.generate_material(spec))


def test_material_of_another_spec_is_invalid_key_material(materials: dict[str, bytes]) -> None:
    with pytest.raises(crypto.InvalidKeyMaterial):
        crypto.sign("ECC_NIST_P384", materials["ECC_NIST_P256"], "ECDSA_SHA_384", MESSAGE, "RAW")
    with pytest.raises(crypto.InvalidKeyMaterial):
        crypto.rsa_encrypt("RSA_3072", materials["RSA_2048"], "RSAES_OAEP_SHA_1", b"x")
    with pytest.raises(crypto.InvalidKeyMaterial):
        crypto.public_key_der("RSA_2048", b"not a key")


def test_prehashed_helper_agrees_with_kms_digest_mode(materials: dict[str, bytes]) -> None:
    private = _private(materials["ECC_NIST_P256"])
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    digest = hashlib.sha256(MESSAGE).digest()
    signature = private.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    assert crypto.verify(
        "ECC_NIST_P256", materials["ECC_NIST_P256"], "ECDSA_SHA_256", digest, "DIGEST", signature
    )
    with pytest.raises(InvalidSignature):
        private.public_key().verify(signature, MESSAGE + b"x", ec.ECDSA(hashes.SHA256()))
