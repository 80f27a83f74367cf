"""S3 aws-chunked payloads: AWS's published streaming examples, boto3's unsigned-trailer uploads, and tampering."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from sigv4_testkit import (
    SIGNING_TIME,
    botocore_sign,
    capture,
    credential,
    presigned_request,
    replace,
    resolver,
    signing_time,
    with_header,
)

from shieldwall.auth import sigv4
from shieldwall.auth.checksums import checksum_b64
from shieldwall.auth.chunked import ChunkSigning, chunk_string_to_sign, trailer_string_to_sign
from shieldwall.auth.verifier import verify
from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest

# The example of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
# sigv4-streaming-trailers.html: 65,536 + 1,024 bytes of "a", signed with AWS's example key on 2013-05-24.
DOC_KEY = "AKIAIOSFODNN7EXAMPLE"
DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DOC_TIME = datetime(2013, 5, 24, tzinfo=UTC)
DOC_DATA = b"a" * 66560
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNK_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)
TRAILER_SEED = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
TRAILER_CHUNK_SIGNATURES = (
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
)
TRAILER_SIGNATURE = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"


def _doc_resolver():  # type: ignore[no-untyped-def]
    return resolver(credential(access_key_id=DOC_KEY, secret_access_key=DOC_SECRET))


def _doc_body(signatures: tuple[str, ...], trailer: bytes = b"") -> bytes:
    return (
        f"10000;chunk-signature={signatures[0]}\r\n".encode()
        + b"a" * 65536
        + f"\r\n400;chunk-signature={signatures[1]}\r\n".encode()
        + b"a" * 1024
        + f"\r\n0;chunk-signature={signatures[2]}\r\n".encode()
        + trailer
        + b"\r\n"
    )


def _doc_request(*, trailer: bool, body: bytes | None = None) -> HttpRequest:
    if trailer:
        payload, seed = sigv4.STREAMING_SIGNED_TRAILER, TRAILER_SEED
        signed = "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer"
        trailer_lines = (
            f"x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{TRAILER_SIGNATURE}\r\n".encode()
        )
        body = body if body is not None else _doc_body(TRAILER_CHUNK_SIGNATURES, trailer_lines)
    else:
        payload, seed = sigv4.STREAMING_SIGNED, SEED
        signed = "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class"
        body = body if body is not None else _doc_body(CHUNK_SIGNATURES)
    headers = [
        ("Host", "s3.amazonaws.com"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "Authorization",
            f"AWS4-HMAC-SHA256 Credential={DOC_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders={signed},Signature={seed}",
        ),
        ("x-amz-content-sha256", payload),
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
    ]
    headers.append(("x-amz-trailer", "x-amz-checksum-crc32c") if trailer else ("Content-Length", "66824"))
    return HttpRequest("PUT", "/examplebucket/chunkObject.txt", "", headers, body)


def _verify_s3(request: HttpRequest, resolve=None, now: datetime = DOC_TIME):  # type: ignore[no-untyped-def]
    return verify(
        request,
        resolve or _doc_resolver(),
        family="rest-xml",
        skew_now=now,
        service_now=now,
        expected_service="s3",
        s3=True,
    )


def _error(request: HttpRequest, resolve=None, now: datetime = DOC_TIME) -> AwsError:  # type: ignore[no-untyped-def]
    with pytest.raises(AwsError) as raised:
        _verify_s3(request, resolve, now)
    return raised.value


def test_documented_chunk_signatures_are_what_we_compute() -> None:
    key = sigv4.signing_key(DOC_SECRET, "20130524", "us-east-1", "s3")
    signing = ChunkSigning(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", SEED)
    previous = SEED
    for signature, data in zip(CHUNK_SIGNATURES, (b"a" * 65536, b"a" * 1024, b""), strict=True):
        previous_now = sigv4.signature(key, chunk_string_to_sign(signing, previous, data))
        assert previous_now == signature
        previous = previous_now


def test_documented_trailer_signature_is_what_we_compute() -> None:
    key = sigv4.signing_key(DOC_SECRET, "20130524", "us-east-1", "s3")
    signing = ChunkSigning(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", TRAILER_SEED)
    trailers = (("x-amz-checksum-crc32c", "sOO8/Q=="),)
    assert (
        sigv4.signature(key, trailer_string_to_sign(signing, TRAILER_CHUNK_SIGNATURES[2], trailers))
        == TRAILER_SIGNATURE
    )


def test_documented_signed_chunked_upload_is_accepted_and_decoded() -> None:
    verified = _verify_s3(_doc_request(trailer=False))
    assert verified.body == DOC_DATA
    assert verified.trailers == ()


def test_documented_signed_chunked_upload_with_trailer_is_accepted_and_decoded() -> None:
    verified = _verify_s3(_doc_request(trailer=True))
    assert verified.body == DOC_DATA
    assert verified.trailers == (("x-amz-checksum-crc32c", "sOO8/Q=="),)


def test_tampered_chunk_data_fails_its_chunk_signature() -> None:
    body = bytearray(_doc_body(CHUNK_SIGNATURES))
    body[1000] = ord("b")
    error = _error(_doc_request(trailer=False, body=bytes(body)))
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)


def test_reordered_chunk_signatures_are_rejected() -> None:
    swapped = (CHUNK_SIGNATURES[1], CHUNK_SIGNATURES[0], CHUNK_SIGNATURES[2])
    error = _error(_doc_request(trailer=False, body=_doc_body(swapped)))
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)


def test_dropped_final_chunk_is_rejected() -> None:
    body = _doc_body(CHUNK_SIGNATURES)
    truncated = body[: body.index(b"0;chunk-signature=")]
    error = _error(_doc_request(trailer=False, body=truncated))
    assert (error.code, error.status) == ("IncompleteBody", 400)


def test_tampered_trailer_fails_the_trailer_signature() -> None:
    trailer_lines = (
        f"x-amz-checksum-crc32c:AAAAAA==\r\nx-amz-trailer-signature:{TRAILER_SIGNATURE}\r\n".encode()
    )
    error = _error(_doc_request(trailer=True, body=_doc_body(TRAILER_CHUNK_SIGNATURES, trailer_lines)))
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)


def _streaming_request(headers: dict[str, str], chunks: list[bytes]) -> HttpRequest:
    """A signed streaming upload: botocore's signer makes the seed, each chunk signature chains it."""
    headers = {"x-amz-content-sha256": sigv4.STREAMING_SIGNED, "Content-Encoding": "aws-chunked", **headers}
    seeded = botocore_sign(
        botocore.auth.SigV4Auth,
        "PUT",
        "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
        service="s3",
        headers=headers,
        when=DOC_TIME,
        access_key=DOC_KEY,
        secret_key=DOC_SECRET,
    )
    seed = (seeded.header("authorization") or "").rsplit("Signature=", 1)[1]
    key = sigv4.signing_key(DOC_SECRET, "20130524", "us-east-1", "s3")
    signing = ChunkSigning(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", seed)
    body = b""
    previous = seed
    for data in [*chunks, b""]:
        previous = sigv4.signature(key, chunk_string_to_sign(signing, previous, data))
        body += f"{len(data):x};chunk-signature={previous}\r\n".encode() + data + b"\r\n"
    return replace(seeded, body=body)


def test_streaming_upload_seeded_by_botocore_is_accepted() -> None:
    request = _streaming_request({"x-amz-decoded-content-length": "9"}, [b"abcd", b"efghi"])
    assert _verify_s3(request).body == b"abcdefghi"


def test_decoded_content_length_must_match_the_decoded_body() -> None:
    request = _streaming_request({"x-amz-decoded-content-length": "10"}, [b"abcd", b"efghi"])
    error = _error(request)
    assert (error.code, error.status) == ("IncompleteBody", 400)


def test_missing_decoded_content_length_is_rejected() -> None:
    error = _error(_streaming_request({}, [b"abcd", b"efghi"]))
    assert (error.code, error.status) == ("MissingContentLength", 411)


def test_signed_chunks_without_signatures_are_rejected() -> None:
    request = _streaming_request({"x-amz-decoded-content-length": "4"}, [b"abcd"])
    unsigned = replace(request, body=b"4\r\nabcd\r\n0\r\n\r\n")
    error = _error(unsigned)
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)


