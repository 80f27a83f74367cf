"""The query protocol parser (IAM, STS): dotted form parameters folded into typed request dicts."""

from __future__ import annotations

from typing import Any

import pytest

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parser import parse_request
from shieldwall.protocol.router import route

FORM = ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")


def form_request(body: str, query: str = "", content_type: tuple[str, str] = FORM) -> HttpRequest:
    return HttpRequest("POST", "/", query, [("Host", "localhost"), content_type], body.encode())


def parse_iam(body: str, query: str = "") -> dict[str, Any]:
    request = form_request("Version=2010-05-08&" + body, query)
    return parse_request(route(request, "iam"), request, request.body)


def parse_error(body: str, query: str = "") -> AwsError:
    with pytest.raises(AwsError) as caught:
        parse_iam(body, query)
    return caught.value


def test_structure_list_members_arrive_typed_and_in_index_order() -> None:
    parsed = parse_iam(
        "Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=3600"
        "&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1"
    )
    assert parsed == {
        "RoleName": "r",
        "AssumeRolePolicyDocument": "{}",
        "MaxSessionDuration": 3600,
        "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
    }


def test_list_indices_sort_numerically_not_as_text() -> None:
    members = "&".join(f"ActionNames.member.{index}=s3:Op{index}" for index in range(1, 12))
    parsed = parse_iam(
        f"Action=SimulatePrincipalPolicy&PolicySourceArn=arn:aws:iam::000000000000:user/u&{members}"
    )
    assert parsed["ActionNames"] == [f"s3:Op{index}" for index in range(1, 12)]


def test_bare_list_key_with_empty_value_is_an_empty_list() -> None:
    parsed = parse_iam("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=x&Tags=")
    assert parsed["Tags"] == []


def test_map_entries_arrive_as_a_dict() -> None:
    parsed = parse_iam(
        "Action=PutAccountProperties&Properties.entry.1.key=alpha&Properties.entry.1.value=one"
        "&Properties.entry.2.key=beta&Properties.entry.2.value=two"
    )
    assert parsed == {"Properties": {"alpha": "one", "beta": "two"}}


def test_booleans_and_percent_escapes_are_decoded() -> None:
    parsed = parse_iam(
        "Action=CreatePolicyVersion&PolicyArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Apolicy%2Fp"
        "&PolicyDocument=%7B%22a%22%3A+%22caf%C3%A9%22%7D&SetAsDefault=true"
    )
    assert parsed == {
        "PolicyArn": "arn:aws:iam::000000000000:policy/p",
        "PolicyDocument": '{"a": "café"}',
        "SetAsDefault": True,
    }


def test_parameters_may_come_in_the_query_string_of_a_get() -> None:
    request = HttpRequest(
        "GET", "/", "Action=ListRoles&Version=2010-05-08&MaxItems=5", [("Host", "localhost")], b""
    )
    assert parse_request(route(request, "iam"), request, b"") == {"MaxItems": 5}


def test_unsigned_sts_get_with_query_parameters_parses() -> None:
    query = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::000000000000:role/r&RoleSessionName=web&WebIdentityToken=token"
    request = HttpRequest("GET", "/", query, [("Host", "sts.amazonaws.com")], b"")
    parsed = parse_request(route(request, None), request, b"")
    assert parsed == {
        "RoleArn": "arn:aws:iam::000000000000:role/r",
        "RoleSessionName": "web",
        "WebIdentityToken": "token",
    }


def test_unknown_parameters_are_ignored() -> None:
    assert parse_iam("Action=ListRoles&Surprise=1&Tags.member.1.Key=x") == {}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("Action=ListRoles&MaxItems=lots", "MaxItems"),
        ("Action=ListRoles&MaxItems=1_000", "MaxItems"),
        ("Action=ListRoles&MaxItems=99999999999", "MaxItems"),
        ("Action=CreatePolicyVersion&PolicyArn=a&PolicyDocument=d&SetAsDefault=maybe", "SetAsDefault"),
        ("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=x&Tags=oops", "Tags"),
        ("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=x&Tags.member.first.Key=a", "Tags"),
        ("Action=CreateRole&RoleName.sub=r&AssumeRolePolicyDocument=x", "RoleName"),
    ],
)
def test_values_that_cannot_be_read_are_invalid_parameter_value(body: str, where: str) -> None:
    error = parse_error(body)
    assert (error.code, error.status) == ("InvalidParameterValue", 400)
    assert where in error.message


@pytest.mark.parametrize("body", ["Action=ListRoles&PathPrefix=%ff%fe", "Action=ListRoles&Marker=%C3"])
def test_escapes_that_are_not_utf8_are_malformed_query_string(body: str) -> None:
    error = parse_error(body)
    assert (error.code, error.status) == ("MalformedQueryString", 404)


def test_body_that_is_not_utf8_is_malformed_query_string() -> None:
    request = HttpRequest("POST", "/", "Action=ListRoles", [("Host", "localhost"), FORM], b"Marker=\xff")
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "iam"), request, request.body)
    assert caught.value.code == "MalformedQueryString"


def test_json_body_for_a_query_service_is_refused_with_415() -> None:
    request = form_request('{"RoleName": "r"}', "Action=GetRole", ("Content-Type", "application/json"))
    with pytest.raises(AwsError) as caught:
        parse_request(route(request, "iam"), request, request.body)
    assert caught.value.status == 415
