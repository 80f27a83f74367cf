from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from shieldwall.services.kms import crypto

ALGORITHMS = crypto.WRAPPING_ALGORITHMS
_DIGESTS = {"1": hashes.SHA1(), "256": hashes.SHA256()}


@pytest.fixture(scope="module")
def wrapping() -> dict[str, bytes]:
    return {spec: crypto.wrapping_key(spec) for spec in ("RSA_2048", "RSA_3072", "RSA_4096")}


@pytest.fixture(scope="module")
def ec_material() -> bytes:
    return crypto.generate_material("ECC_NIST_P256")


@pytest.fixture(scope="module")
def rsa_material() -> bytes:
    return crypto.generate_material("RSA_2048")


def _public(wrapping_private: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_der_private_key(wrapping_private, None, unsafe_skip_rsa_key_validation=True)
    assert isinstance(key, rsa.RSAPrivateKey)
    public = serialization.load_der_public_key(crypto.public_key_der(f"RSA_{key.key_size}", wrapping_private))
    assert isinstance(public, rsa.RSAPublicKey)
    return public


def _oaep(algorithm: str) -> padding.OAEP:
    digest = _DIGESTS[algorithm.rsplit("_", 1)[1]]
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def wrap(wrapping_private: bytes, algorithm: str, material: bytes, aes_key: bytes | None = None) -> bytes:
    """What a client does with the public key of GetParametersForImport."""
    public = _public(wrapping_private)
    if algorithm.startswith("RSAES_OAEP"):
        return public.encrypt(material, _oaep(algorithm))
    aes_key = aes_key if aes_key is not None else os.urandom(32)
    return public.encrypt(aes_key, _oaep(algorithm)) + aes_key_wrap_with_padding(aes_key, material)


def test_wrapping_keys_are_rsa_keys_of_the_wrapping_spec(wrapping: dict[str, bytes]) -> None:
    for spec, private in wrapping.items():
        assert _public(private).key_size == int(spec[4:])


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072", "RSA_4096"])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_symmetric_material_round_trips_under_every_wrapping(
    wrapping: dict[str, bytes], spec: str, algorithm: str
) -> None:
    material = crypto.generate_material("SYMMETRIC_DEFAULT")
    unwrapped = crypto.unwrap_import(wrapping[spec], algorithm, wrap(wrapping[spec], algorithm, material))
    assert unwrapped == material
    crypto.check_import("SYMMETRIC_DEFAULT", unwrapped)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_hmac_and_ecc_material_round_trip(
    wrapping: dict[str, bytes], ec_material: bytes, algorithm: str
) -> None:
    hmac_material = os.urandom(64)
    for spec, material in (("HMAC_256", hmac_material), ("ECC_NIST_P256", ec_material)):
        wrapped = wrap(wrapping["RSA_3072"], algorithm, material)
        unwrapped = crypto.unwrap_import(wrapping["RSA_3072"], algorithm, wrapped)
        assert unwrapped == material
        crypto.check_import(spec, unwrapped)


@pytest.mark.parametrize("algorithm", ["RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"])
def test_rsa_private_key_material_round_trips_with_rsa_aes_wrapping(
    wrapping: dict[str, bytes], rsa_material: bytes, algorithm: str
) -> None:
    wrapped = wrap(wrapping["RSA_2048"], algorithm, rsa_material)
    unwrapped = crypto.unwrap_import(wrapping["RSA_2048"], algorithm, wrapped)
    assert unwrapped == rsa_material
    crypto.check_import("RSA_2048", unwrapped)


def test_material_wrapped_with_another_algorithm_does_not_unwrap(wrapping: dict[str, bytes]) -> None:
    material = os.urandom(32)
    pairs = [
        ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"),
        ("RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1"),
    ]
    pairs += [("RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256")]
    for used, claimed in pairs:
        with pytest.raises(crypto.InvalidCiphertext):
            crypto.unwrap_import(wrapping["RSA_2048"], claimed, wrap(wrapping["RSA_2048"], used, material))


def test_material_wrapped_for_another_wrapping_key_does_not_unwrap(wrapping: dict[str, bytes]) -> None:
    wrapped = wrap(wrapping["RSA_2048"], "RSAES_OAEP_SHA_256", os.urandom(32))
    other = crypto.wrapping_key("RSA_2048")
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.unwrap_import(other, "RSAES_OAEP_SHA_256", wrapped)


@pytest.mark.parametrize("where", [0, 100, 255, 256, 270, -1])
def test_any_changed_byte_of_an_rsa_aes_wrap_is_rejected(wrapping: dict[str, bytes], where: int) -> None:
    wrapped = bytearray(wrap(wrapping["RSA_2048"], "RSA_AES_KEY_WRAP_SHA_256", os.urandom(32)))
    wrapped[where] ^= 0x40
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.unwrap_import(wrapping["RSA_2048"], "RSA_AES_KEY_WRAP_SHA_256", bytes(wrapped))