# ---------------------------------------------------------------------------------------------------- boto3


def _s3_client():  # type: ignore[no-untyped-def]
    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=credential().secret_access_key,
        region_name="us-east-1",
    )
    config = Config(s3={"addressing_style": "path"}, signature_version="s3v4")
    return session.client("s3", endpoint_url="https://localhost:4566", config=config)


def _boto3_put(body: bytes, **params: str) -> HttpRequest:
    with signing_time(SIGNING_TIME):
        return capture(
            _s3_client(),
            lambda s3: s3.put_object(Bucket="bucket", Key="dir/my key+1.txt", Body=body, **params),
        )


def _verify_boto3(request: HttpRequest):  # type: ignore[no-untyped-def]
    return verify(
        request,
        resolver(),
        family="rest-xml",
        skew_now=SIGNING_TIME,
        service_now=SIGNING_TIME,
        expected_service="s3",
        s3=True,
    )


def test_boto3_put_object_over_https_sends_an_unsigned_trailer_that_verifies() -> None:
    body = bytes(range(256)) * 40
    request = _boto3_put(body)
    assert request.header("x-amz-content-sha256") == sigv4.STREAMING_UNSIGNED_TRAILER
    verified = _verify_boto3(request)
    assert verified.body == body
    assert verified.trailers == (("x-amz-checksum-crc32", checksum_b64("crc32", body)),)


