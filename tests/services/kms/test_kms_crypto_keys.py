from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shieldwall.services.kms import crypto

PAIR_SPECS = ["RSA_2048", "RSA_3072", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"]


def _load(private_der: bytes) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key(private_der, None, unsafe_skip_rsa_key_validation=True)
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    return key


def _pool_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "kms-rsa-pool"]


@pytest.mark.parametrize("spec", PAIR_SPECS)
def test_data_key_pair_is_pkcs8_private_and_matching_spki_public(spec: str) -> None:
    private_der, public_der = crypto.data_key_pair(spec)
    private = _load(private_der)
    assert private_der == private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert public_der == private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    crypto.check_import(spec, private_der)


@pytest.mark.parametrize(
    "spec", ["SM2", "SYMMETRIC_DEFAULT", "HMAC_256", "ML_KEM_512", "ECC_NIST_EDWARDS25519"]
)
def test_data_key_pair_specs_outside_the_list_are_unsupported(spec: str) -> None:
    with pytest.raises(crypto.UnsupportedSpec):
        crypto.data_key_pair(spec)


def test_each_generated_key_is_new() -> None:
    for spec in ("SYMMETRIC_DEFAULT", "HMAC_512", "ECC_NIST_P256"):
        assert crypto.generate_material(spec) != crypto.generate_material(spec)


def test_pool_fills_in_the_background_and_hands_out_distinct_keys() -> None:
    pool = crypto.RsaPool(sizes=(2048,), target=3)
    pool.start()
    try:
        assert pool.wait_until_full(timeout=30)
        assert pool.available(2048) == 3
        taken = [pool.take(2048) for _ in range(3)]
        assert len(set(taken)) == 3
        assert all(_load(key).key_size == 2048 for key in taken)
        assert pool.wait_until_full(timeout=30)
    finally:
        pool.stop()
    assert not _pool_threads()


def test_take_generates_a_key_when_the_pool_is_empty() -> None:
    pool = crypto.RsaPool(sizes=(2048,), target=2)
    first, second = pool.take(2048), pool.take(2048)
    assert first != second
    assert _load(first).key_size == 2048
    assert pool.available(2048) == 0


def test_take_of_a_size_the_pool_does_not_keep_generates_that_size() -> None:
    pool = crypto.RsaPool(sizes=(2048,), target=1)
    assert _load(pool.take(3072)).key_size == 3072


def test_material_and_wrapping_keys_come_from_the_pool() -> None:
    pool = crypto.RsaPool(sizes=(2048,), target=2)
    pool.start()
    try:
        assert pool.wait_until_full(timeout=30)
        material = crypto.generate_material("RSA_2048", pool)
        wrapping = crypto.wrapping_key("RSA_2048", pool)
        assert material != wrapping
        assert crypto.data_key_pair("RSA_2048", pool)[0] not in (material, wrapping)
    finally:
        pool.stop()
    assert _load(material).key_size == 2048


def test_pool_stops_and_restarts() -> None:
    pool = crypto.RsaPool(sizes=(2048,), target=1)
    pool.start()
    pool.stop()
    pool.stop()
    pool.start()
    try:
        assert pool.wait_until_full(timeout=30)
    finally:
        pool.stop()
    assert not _pool_threads()
