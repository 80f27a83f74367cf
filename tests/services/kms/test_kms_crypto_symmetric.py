from __future__ import annotations

import pytest

from shieldwall.services.kms import crypto

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab"


@pytest.fixture(scope="module")
def material() -> bytes:
    return crypto.generate_material("SYMMETRIC_DEFAULT")


def test_symmetric_material_is_a_256_bit_key_and_fresh_each_time(material: bytes) -> None:
    assert len(material) == 32
    assert crypto.generate_material("SYMMETRIC_DEFAULT") != material


def test_blob_round_trips_under_the_same_context(material: bytes) -> None:
    blob = crypto.encrypt_blob(KEY_ID, 1, material, b"secret data", {"purpose": "test"})
    assert crypto.decrypt_blob(material, blob, {"purpose": "test"}) == b"secret data"


def test_empty_plaintext_and_empty_context_round_trip(material: bytes) -> None:
    blob = crypto.encrypt_blob(KEY_ID, 1, material, b"", {})
    assert len(blob) == crypto.BLOB_OVERHEAD
    assert crypto.decrypt_blob(material, blob, {}) == b""


def test_blob_names_its_key_id_and_material_version(material: bytes) -> None:
    assert crypto.blob_key(crypto.encrypt_blob(KEY_ID, 7, material, b"x", {})) == (KEY_ID, 7)


def test_multi_region_key_id_is_recoverable_from_the_blob(material: bytes) -> None:
    blob = crypto.encrypt_blob(MRK_ID, 2, material, b"x", {})
    assert crypto.blob_key(blob) == (MRK_ID, 2)
    assert crypto.decrypt_blob(material, blob, {}) == b"x"


def test_encrypting_twice_gives_different_blobs(material: bytes) -> None:
    first = crypto.encrypt_blob(KEY_ID, 1, material, b"same", {})
    assert crypto.encrypt_blob(KEY_ID, 1, material, b"same", {}) != first


def test_context_order_does_not_matter(material: bytes) -> None:
    blob = crypto.encrypt_blob(KEY_ID, 1, material, b"data", {"a": "1", "b": "2", "c": "3"})
    assert crypto.decrypt_blob(material, blob, {"c": "3", "a": "1", "b": "2"}) == b"data"


@pytest.mark.parametrize(
    "other",
    [
        {},
        {"a": "1"},
        {"a": "1", "b": "3"},
        {"a": "1", "B": "2"},
        {"a": "1", "b": "2", "c": ""},
        {"a1": "", "b": "2"},
        {"a": "1b", "": "2"},
    ],
)
def test_a_different_context_fails_to_decrypt(material: bytes, other: dict[str, str]) -> None:
    blob = crypto.encrypt_blob(KEY_ID, 1, material, b"data", {"a": "1", "b": "2"})
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.decrypt_blob(material, blob, other)


def test_context_with_non_ascii_text_round_trips(material: bytes) -> None:
    context = {"clé": "valeur ✓", "🔑": "\u0000"}
    blob = crypto.encrypt_blob(KEY_ID, 1, material, b"data", context)
    assert crypto.decrypt_blob(material, blob, dict(reversed(context.items()))) == b"data"


def test_every_changed_byte_fails_to_decrypt(material: bytes) -> None:
    blob = crypto.encrypt_blob(KEY_ID, 1, material, b"tamper me", {"k": "v"})
    for index in range(len(blob)):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(crypto.InvalidCiphertext):
            crypto.decrypt_blob(material, bytes(tampered), {"k": "v"})


def test_wrong_material_fails_to_decrypt(material: bytes) -> None:
    blob = crypto.encrypt_blob(KEY_ID, 1, material, b"data", {})
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.decrypt_blob(crypto.generate_material("SYMMETRIC_DEFAULT"), blob, {})


def test_rotated_key_decrypts_data_of_each_material_version(material: bytes) -> None:
    versions = {1: material, 2: crypto.generate_material("SYMMETRIC_DEFAULT")}
    old = crypto.encrypt_blob(KEY_ID, 1, versions[1], b"old", {})
    new = crypto.encrypt_blob(KEY_ID, 2, versions[2], b"new", {})
    for blob, expected in ((old, b"old"), (new, b"new")):
        _, version = crypto.blob_key(blob)
        assert crypto.decrypt_blob(versions[version], blob, {}) == expected


@pytest.mark.parametrize(
    "blob", [b"", b"\x01", b"\x01" * 49, b"\x02" + b"\x00" * 60, b"not a kms ciphertext"]
)
def test_truncated_or_foreign_blobs_are_invalid_ciphertext(material: bytes, blob: bytes) -> None:
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.blob_key(blob)
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.decrypt_blob(material, blob, {})


def test_blob_with_an_unknown_key_id_kind_is_invalid_ciphertext(material: bytes) -> None:
    blob = bytearray(crypto.encrypt_blob(KEY_ID, 1, material, b"x", {}))
    blob[1] = 0x09
    with pytest.raises(crypto.InvalidCiphertext):
        crypto.blob_key(bytes(blob))


@pytest.mark.parametrize("key_id", ["alias/mine", "arn:aws:kms:us-east-1:000000000000:key/x", "mrk-12", ""])
def test_encrypting_under_a_key_id_that_is_not_an_id_is_refused(material: bytes, key_id: str) -> None:
    with pytest.raises(crypto.KmsCryptoError):
        crypto.encrypt_blob(key_id, 1, material, b"x", {})


def test_material_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(crypto.InvalidKeyMaterial):
        crypto.encrypt_blob(KEY_ID, 1, b"short", b"x", {})
