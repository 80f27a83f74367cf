"""ARN condition operators: segment by segment, wildcards within a segment, policy variables.

Grounded in the IAM User Guide, "IAM JSON policy elements: Condition operators" (Conditions_ARN)
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
"""

from __future__ import annotations

import pytest

from shieldwall.policy.conditions import ConditionResult, compile_condition

TOPIC = "arn:aws:sns:us-east-1:123456789012:my-topic"


def resolve(value: str) -> str | None:
    return {"${aws:username}": "alice", "${aws:userid}": "AIDA:x"}.get(value)


def evaluate(operator: str, values: object, arn: str) -> ConditionResult:
    condition = compile_condition(operator, "aws:SourceArn", values)  # type: ignore[arg-type]
    return condition.evaluate({"aws:sourcearn": (arn,)}, resolve)


@pytest.mark.parametrize("operator", ["ArnEquals", "ArnLike"])
@pytest.mark.parametrize(
    ("pattern", "matched"),
    [
        (TOPIC, True),
        ("arn:aws:sns:*:123456789012:my-topic", True),
        ("arn:aws:sns:us-east-?:123456789012:*", True),
        ("arn:aws:sns:us-east-1:123456789012:MY-TOPIC", False),
        ("arn:aws:sns:us-east-1:999999999999:my-topic", False),
        ("arn:aws:sqs:us-east-1:123456789012:my-topic", False),
        ("arn:aws:*:*:*:*", True),
    ],
)
def test_arn_equals_and_arn_like_behave_identically(operator: str, pattern: str, matched: bool) -> None:
    assert evaluate(operator, pattern, TOPIC).matched is matched


def test_arn_wildcard_does_not_cross_segments_where_string_like_would() -> None:
    """The guide's own example: StringLike matches, ArnLike does not."""
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert not evaluate("ArnLike", pattern, value).matched
    string_like = compile_condition("StringLike", "aws:SourceArn", pattern)
    assert string_like.evaluate({"aws:sourcearn": (value,)}, resolve).matched


def test_resource_segment_keeps_its_colons() -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:my-group:*"
    assert evaluate("ArnLike", "arn:aws:logs:us-east-1:123456789012:log-group:*", arn).matched
    assert evaluate("ArnEquals", arn, arn).matched


@pytest.mark.parametrize("operator", ["ArnNotEquals", "ArnNotLike"])
def test_negated_arn_operators_match_a_different_arn(operator: str) -> None:
    assert evaluate(operator, "arn:aws:sns:*:123456789012:other", TOPIC).matched
    assert not evaluate(operator, "arn:aws:sns:*:123456789012:*", TOPIC).matched


def test_request_value_that_is_not_an_arn_does_not_match() -> None:
    assert not evaluate("ArnLike", "arn:aws:sns:*:*:*", "my-topic").matched
    assert evaluate("ArnNotLike", "arn:aws:sns:*:*:*", "my-topic").matched


def test_pattern_without_six_parts_is_matched_against_the_whole_arn() -> None:
    assert evaluate("ArnLike", "*", TOPIC).matched
    assert evaluate("ArnLike", "arn:aws:sns:*", TOPIC).matched
    assert not evaluate("ArnLike", "arn:aws:sqs:*", TOPIC).matched


def test_policy_variable_in_resource_segment() -> None:
    pattern = "arn:aws:iam::123456789012:user/${aws:username}"
    assert evaluate("ArnEquals", pattern, "arn:aws:iam::123456789012:user/alice").matched
    assert not evaluate("ArnEquals", pattern, "arn:aws:iam::123456789012:user/bob").matched


def test_colon_inside_a_variable_value_stays_in_the_resource_segment() -> None:
    pattern = "arn:aws:sts::123456789012:assumed-role/${aws:userid}"
    assert evaluate("ArnLike", pattern, "arn:aws:sts::123456789012:assumed-role/AIDA:x").matched


def test_unresolvable_variable_in_arn_matches_nothing() -> None:
    pattern = "arn:aws:iam::123456789012:user/${aws:PrincipalTag/none}"
    assert not evaluate("ArnLike", pattern, "arn:aws:iam::123456789012:user/x").matched
    assert not evaluate("ArnNotLike", pattern, "arn:aws:iam::123456789012:user/x").matched