@pytest.mark.parametrize("cut", [1, 8, 40, 256])
def test_truncated_rsa_aes_wrap_is_rejected(wrapping: dict[str, bytes], cut: int) -> None:
    wrapped = wrap(wrapping["RSA_2048"], "RSA_AES_KEY_WRAP_SHA_1", os.urandom(32))
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.unwrap_import(wrapping["RSA_2048"], "RSA_AES_KEY_WRAP_SHA_1", wrapped[:-cut])


@pytest.mark.parametrize("encrypted", [b"", b"\x00", b"\x00" * 256, os.urandom(256), os.urandom(300)])
def test_garbage_is_rejected_by_every_algorithm(wrapping: dict[str, bytes], encrypted: bytes) -> None:
    for algorithm in ALGORITHMS:
        with pytest.raises(crypto.InvalidCiphertext):
            crypto.unwrap_import(wrapping["RSA_2048"], algorithm, encrypted)


def test_ephemeral_aes_key_must_be_256_bits(wrapping: dict[str, bytes]) -> None:
    wrapped = wrap(wrapping["RSA_2048"], "RSA_AES_KEY_WRAP_SHA_256", os.urandom(32), aes_key=os.urandom(16))
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.unwrap_import(wrapping["RSA_2048"], "RSA_AES_KEY_WRAP_SHA_256", wrapped)


@pytest.mark.parametrize("algorithm", ["RSAES_PKCS1_V1_5", "SM2PKE", "NOPE"])
def test_unsupported_wrapping_algorithms_are_rejected(wrapping: dict[str, bytes], algorithm: str) -> None:
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.unwrap_import(wrapping["RSA_2048"], algorithm, b"\x00" * 256)


def test_unsupported_wrapping_key_spec_is_rejected() -> None:
    with pytest.raises(crypto.UnsupportedSpec):
        crypto.wrapping_key("SM2")


def test_a_wrapping_key_that_is_not_rsa_is_invalid_key_material(ec_material: bytes) -> None:
    with pytest.raises(crypto.InvalidKeyMaterial):
        crypto.unwrap_import(ec_material, "RSAES_OAEP_SHA_256", b"\x00" * 256)


@pytest.mark.parametrize(
    ("spec", "good", "bad"),
    [
        ("SYMMETRIC_DEFAULT", [32], [0, 16, 31, 33, 64]),
        ("HMAC_224", [28, 64], [27, 65]),
        ("HMAC_256", [32, 64], [31, 65]),
        ("HMAC_384", [48, 128], [47, 129]),
        ("HMAC_512", [64, 128], [63, 129]),
    ],
)
def test_symmetric_and_hmac_import_lengths(spec: str, good: list[int], bad: list[int]) -> None:
    for length in good:
        crypto.check_import(spec, os.urandom(length))
    for length in bad:
        with pytest.raises(crypto.InvalidKeyMaterial):
            crypto.check_import(spec, os.urandom(length))


def _encode(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, fmt: serialization.PrivateFormat) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())


def test_asymmetric_material_must_be_pkcs8_of_the_spec(ec_material: bytes, rsa_material: bytes) -> None:
    ec_key = serialization.load_der_private_key(ec_material, None)
    rsa_key = serialization.load_der_private_key(rsa_material, None, unsafe_skip_rsa_key_validation=True)
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey)
    assert isinstance(rsa_key, rsa.RSAPrivateKey)
    rejected = [
        ("ECC_NIST_P256", _encode(ec_key, serialization.PrivateFormat.TraditionalOpenSSL)),
        ("RSA_2048", _encode(rsa_key, serialization.PrivateFormat.TraditionalOpenSSL)),
        ("ECC_NIST_P384", ec_material),
        ("ECC_SECG_P256K1", ec_material),
        ("RSA_3072", rsa_material),
        ("RSA_2048", ec_material),
        ("ECC_NIST_P256", rsa_material),
        ("ECC_NIST_P256", b"\x30\x03\x02\x01\x00"),
        ("RSA_2048", os.urandom(32)),
        ("ECC_NIST_P256", b""),
    ]
    for spec, material in rejected:
        with pytest.raises(crypto.InvalidKeyMaterial):
            crypto.check_import(spec, material)


def test_encrypted_pkcs8_is_rejected(ec_material: bytes) -> None:
    key = serialization.load_der_private_key(ec_material, None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    encrypted = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"password"),
    )
    with pytest.raises(crypto.InvalidKeyMaterial):
        crypto.check_import("ECC_NIST_P256", encrypted)


def test_inconsistent_rsa_private_key_is_rejected(rsa_material: bytes) -> None:
    corrupted = bytearray(rsa_material)
    corrupted[-5] ^= 0x01
    with pytest.raises(crypto.InvalidKeyMaterial):
        crypto.check_import("RSA_2048", bytes(corrupted))


def test_importing_for_an_unsupported_spec_is_refused() -> None:
    with pytest.raises(crypto.UnsupportedSpec):
        crypto.check_import("SM2", os.urandom(32))