@pytest.mark.parametrize("algorithm", ["SHA1", "SHA256", "CRC32"])
def test_boto3_trailing_checksums_of_each_algorithm_verify(algorithm: str) -> None:
    body = b"hello chunked world" * 100
    verified = _verify_boto3(_boto3_put(body, ChecksumAlgorithm=algorithm))
    assert verified.trailers == (
        (f"x-amz-checksum-{algorithm.lower()}", checksum_b64(algorithm.lower(), body)),
    )


def test_boto3_unsigned_trailer_with_a_changed_byte_fails_its_checksum() -> None:
    body = b"0123456789" * 50
    request = _boto3_put(body)
    index = request.body.index(b"0123456789") + 3
    tampered = replace(request, body=request.body[:index] + b"X" + request.body[index + 1 :])
    with pytest.raises(AwsError) as raised:
        _verify_boto3(tampered)
    assert (raised.value.code, raised.value.status) == ("BadDigest", 400)
    assert raised.value.message == "The CRC32 you specified did not match the calculated checksum."


def test_boto3_unsigned_trailer_with_broken_framing_is_rejected() -> None:
    request = _boto3_put(b"abc" * 10)
    tampered = replace(request, body=request.body.replace(b"\r\n", b"\n", 1))
    with pytest.raises(AwsError) as raised:
        _verify_boto3(tampered)
    assert (raised.value.code, raised.value.status) == ("IncompleteBody", 400)


def test_undeclared_trailer_is_rejected() -> None:
    request = _boto3_put(b"abc" * 10)
    tampered = replace(request, body=request.body.replace(b"x-amz-checksum-crc32:", b"x-amz-checksum-sha1:"))
    with pytest.raises(AwsError) as raised:
        _verify_boto3(tampered)
    assert raised.value.status == 400


def test_trailer_checksum_that_is_not_a_digest_is_invalid() -> None:
    request = _boto3_put(b"abc" * 10)
    start = request.body.index(b"x-amz-checksum-crc32:") + len(b"x-amz-checksum-crc32:")
    end = request.body.index(b"\r\n", start)
    tampered = replace(request, body=request.body[:start] + b"!!notbase64" + request.body[end:])
    with pytest.raises(AwsError) as raised:
        _verify_boto3(tampered)
    assert (raised.value.code, raised.value.message) == (
        "InvalidRequest",
        "Value for x-amz-checksum-crc32 header is invalid.",
    )


def test_presigned_url_cannot_carry_a_streaming_payload() -> None:
    client = _s3_client()
    with signing_time(SIGNING_TIME):
        url = client.generate_presigned_url(
            "put_object", Params={"Bucket": "bucket", "Key": "k"}, ExpiresIn=60
        )
    request = with_header(
        presigned_request(url, "PUT"), "x-amz-content-sha256", sigv4.STREAMING_UNSIGNED_TRAILER
    )
    with pytest.raises(AwsError) as raised:
        _verify_boto3(request)
    assert (raised.value.code, raised.value.status) == ("NotImplemented", 501)
