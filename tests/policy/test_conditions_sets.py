"""Missing keys, ...IfExists, Null, and the ForAnyValue/ForAllValues set operators.

Grounded in the IAM User Guide:
- "IAM JSON policy elements: Condition operators" (the Important note on missing keys, Conditions_IfExists,
  Conditions_Null) https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- "Single-valued vs. multivalued context keys" and "Multivalued context key examples"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from shieldwall.policy.conditions import ConditionResult, compile_condition


def no_variables(value: str) -> str | None:
    return None


def evaluate(
    operator: str, key: str, values: object, context: Mapping[str, tuple[str, ...]]
) -> ConditionResult:
    return compile_condition(operator, key, values).evaluate(context, no_variables)  # type: ignore[arg-type]


# --- Missing keys: non-negated operators do not match, negated ones do (the Important note) ---

POSITIVE = [
    ("StringEquals", "x"),
    ("StringEqualsIgnoreCase", "x"),
    ("StringLike", "*"),
    ("NumericEquals", "1"),
    ("NumericLessThan", "1"),
    ("DateEquals", "2020-01-01"),
    ("DateGreaterThan", "2020-01-01"),
    ("Bool", "true"),
    ("BinaryEquals", "QQ=="),
    ("IpAddress", "0.0.0.0/0"),
    ("ArnEquals", "arn:aws:s3:::b"),
    ("ArnLike", "*"),
]
NEGATED = [
    ("StringNotEquals", "x"),
    ("StringNotEqualsIgnoreCase", "x"),
    ("StringNotLike", "*"),
    ("NumericNotEquals", "1"),
    ("DateNotEquals", "2020-01-01"),
    ("NotIpAddress", "0.0.0.0/0"),
    ("ArnNotEquals", "arn:aws:s3:::b"),
    ("ArnNotLike", "*"),
]


@pytest.mark.parametrize(("operator", "value"), POSITIVE)
def test_missing_key_does_not_match_a_non_negated_operator(operator: str, value: str) -> None:
    result = evaluate(operator, "aws:Missing", value, {})
    assert not result.matched and not result.error
    assert result.reason == f"{operator} aws:Missing: key is absent from the request context"


@pytest.mark.parametrize(("operator", "value"), NEGATED)
def test_missing_key_matches_a_negated_operator(operator: str, value: str) -> None:
    assert evaluate(operator, "aws:Missing", value, {}).matched


@pytest.mark.parametrize(("operator", "value"), POSITIVE + NEGATED)
def test_if_exists_matches_when_the_key_is_missing(operator: str, value: str) -> None:
    assert evaluate(operator + "IfExists", "aws:Missing", value, {}).matched


def test_if_exists_still_tests_a_present_key() -> None:
    types = ["t1.*", "t2.*", "m3.*"]
    assert evaluate(
        "StringLikeIfExists", "ec2:InstanceType", types, {"ec2:instancetype": ("t2.micro",)}
    ).matched
    assert not evaluate(
        "StringLikeIfExists", "ec2:InstanceType", types, {"ec2:instancetype": ("c5.large",)}
    ).matched


def test_negated_if_exists_on_a_present_key_is_a_plain_negation() -> None:
    context = {"aws:principaltag/team": ("red",)}
    assert not evaluate("StringNotEqualsIfExists", "aws:PrincipalTag/team", "red", context).matched
    assert evaluate("StringNotEqualsIfExists", "aws:PrincipalTag/team", "blue", context).matched


# --- Null (Conditions_Null) ---


def test_null_true_matches_only_an_absent_key() -> None:
    assert evaluate("Null", "aws:TokenIssueTime", "true", {}).matched
    assert not evaluate("Null", "aws:TokenIssueTime", "true", {"aws:tokenissuetime": ("2020-01-01",)}).matched


def test_null_false_matches_only_a_present_key() -> None:
    assert evaluate("Null", "aws:TokenIssueTime", False, {"aws:tokenissuetime": ("2020-01-01",)}).matched
    assert not evaluate("Null", "aws:TokenIssueTime", "false", {}).matched


def test_null_treats_an_empty_value_set_as_absent() -> None:
    assert evaluate("Null", "aws:TagKeys", "true", {"aws:tagkeys": ()}).matched
    assert not evaluate("Null", "aws:TagKeys", "false", {"aws:tagkeys": ("",)}).matched


# --- Set operators (single-vs-multi-valued context keys) ---


def test_for_all_values_requires_every_request_value_to_match_some_policy_value() -> None:
    allowed = ["PostDateTime", "Message", "Tags"]
    key = "dynamodb:Attributes"
    assert evaluate(
        "ForAllValues:StringLike", key, allowed, {key.lower(): ("PostDateTime", "Message")}
    ).matched
    result = evaluate("ForAllValues:StringLike", key, allowed, {key.lower(): ("PostDateTime", "UserName")})
    assert not result.matched
    assert "`UserName` does not match any of" in result.reason


def test_for_any_value_requires_one_request_value_to_match() -> None:
    denied = ["ID", "PostDateTime"]
    key = "dynamodb:Attributes"
    assert evaluate(
        "ForAnyValue:StringLike", key, denied, {key.lower(): ("UserName", "PostDateTime")}
    ).matched
    assert not evaluate("ForAnyValue:StringLike", key, denied, {key.lower(): ("UserName", "Message")}).matched


@pytest.mark.parametrize("context", [{}, {"aws:tagkeys": ()}, {"aws:tagkeys": ("",)}])
def test_for_all_values_is_true_for_a_missing_or_empty_set(context: Mapping[str, tuple[str, ...]]) -> None:
    assert evaluate("ForAllValues:StringEquals", "aws:TagKeys", "a", context).matched


@pytest.mark.parametrize("context", [{}, {"aws:tagkeys": ()}, {"aws:tagkeys": ("",)}])
def test_for_any_value_is_false_for_a_missing_or_empty_set(context: Mapping[str, tuple[str, ...]]) -> None:
    assert not evaluate("ForAnyValue:StringEquals", "aws:TagKeys", "a", context).matched
    assert not evaluate("ForAnyValue:StringNotEquals", "aws:TagKeys", "a", context).matched


def test_for_any_value_if_exists_matches_a_missing_key() -> None:
    assert evaluate("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "a", {}).matched


@pytest.mark.parametrize(
    ("tag_keys", "matched"),
    [(("key1:legal",), False), (("key1:hr", "key1:personnel"), False), (("key2:audit",), True), ((), True)],
)
def test_for_all_values_string_not_like_as_in_the_guide(tag_keys: tuple[str, ...], matched: bool) -> None:
    """ "Deny a single policy condition value for a multivalued context key"."""
    context = {"aws:tagkeys": tag_keys} if tag_keys else {}
    assert evaluate("ForAllValues:StringNotLike", "aws:TagKeys", "key1*", context).matched is matched


def test_for_all_values_with_a_negated_operator_needs_every_value_outside_the_list() -> None:
    values = ["a", "b"]
    assert evaluate(
        "ForAllValues:StringNotEquals", "aws:TagKeys", values, {"aws:tagkeys": ("c", "d")}
    ).matched
    assert not evaluate(
        "ForAllValues:StringNotEquals", "aws:TagKeys", values, {"aws:tagkeys": ("c", "a")}
    ).matched


def test_for_any_value_with_a_negated_operator_needs_one_value_outside_the_list() -> None:
    values = ["a", "b"]
    assert evaluate("ForAnyValue:StringNotEquals", "aws:TagKeys", values, {"aws:tagkeys": ("a", "c")}).matched
    assert not evaluate(
        "ForAnyValue:StringNotEquals", "aws:TagKeys", values, {"aws:tagkeys": ("a", "b")}
    ).matched


def test_set_operators_work_with_typed_families() -> None:
    context = {"aws:sourceip": ("10.0.0.1", "10.0.0.2")}
    assert evaluate("ForAllValues:IpAddress", "aws:SourceIp", "10.0.0.0/8", context).matched
    assert evaluate("ForAnyValue:NumericGreaterThan", "k", 5, {"k": ("1", "9")}).matched
    assert not evaluate("ForAllValues:NumericGreaterThan", "k", 5, {"k": ("1", "9")}).matched


def test_plain_operator_on_a_multivalued_key_tests_the_values_as_a_whole() -> None:
    context = {"aws:tagkeys": ("a", "c")}
    assert evaluate("StringEquals", "aws:TagKeys", "a", context).matched
    assert not evaluate("StringNotEquals", "aws:TagKeys", "a", context).matched
    assert evaluate("StringNotEquals", "aws:TagKeys", "z", context).matched


def test_empty_string_is_a_value_for_plain_operators() -> None:
    assert evaluate("StringEquals", "s3:prefix", "", {"s3:prefix": ("",)}).matched
    assert not evaluate("StringNotEquals", "s3:prefix", "", {"s3:prefix": ("",)}).matched
