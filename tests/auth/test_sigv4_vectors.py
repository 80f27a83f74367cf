"""The published AWS SigV4 test suite: each step of our computation against the suite's files, then verify()."""

from __future__ import annotations

from pathlib import Path

import pytest
from sigv4_testkit import (
    ACCESS_KEY,
    VECTOR_TIME,
    credential,
    parse_sreq,
    resolver,
    vector_cases,
    vector_file,
    with_header,
)

from shieldwall.auth import sigv4
from shieldwall.auth.parsing import parse_auth
from shieldwall.auth.verifier import canonical_request_of, payload_hash_of, verify
from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest

CASES = vector_cases()
# The suite's .sreq for this case carries get-vanilla's signature; its .authz is the right one (a known erratum).
SREQ_ERRATUM = "get-vanilla-with-session-token"


def _case_id(case: Path) -> str:
    return case.name


def _signed_request(case: Path) -> HttpRequest:
    """The .sreq with the suite's .authz as its Authorization header."""
    request = parse_sreq(vector_file(case, "sreq"))
    return with_header(request, "Authorization", vector_file(case, "authz"))


def _resolver_for(request: HttpRequest):  # type: ignore[no-untyped-def]
    return resolver(credential(session_token=request.header("x-amz-security-token")))


def test_the_suite_has_all_34_cases() -> None:
    assert len(CASES) == 34


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_canonical_request_matches_the_suite(case: Path) -> None:
    request = _signed_request(case)
    auth = parse_auth(request, "json")
    canonical = canonical_request_of(request, auth, payload_hash_of(request, "json"), "json", s3=False)
    assert canonical == vector_file(case, "creq")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_string_to_sign_matches_the_suite(case: Path) -> None:
    scope = sigv4.credential_scope("20150830", "us-east-1", "service")
    to_sign = sigv4.string_to_sign("20150830T123600Z", scope, vector_file(case, "creq"))
    assert to_sign == vector_file(case, "sts")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_authorization_header_matches_the_suite(case: Path) -> None:
    key = sigv4.signing_key(credential().secret_access_key, "20150830", "us-east-1", "service")
    signature = sigv4.signature(key, vector_file(case, "sts"))
    signed_headers = parse_auth(_signed_request(case), "json").signed_headers_text
    scope = sigv4.credential_scope("20150830", "us-east-1", "service")
    assert sigv4.authorization_header(ACCESS_KEY, scope, signed_headers, signature) == vector_file(
        case, "authz"
    )


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_verify_accepts_the_signed_request(case: Path) -> None:
    request = _signed_request(case)
    verified = verify(
        request, _resolver_for(request), family="json", skew_now=VECTOR_TIME, service_now=VECTOR_TIME
    )
    assert verified.credential.access_key_id == ACCESS_KEY
    assert (verified.scope.date, verified.scope.region, verified.scope.service) == (
        "20150830",
        "us-east-1",
        "service",
    )
    assert verified.request_time == VECTOR_TIME
    assert verified.body == request.body


@pytest.mark.parametrize("case", [case for case in CASES if case.name != SREQ_ERRATUM], ids=_case_id)
def test_sreq_authorization_is_the_suites_authorization(case: Path) -> None:
    assert (parse_sreq(vector_file(case, "sreq")).header("authorization") or "").strip() == vector_file(
        case, "authz"
    )


def test_sreq_erratum_signature_is_rejected() -> None:
    case = next(case for case in CASES if case.name == SREQ_ERRATUM)
    request = parse_sreq(vector_file(case, "sreq"))
    with pytest.raises(AwsError) as raised:
        verify(request, _resolver_for(request), family="query", skew_now=VECTOR_TIME, service_now=VECTOR_TIME)
    assert (raised.value.code, raised.value.status) == ("SignatureDoesNotMatch", 403)


def test_token_added_after_signing_is_accepted_but_still_checked() -> None:
    case = next(case for case in CASES if case.name == "post-sts-header-after")
    request = _signed_request(case)
    assert "x-amz-security-token" not in parse_auth(request, "query").signed_headers
    wrong = resolver(credential(session_token="another-token"))
    with pytest.raises(AwsError) as raised:
        verify(request, wrong, family="query", skew_now=VECTOR_TIME, service_now=VECTOR_TIME)
    assert (raised.value.code, raised.value.status) == ("InvalidClientTokenId", 403)
