"""String condition operators and policy variables in their values.

Grounded in the IAM User Guide, "IAM JSON policy elements: Condition operators" (String condition operators)
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
and "Policy variables" https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from shieldwall.policy.conditions import ConditionResult, compile_condition

VARIABLES = {
    "${aws:username}": "alice",
    "${*}": "*",
    "${?}": "?",
    "${$}": "$",
    "${aws:PrincipalTag/team}": "a*",
}


def resolve(value: str) -> str | None:
    return VARIABLES.get(value)


def evaluate(
    operator: str, key: str, values: object, context: Mapping[str, tuple[str, ...]]
) -> ConditionResult:
    return compile_condition(operator, key, values).evaluate(context, resolve)  # type: ignore[arg-type]


# --- String operators: exact, case-insensitive, wildcard (Conditions_String) ---


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "matched"),
    [
        ("StringEquals", "johndoe", "johndoe", True),
        ("StringEquals", "johndoe", "JohnDoe", False),
        ("StringNotEquals", "johndoe", "JohnDoe", True),
        ("StringNotEquals", "johndoe", "johndoe", False),
        ("StringEqualsIgnoreCase", "johndoe", "JohnDoe", True),
        ("StringEqualsIgnoreCase", "johndoe", "john", False),
        ("StringNotEqualsIgnoreCase", "johndoe", "JOHNDOE", False),
        ("StringNotEqualsIgnoreCase", "johndoe", "jane", True),
        ("StringLike", "home/*", "home/alice/file", True),
        ("StringLike", "home/*", "Home/alice", False),
        ("StringLike", "t?.micro", "t2.micro", True),
        ("StringLike", "t?.micro", "t22.micro", False),
        ("StringLike", "*", "", True),
        ("StringLike", "", "", True),
        ("StringNotLike", "key1*", "key2:audit", True),
        ("StringNotLike", "key1*", "key1:legal", False),
        ("StringEquals", "a*", "abc", False),
        ("StringEquals", "a*", "a*", True),
    ],
)
def test_string_operator_compares_as_documented(
    operator: str, policy: str, request_value: str, matched: bool
) -> None:
    assert evaluate(operator, "aws:username", policy, {"aws:username": (request_value,)}).matched is matched


def test_values_in_one_operator_are_ored() -> None:
    values = ["", "home/", "home/alice/"]
    assert evaluate("StringLike", "s3:prefix", values, {"s3:prefix": ("home/",)}).matched
    assert evaluate("StringLike", "s3:prefix", values, {"s3:prefix": ("",)}).matched
    assert not evaluate("StringLike", "s3:prefix", values, {"s3:prefix": ("other/",)}).matched


def test_negated_operator_matches_only_when_no_value_matches() -> None:
    assert evaluate("StringNotEquals", "aws:username", ["alice", "bob"], {"aws:username": ("carol",)}).matched
    assert not evaluate(
        "StringNotEquals", "aws:username", ["alice", "bob"], {"aws:username": ("bob",)}
    ).matched


def test_key_names_are_case_insensitive() -> None:
    condition = compile_condition("StringEquals", "AWS:UserName", "alice")
    assert condition.evaluate({"aws:username": ("alice",)}, resolve).matched
    assert condition.key == "AWS:UserName"


def test_reason_names_operator_key_and_values() -> None:
    result = evaluate("StringEquals", "aws:username", "alice", {"aws:username": ("bob",)})
    assert result == ConditionResult(False, "StringEquals aws:username: `bob` is not `alice`")


def test_numbers_and_booleans_in_policy_are_compared_as_their_text() -> None:
    assert evaluate("StringEquals", "s3:max-keys", 10, {"s3:max-keys": ("10",)}).matched
    assert evaluate("StringEquals", "aws:securetransport", True, {"aws:securetransport": ("true",)}).matched
    assert compile_condition("StringEquals", "k", [1, 2.5, False]).values == ("1", "2.5", "false")


# --- Policy variables in String values (reference_policies_variables.html#policy-vars-conditionelement) ---


def test_policy_variable_is_substituted_in_string_like() -> None:
    condition = ("StringLike", "s3:prefix", "home/${aws:username}/*")
    assert evaluate(*condition, {"s3:prefix": ("home/alice/photos",)}).matched
    assert not evaluate(*condition, {"s3:prefix": ("home/bob/photos",)}).matched


def test_policy_variable_is_substituted_in_string_equals_ignore_case() -> None:
    assert evaluate(
        "StringEqualsIgnoreCase", "s3:prefix", "${aws:username}", {"s3:prefix": ("ALICE",)}
    ).matched


def test_escaped_wildcards_are_literal_characters() -> None:
    condition = ("StringLike", "s3:prefix", "a${*}b${?}")
    assert evaluate(*condition, {"s3:prefix": ("a*b?",)}).matched
    assert not evaluate(*condition, {"s3:prefix": ("axxbz",)}).matched


def test_wildcard_inside_a_variable_value_is_literal() -> None:
    condition = ("StringLike", "aws:ResourceTag/team", "${aws:PrincipalTag/team}")
    assert evaluate(*condition, {"aws:resourcetag/team": ("a*",)}).matched
    assert not evaluate(*condition, {"aws:resourcetag/team": ("abc",)}).matched


def test_unresolvable_variable_matches_nothing() -> None:
    condition = ("StringEquals", "aws:username", ["${aws:TokenIssueTime}", "bob"])
    assert not evaluate(*condition, {"aws:username": ("${aws:TokenIssueTime}",)}).matched
    assert evaluate(*condition, {"aws:username": ("bob",)}).matched


def test_unresolvable_variable_does_not_make_a_negated_operator_match() -> None:
    result = evaluate("StringNotEquals", "aws:username", "${aws:TokenIssueTime}", {"aws:username": ("x",)})
    assert not result.matched
    assert "could not be resolved" in result.reason


def test_variables_are_resolved_per_request() -> None:
    condition = compile_condition("StringEquals", "s3:prefix", "${aws:username}")
    assert condition.evaluate({"s3:prefix": ("alice",)}, resolve).matched
    assert condition.evaluate({"s3:prefix": ("bob",)}, lambda value: "bob").matched
    assert not condition.evaluate({"s3:prefix": ("alice",)}, lambda value: "bob").matched


def test_resolve_returning_the_literal_keeps_variable_text_literal() -> None:
    """A 2008-10-17 policy: the caller's resolve hands back the text unchanged."""
    condition = compile_condition("StringLike", "s3:prefix", "${aws:username}*")
    assert condition.evaluate({"s3:prefix": ("${aws:username}/x",)}, lambda value: value).matched


def test_static_values_never_call_resolve() -> None:
    def refuse(value: str) -> str | None:
        raise AssertionError(value)

    assert compile_condition("StringLike", "k", "a*").evaluate({"k": ("ab",)}, refuse).matched
