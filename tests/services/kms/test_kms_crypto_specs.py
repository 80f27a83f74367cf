from __future__ import annotations

import pytest

from shieldwall.services.kms import crypto
from shieldwall.spec.loader import service_model

_MODEL_ENUMS = {
    "ENCRYPT_DECRYPT": "EncryptionAlgorithmSpec",
    "SIGN_VERIFY": "SigningAlgorithmSpec",
    "GENERATE_VERIFY_MAC": "MacAlgorithmSpec",
    "KEY_AGREEMENT": "KeyAgreementAlgorithmSpec",
}


def _enum(shape: str) -> list[str]:
    return list(service_model("kms").shape_for(shape).enum)


def test_every_spec_and_algorithm_is_a_name_the_kms_model_knows() -> None:
    assert set(crypto.SPECS) <= set(_enum("KeySpec"))
    for info in crypto.SPECS.values():
        for usage, algorithms in info.usages.items():
            assert usage in _enum("KeyUsageType")
            assert set(algorithms) <= set(_enum(_MODEL_ENUMS[usage]))


def test_data_key_pair_and_wrapping_specs_are_model_names() -> None:
    assert set(crypto.DATA_KEY_PAIR_SPECS) <= set(_enum("DataKeyPairSpec"))
    assert set(crypto.WRAPPING_KEY_SPECS) <= set(_enum("WrappingKeySpec"))
    assert set(crypto.WRAPPING_ALGORITHMS) <= set(_enum("AlgorithmSpec"))


@pytest.mark.parametrize(
    ("key_spec", "usages"),
    [
        ("SYMMETRIC_DEFAULT", {"ENCRYPT_DECRYPT"}),
        ("RSA_3072", {"ENCRYPT_DECRYPT", "SIGN_VERIFY"}),
        ("ECC_NIST_P384", {"SIGN_VERIFY", "KEY_AGREEMENT"}),
        ("ECC_SECG_P256K1", {"SIGN_VERIFY"}),
        ("HMAC_384", {"GENERATE_VERIFY_MAC"}),
    ],
)
def test_each_spec_allows_the_key_usages_aws_documents(key_spec: str, usages: set[str]) -> None:
    assert set(crypto.SPECS[key_spec].usages) == usages


def test_each_curve_signs_with_its_own_digest() -> None:
    assert crypto.SPECS["ECC_NIST_P256"].algorithms("SIGN_VERIFY") == ("ECDSA_SHA_256",)
    assert crypto.SPECS["ECC_NIST_P384"].algorithms("SIGN_VERIFY") == ("ECDSA_SHA_384",)
    assert crypto.SPECS["ECC_NIST_P521"].algorithms("SIGN_VERIFY") == ("ECDSA_SHA_512",)
    assert crypto.SPECS["ECC_SECG_P256K1"].algorithms("SIGN_VERIFY") == ("ECDSA_SHA_256",)


def test_describe_key_fields_name_the_algorithms_of_the_key_usage() -> None:
    assert crypto.algorithm_fields("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT") == {
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]
    }
    assert crypto.algorithm_fields("RSA_2048", "ENCRYPT_DECRYPT") == {
        "EncryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
    }
    assert crypto.algorithm_fields("ECC_NIST_P256", "KEY_AGREEMENT") == {"KeyAgreementAlgorithms": ["ECDH"]}
    assert crypto.algorithm_fields("HMAC_512", "GENERATE_VERIFY_MAC") == {"MacAlgorithms": ["HMAC_SHA_512"]}
    assert len(crypto.algorithm_fields("RSA_4096", "SIGN_VERIFY")["SigningAlgorithms"]) == 6


def test_a_usage_the_spec_lacks_is_rejected() -> None:
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.algorithm_fields("ECC_SECG_P256K1", "KEY_AGREEMENT")
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.require_algorithm("RSA_2048", "SIGN_VERIFY", "ECDSA_SHA_256")


@pytest.mark.parametrize("key_spec", ["SM2", "ML_DSA_44", "ML_KEM_768", "ECC_NIST_EDWARDS25519", "AES_128"])
def test_specs_outside_the_table_are_unsupported(key_spec: str) -> None:
    with pytest.raises(crypto.UnsupportedSpec):
        crypto.spec_info(key_spec)
    with pytest.raises(crypto.UnsupportedSpec):
        crypto.generate_material(key_spec)


def test_rsa_key_material_must_be_imported_with_an_rsa_aes_wrapping_algorithm() -> None:
    assert crypto.wrapping_algorithms("RSA_2048") == ("RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256")
    assert set(crypto.wrapping_algorithms("SYMMETRIC_DEFAULT")) == set(crypto.WRAPPING_ALGORITHMS)
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.check_wrapping("RSA_3072", "RSA_4096", "RSAES_OAEP_SHA_256")
    crypto.check_wrapping("RSA_3072", "RSA_4096", "RSA_AES_KEY_WRAP_SHA_256")


def test_p521_material_cannot_be_oaep_wrapped_under_rsa_2048() -> None:
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.check_wrapping("ECC_NIST_P521", "RSA_2048", "RSAES_OAEP_SHA_1")
    crypto.check_wrapping("ECC_NIST_P521", "RSA_3072", "RSAES_OAEP_SHA_1")
    crypto.check_wrapping("ECC_NIST_P521", "RSA_2048", "RSA_AES_KEY_WRAP_SHA_1")


def test_deprecated_and_unknown_wrapping_choices_are_rejected() -> None:
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.check_wrapping("SYMMETRIC_DEFAULT", "RSA_2048", "RSAES_PKCS1_V1_5")
    with pytest.raises(crypto.UnsupportedSpec):
        crypto.check_wrapping("SYMMETRIC_DEFAULT", "SM2", "RSAES_OAEP_SHA_256")
