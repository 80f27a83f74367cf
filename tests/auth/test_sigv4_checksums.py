"""The S3 flexible checksums the verifier checks in aws-chunked trailers, against published check values."""

from __future__ import annotations

import base64

import pytest

from shieldwall.auth.checksums import algorithm_of, checksum_b64, crc32c, crc64nvme, decode_checksum


def test_crc32c_matches_the_catalogue_check_value() -> None:
    assert crc32c(b"123456789").hex() == "e3069283"


def test_crc32c_matches_the_s3_streaming_trailer_example() -> None:
    assert checksum_b64("crc32c", b"a" * 66560) == "sOO8/Q=="


def test_crc64nvme_matches_the_catalogue_check_value() -> None:
    assert crc64nvme(b"123456789").hex() == "ae8b14860a799888"


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"\x00" * 4096, "6482d367eb22b64e"), (b"\xff" * 4096, "c0ddba7302eca3ac")],
)
def test_crc64nvme_matches_the_nvme_specification_examples(data: bytes, expected: str) -> None:
    assert crc64nvme(data).hex() == expected


@pytest.mark.parametrize(
    ("algorithm", "data", "expected"),
    [
        ("crc32", b"123456789", base64.b64encode(bytes.fromhex("cbf43926")).decode()),
        (
            "sha1",
            b"abc",
            base64.b64encode(bytes.fromhex("a9993e364706816aba3e25717850c26c9cd0d89d")).decode(),
        ),
    ],
)
def test_stdlib_checksums_are_base64_of_the_big_endian_digest(
    algorithm: str, data: bytes, expected: str
) -> None:
    assert checksum_b64(algorithm, data) == expected


def test_checksum_header_names_map_to_algorithms() -> None:
    assert algorithm_of("x-amz-checksum-crc64nvme") == "crc64nvme"
    assert algorithm_of("x-amz-checksum-xxhash64") is None
    assert algorithm_of("content-md5") is None


def test_a_checksum_of_the_wrong_size_or_encoding_is_not_a_digest() -> None:
    assert decode_checksum("crc32", "AAAAAA==") == b"\x00\x00\x00\x00"
    assert decode_checksum("crc32", "AAAAAAAA") is None
    assert decode_checksum("crc32", "not base64!") is None
