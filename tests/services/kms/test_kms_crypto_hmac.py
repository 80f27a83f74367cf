from __future__ import annotations

import hashlib
import hmac

import pytest

from shieldwall.services.kms import crypto

MAC_SPECS = [("HMAC_224", "HMAC_SHA_224", 28), ("HMAC_256", "HMAC_SHA_256", 32)]
MAC_SPECS += [("HMAC_384", "HMAC_SHA_384", 48), ("HMAC_512", "HMAC_SHA_512", 64)]


@pytest.mark.parametrize(("spec", "algorithm", "key_bytes"), MAC_SPECS)
def test_mac_is_rfc_2104_hmac_with_the_spec_digest(spec: str, algorithm: str, key_bytes: int) -> None:
    material = crypto.generate_material(spec)
    assert len(material) == key_bytes
    mac = crypto.generate_mac(spec, material, algorithm, b"message")
    assert mac == hmac.new(material, b"message", "sha" + algorithm.rsplit("_", 1)[1]).digest()
    assert crypto.verify_mac(spec, material, algorithm, b"message", mac)


@pytest.mark.parametrize(("spec", "algorithm", "key_bytes"), MAC_SPECS)
def test_wrong_or_truncated_mac_does_not_verify(spec: str, algorithm: str, key_bytes: int) -> None:
    material = crypto.generate_material(spec)
    mac = crypto.generate_mac(spec, material, algorithm, b"message")
    assert not crypto.verify_mac(spec, material, algorithm, b"messagE", mac)
    assert not crypto.verify_mac(spec, material, algorithm, b"message", mac[:-1])
    assert not crypto.verify_mac(spec, material, algorithm, b"message", b"")
    assert not crypto.verify_mac(spec, crypto.generate_material(spec), algorithm, b"message", mac)


def test_imported_hmac_material_longer_than_the_digest_works() -> None:
    material = bytes(range(128))
    mac = crypto.generate_mac("HMAC_512", material, "HMAC_SHA_512", b"m")
    assert mac == hmac.new(material, b"m", hashlib.sha512).digest()


def test_mac_algorithm_of_another_spec_is_rejected() -> None:
    material = crypto.generate_material("HMAC_256")
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.generate_mac("HMAC_256", material, "HMAC_SHA_512", b"m")
    with pytest.raises(crypto.InvalidAlgorithm):
        crypto.verify_mac("HMAC_256", material, "HMAC_SHA_384", b"m", b"x" * 48)


def test_message_longer_than_4096_bytes_is_rejected() -> None:
    material = crypto.generate_material("HMAC_224")
    crypto.generate_mac("HMAC_224", material, "HMAC_SHA_224", b"m" * 4096)
    with pytest.raises(crypto.InvalidMessage):
        crypto.generate_mac("HMAC_224", material, "HMAC_SHA_224", b"m" * 4097)
