"""Action, resource and principal matching, and policy variables (IAM User Guide: "IAM JSON policy elements:
Action", "Resource", "Principal", "Policy variables")."""

from __future__ import annotations

import pytest

from shieldwall.policy.match import (
    ActionPattern,
    ArnPattern,
    Identity,
    PrincipalMatcher,
    Var,
    context_lookup,
    make_resolver,
    parse_template,
    principal_chain,
)

NO_CONTEXT = context_lookup({})


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:GetObject", "s3:getobject", True),
        ("S3:GETOBJECT", "s3:getobject", True),
        ("s3:Get*", "s3:getobjectacl", True),
        ("s3:*Object", "s3:putobject", True),
        ("s3:*Object", "s3:putobjectacl", False),
        ("s3:Get?bject", "s3:getobject", True),
        ("s3:Get?bject", "s3:getbject", False),
        ("*", "kms:decrypt", True),
        ("s3:*", "s3express:createsession", False),
        ("s3:.*", "s3:getobject", False),
        ("s3:Get[O]bject", "s3:getobject", False),
    ],
)
def test_action_matching_is_case_insensitive_with_star_and_question_mark(
    pattern: str, action: str, expected: bool
) -> None:
    assert ActionPattern(pattern).matches(action) is expected


def test_action_pattern_knows_its_service_for_indexing() -> None:
    assert ActionPattern("KMS:Decrypt").service == "kms"
    assert ActionPattern("*").service == "*"


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("*", "arn:aws:s3:::bucket/key", True),
        ("*", "*", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/a", False),
        ("arn:aws:s3:::bucket/*", "*", False),
        ("arn:aws:iam::*:role/admin", "arn:aws:iam::111122223333:role/admin", True),
        # a wildcard in one segment never reaches into the next one
        ("arn:aws:*:us-east-1:1:x", "arn:aws:s3:x:us-east-1:1:x", False),
        # a pattern with fewer than six segments lets its last one take the rest of the ARN
        ("arn:aws:iam::*", "arn:aws:iam::111122223333:role/admin", True),
        ("arn:aws:*:us-east-1:*:*", "arn:aws:kms:us-east-1:111122223333:key/1", True),
        ("arn:aws:*:us-east-1:*:*", "arn:aws:kms:eu-west-1:111122223333:key/1", False),
        ("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:eu-west-1:444455556666:key/1", False),
        ("arn:aws:logs:us-east-1:1:log-group:g:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", True),
        ("arn:aws:sqs:us-east-1:1:queue?", "arn:aws:sqs:us-east-1:1:queue1", True),
        ("arn:aws:sqs:us-east-1:1:queue?", "arn:aws:sqs:us-east-1:1:queue12", False),
    ],
)
def test_resource_matching_is_case_sensitive_and_segment_aware(
    pattern: str, resource: str, expected: bool
) -> None:
    assert ArnPattern(pattern, True).matches(resource, NO_CONTEXT) is expected


def test_variables_are_parsed_with_defaults_and_specials() -> None:
    parts = parse_template("a/${aws:username}/${aws:PrincipalTag/team, 'none'}/${*}${?}${$}", True)
    assert Var("aws:username") in parts
    assert Var("aws:principaltag/team", "none") in parts
    assert parts[-3:] == ("*", "?", "$")  # literal text, not wildcards


def test_variables_are_literal_text_without_variable_support() -> None:
    assert not any(isinstance(part, Var) for part in parse_template("${aws:username}", False))


@pytest.mark.parametrize("text", ["${", "${}", "${aws:username", "${a, b}", "${a, 'b'", "${, 'x'}"])
def test_malformed_variables_are_literal_text(text: str) -> None:
    assert not any(isinstance(part, Var) for part in parse_template(text, True))


def test_resolver_substitutes_and_fails_on_unresolved_variables() -> None:
    resolve = make_resolver({"aws:username": ("alice",), "aws:tagkeys": ("a", "b")}, True)
    assert resolve("home/${aws:username}/*") == "home/alice/*"
    assert resolve("${aws:userid}") is None
    assert resolve("${aws:userid, 'x'}") == "x"
    assert resolve("${aws:TagKeys}") is None  # multivalued keys cannot be variables
    assert resolve("plain") == "plain"
    assert resolve("${*}") == "*"


def test_resolver_for_2008_policies_leaves_text_alone() -> None:
    assert make_resolver({"aws:username": ("alice",)}, False)("${aws:username}") == "${aws:username}"


def test_variable_in_resource_segment_does_not_split_on_its_colon() -> None:
    pattern = ArnPattern("arn:aws:s3:::b/${aws:userid}/*", True)
    lookup = context_lookup({"aws:userid": ("AROAEXAMPLE:session",)})
    assert pattern.matches("arn:aws:s3:::b/AROAEXAMPLE:session/x", lookup)


def test_session_chain_includes_its_role_and_account() -> None:
    chain = principal_chain("arn:aws:sts::111122223333:assumed-role/app/s1", "111122223333")
    assert [identity.kind for identity in chain] == ["session", "role", "account"]
    assert chain[1].value == "arn:aws:iam::111122223333:role/app"


def test_session_chain_uses_the_role_arn_with_its_path_when_known() -> None:
    role = "arn:aws:iam::111122223333:role/team/app"
    chain = principal_chain("arn:aws:sts::111122223333:assumed-role/app/s1", "111122223333", role)
    assert chain[1] == Identity("role", role)


def test_service_and_anonymous_chains() -> None:
    assert principal_chain("lambda.amazonaws.com", "") == (Identity("other", "lambda.amazonaws.com"),)
    assert principal_chain("*", "") == (Identity("anonymous", "*"),)


def test_principal_account_forms_are_the_same_principal() -> None:
    user = principal_chain("arn:aws:iam::111122223333:user/alice", "111122223333")
    for value in ("111122223333", "arn:aws:iam::111122223333:root"):
        matched = PrincipalMatcher(value, False, [value], []).match(user)
        assert matched == Identity("account", "111122223333")


def test_principal_user_arn_names_only_that_user() -> None:
    matcher = PrincipalMatcher("", False, ["arn:aws:iam::111122223333:user/alice"], [])
    assert matcher.match(principal_chain("arn:aws:iam::111122223333:user/alice", "111122223333")) is not None
    assert matcher.match(principal_chain("arn:aws:iam::111122223333:user/Alice", "111122223333")) is None
    assert matcher.match(principal_chain("*", "")) is None


def test_not_principal_exempts_only_when_every_name_is_listed() -> None:
    chain = principal_chain("arn:aws:iam::111122223333:user/alice", "111122223333")
    assert not PrincipalMatcher("", False, ["arn:aws:iam::111122223333:user/alice"], []).excludes(chain)
    both = ["arn:aws:iam::111122223333:user/alice", "111122223333"]
    assert PrincipalMatcher("", False, both, []).excludes(chain)
