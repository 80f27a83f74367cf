from __future__ import annotations

import pytest

from shieldwall.store.sealing import Sealer, SealingError

ROOT = bytes(range(32))


def test_sealed_value_opens_with_the_same_purpose_and_aad() -> None:
    sealer = Sealer(ROOT)
    sealed = sealer.seal(b"secret", "iam.access-key-secret", b"AKIA1")
    assert b"secret" not in sealed
    assert sealer.open_sealed(sealed, "iam.access-key-secret", b"AKIA1") == b"secret"
    assert Sealer(ROOT).open_sealed(sealed, "iam.access-key-secret", b"AKIA1") == b"secret"


def test_sealing_twice_gives_different_ciphertexts() -> None:
    sealer = Sealer(ROOT)
    assert sealer.seal(b"x", "p", b"") != sealer.seal(b"x", "p", b"")


@pytest.mark.parametrize(
    ("purpose", "aad", "root"),
    [
        ("other", b"AKIA1", ROOT),
        ("iam.access-key-secret", b"AKIA2", ROOT),
        ("iam.access-key-secret", b"AKIA1", b"\1" * 32),
    ],
)
def test_sealed_value_does_not_open_elsewhere(purpose: str, aad: bytes, root: bytes) -> None:
    sealed = Sealer(ROOT).seal(b"secret", "iam.access-key-secret", b"AKIA1")
    with pytest.raises(SealingError):
        Sealer(root).open_sealed(sealed, purpose, aad)


def test_damaged_or_foreign_blobs_are_refused() -> None:
    sealer = Sealer(ROOT)
    sealed = bytearray(sealer.seal(b"secret", "p", b""))
    sealed[-1] ^= 1
    for blob in (bytes(sealed), b"", b"\2" + bytes(40)):
        with pytest.raises(SealingError):
            sealer.open_sealed(blob, "p", b"")


def test_a_root_key_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(SealingError):
        Sealer(b"short")
