"""The policy grammar and limits (IAM User Guide: "IAM JSON policy element reference", "IAM and AWS STS quotas";
Organizations User Guide: "Quotas for AWS Organizations")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shieldwall.policy.document import PolicyError, parse_policy

GOOD = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def problems(document: Any, kind: str = "identity", **options: Any) -> list[str]:
    text = document if isinstance(document, str | bytes) else json.dumps(document)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, kind, **options)
    return caught.value.problems


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return document


def with_(**changes: Any) -> dict[str, Any]:
    statement = {**GOOD, **changes}
    return {key: value for key, value in statement.items() if value is not None}


def test_valid_identity_policy_compiles_its_statements() -> None:
    parsed = parse_policy(json.dumps(policy(with_(Sid="One"), with_(Effect="Deny"))), "identity", name="p")
    assert [s.label for s in parsed.statements] == ["One", "#1"]
    assert parsed.name == "p" and parsed.version == "2012-10-17"


def test_single_statement_object_is_accepted() -> None:
    assert (
        len(parse_policy(json.dumps({"Version": "2012-10-17", "Statement": GOOD}), "identity").statements)
        == 1
    )


def test_missing_version_means_2008_10_17() -> None:
    assert parse_policy(json.dumps(policy(GOOD, version=None)), "identity").version == "2008-10-17"


def test_unknown_version_is_rejected() -> None:
    assert any("Version" in p for p in problems(policy(GOOD, version="2012-10-18")))


def test_every_problem_is_reported_at_once() -> None:
    found = problems(policy(with_(Effect="allow", Action="s3", Resource="bucket"), version="2020-01-01"))
    assert len(found) == 4


def test_duplicate_sids_are_rejected() -> None:
    assert any("unique" in p for p in problems(policy(with_(Sid="A"), with_(Sid="A"))))


def test_identity_sid_must_be_alphanumeric_but_resource_sid_may_not() -> None:
    assert any("letters and digits" in p for p in problems(policy(with_(Sid="my sid"))))
    parse_policy(json.dumps(policy(with_(Sid="my sid", Principal="*"))), "resource")


@pytest.mark.parametrize("effect", [None, "allow", "Permit", 1])
def test_effect_must_be_allow_or_deny(effect: Any) -> None:
    assert any("Effect" in p for p in problems(policy(with_(Effect=effect))))


def test_action_or_notaction_is_required_and_exclusive() -> None:
    assert any("Action" in p for p in problems(policy(with_(Action=None))))
    assert any("cannot both" in p for p in problems(policy(with_(NotAction="s3:*"))))


@pytest.mark.parametrize("action", ["s3", "s3:", ":Get", "s3:Get Object", "", "s 3:Get"])
def test_action_must_be_service_colon_name(action: str) -> None:
    assert any("service:action" in p for p in problems(policy(with_(Action=action))))


@pytest.mark.parametrize("value", [[], [1], {"a": "b"}, 7])
def test_action_must_be_a_string_or_list_of_strings(value: Any) -> None:
    assert problems(policy(with_(Action=value)))


def test_resource_must_be_an_arn_or_star() -> None:
    assert any("ARN" in p for p in problems(policy(with_(Resource="my-bucket"))))


def test_resource_is_required_outside_trust_policies() -> None:
    assert any("Resource" in p for p in problems(policy(with_(Resource=None))))


def test_trust_policy_forbids_resource_and_requires_principal() -> None:
    found = problems(policy(with_(Action="sts:AssumeRole")), "trust")
    assert any("Resource is not allowed" in p for p in found)
    assert any("Principal" in p for p in found)
    trust = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
    assert parse_policy(json.dumps(policy(trust)), "trust").statements[0].resources is None


@pytest.mark.parametrize("kind", ["identity", "boundary", "session", "scp"])
def test_principal_is_forbidden_in_policies_attached_to_principals(kind: str) -> None:
    assert any("Principal is not allowed" in p for p in problems(policy(with_(Principal="*")), kind))


def test_resource_policy_requires_a_principal() -> None:
    assert any("Principal" in p for p in problems(policy(GOOD), "resource"))


def test_principal_and_notprincipal_are_exclusive() -> None:
    assert any(
        "cannot both" in p for p in problems(policy(with_(Principal="*", NotPrincipal="*")), "resource")
    )


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": "arn:aws:iam::111122223333:user/*"},
        {"AWS": "12345"},
        {"AWS": "arn:aws:s3:::bucket"},
        {"Service": "Lambda Service"},
        {"CanonicalUser": "abc"},
        {"Group": "x"},
        "everyone",
        {},
    ],
)
def test_malformed_principals_are_rejected(principal: Any) -> None:
    assert problems(policy(with_(Principal=principal)), "resource")


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": ["111122223333", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/path/r"]},
        {"AWS": "arn:aws:sts::111122223333:assumed-role/r/session"},
        {"AWS": "arn:aws:sts::111122223333:federated-user/bob"},
        {"Federated": ["cognito-identity.amazonaws.com", "arn:aws:iam::111122223333:saml-provider/idp"]},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
        {"AWS": "*"},
        "*",
    ],
)
def test_every_principal_form_is_accepted(principal: Any) -> None:
    parse_policy(json.dumps(policy(with_(Principal=principal))), "resource")


def test_rcp_allows_only_the_star_principal() -> None:
    assert problems(policy(with_(Principal={"AWS": "111122223333"})), "rcp")
    parse_policy(json.dumps(policy(with_(Principal="*"))), "rcp")


def test_unknown_elements_are_rejected() -> None:
    assert any("`Effects`" in p for p in problems(policy(with_(Effects="Allow"))))
    assert any("`Statements`" in p for p in problems({"Version": "2012-10-17", "Statements": [GOOD]}))


def test_statement_is_required() -> None:
    assert any("Statement" in p for p in problems({"Version": "2012-10-17"}))
    assert any("Statement" in p for p in problems({"Version": "2012-10-17", "Statement": []}))


def test_unknown_condition_operator_is_rejected() -> None:
    assert any(
        "StringEqualz" in p
        for p in problems(policy(with_(Condition={"StringEqualz": {"aws:username": "a"}})))
    )


@pytest.mark.parametrize(
    "condition",
    [
        "StringEquals",
        {"StringEquals": "aws:username"},
        {"StringEquals": {}},
        {"StringEquals": {"aws:username": {"nested": "object"}}},
        {"NumericLessThan": {"s3:max-keys": "ten"}},
    ],
)
def test_malformed_condition_blocks_are_rejected(condition: Any) -> None:
    assert problems(policy(with_(Condition=condition)))


def test_document_must_be_an_object() -> None:
    assert problems("[1, 2]") == ["policy document must be a JSON object"]


def test_invalid_json_is_reported() -> None:
    assert "not valid JSON" in problems('{"Version": ')[0]


def test_invalid_utf8_is_rejected() -> None:
    assert problems(b'{"Version": "2012-10-17", "Statement": "\xff"}') == [
        "policy document is not valid UTF-8"
    ]


def test_managed_policy_limit_ignores_white_space() -> None:
    padded = json.dumps(policy(GOOD), indent=40) + " " * 7_000
    assert len(padded) > 6_144
    parse_policy(padded, "identity")


def test_managed_policy_over_6144_characters_is_rejected() -> None:
    big = policy(with_(Action=[f"s3:Get{'x' * 40}{i}" for i in range(150)]))
    assert any("the maximum for identity policies is 6144" in p for p in problems(big))


def test_caller_limit_overrides_the_default() -> None:
    assert any(
        "2048" in p
        for p in problems(policy(with_(Action=[f"s3:A{'x' * 30}{i}" for i in range(60)])), limit=2048)
    )


def test_scp_limit_counts_white_space() -> None:
    text = json.dumps(policy(GOOD)) + " " * 5_200
    assert any("5120" in p for p in problems(text, "scp"))


def test_session_policy_limit_is_2048() -> None:
    assert any(
        "2048" in p
        for p in problems(policy(with_(Action=[f"s3:A{'x' * 30}{i}" for i in range(60)])), "session")
    )


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown policy kind"):
        parse_policy("{}", "bucket")
