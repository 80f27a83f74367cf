"""Operator names and value shapes accepted at compile time, and hostile input evaluated in bounded time.

Operator grammar from the IAM User Guide, "IAM JSON policy elements: Condition operators" (IfExists on every
operator but Null) and "Single-valued vs. multivalued context keys" (the ForAnyValue/ForAllValues qualifiers):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import time

import pytest

from shieldwall.policy.conditions import CompiledCondition, ConditionError, compile_condition


def no_variables(value: str) -> str | None:
    return None


@pytest.mark.parametrize(
    "operator",
    [
        "StringEquals",
        "ForAnyValue:StringLike",
        "ForAllValues:ArnNotLike",
        "NumericGreaterThanEqualsIfExists",
        "ForAllValues:StringNotEqualsIgnoreCaseIfExists",
        "BoolIfExists",
        "BinaryEqualsIfExists",
        "NotIpAddressIfExists",
        "Null",
    ],
)
def test_documented_operators_compile(operator: str) -> None:
    value = {"Bool": "true", "Bina": "QQ==", "NotI": "10.0.0.0/8", "Null": "true", "Nume": "1"}.get(
        operator[:4], "x"
    )
    condition = compile_condition(operator, "aws:SomeKey", value)
    assert isinstance(condition, CompiledCondition)
    assert (condition.operator, condition.key, condition.values) == (operator, "aws:SomeKey", (value,))


@pytest.mark.parametrize(
    ("operator", "message"),
    [
        ("StringEqual", "unknown condition operator `StringEqual`"),
        ("stringequals", "unknown condition operator"),
        ("StringLikeIgnoreCase", "unknown condition operator"),
        ("IfExists", "unknown condition operator"),
        ("NullIfExists", "Null takes no IfExists"),
        ("ForAllValues:Null", "Null takes no IfExists or set operator"),
        ("ForEveryValue:StringEquals", "unknown set operator `ForEveryValue`"),
        ("ForAnyValue:ForAllValues:StringEquals", "unknown set operator"),
        (":StringEquals", "unknown set operator ``"),
        ("", "unknown condition operator"),
    ],
)
def test_unknown_operator_is_rejected_with_a_useful_message(operator: str, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        compile_condition(operator, "aws:username", "x")


@pytest.mark.parametrize("values", [[], None, {"a": 1}, [["nested"]], [None], float("nan"), float("inf")])
def test_value_that_is_not_a_scalar_or_a_list_of_scalars_is_rejected(values: object) -> None:
    with pytest.raises(ConditionError, match="StringEquals"):
        compile_condition("StringEquals", "aws:username", values)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["maybe", "1", "${aws:x}"])
def test_null_takes_only_true_or_false(value: str) -> None:
    with pytest.raises(ConditionError, match="Null"):
        compile_condition("Null", "aws:username", value)


def test_empty_key_is_rejected() -> None:
    with pytest.raises(ConditionError):
        compile_condition("StringEquals", "", "x")


def test_condition_error_is_a_value_error() -> None:
    assert issubclass(ConditionError, ValueError)


# --- Hostile input: long values, long lists, wildcard patterns that backtrack in naive matchers ---


def assert_fast(started: float, limit: float = 1.0) -> None:
    assert time.perf_counter() - started < limit


def test_star_heavy_pattern_against_a_long_string_is_fast() -> None:
    condition = compile_condition("StringLike", "k", "*a" * 2000 + "*b")
    started = time.perf_counter()
    assert not condition.evaluate({"k": ("a" * 100_000,)}, no_variables).matched
    assert condition.evaluate({"k": ("a" * 100_000 + "b",)}, no_variables).matched
    assert_fast(started)


def test_question_mark_pattern_against_a_long_string_is_fast() -> None:
    condition = compile_condition("StringLike", "k", "*a?" * 500 + "*b")
    started = time.perf_counter()
    assert not condition.evaluate({"k": ("a" * 50_000,)}, no_variables).matched
    assert condition.evaluate({"k": ("a" * 50_000 + "b",)}, no_variables).matched
    assert_fast(started)


def test_regex_metacharacters_are_literal() -> None:
    condition = compile_condition("StringLike", "k", "(a+)+$.[x]*")
    assert condition.evaluate({"k": ("(a+)+$.[x]anything",)}, no_variables).matched
    assert not condition.evaluate({"k": ("aaaa",)}, no_variables).matched


def test_hundred_thousand_character_values_are_handled() -> None:
    long_value = "x" * 100_000
    started = time.perf_counter()
    assert (
        compile_condition("StringEquals", "k", long_value)
        .evaluate({"k": (long_value,)}, no_variables)
        .matched
    )
    result = compile_condition("StringEquals", "k", long_value).evaluate({"k": ("y",)}, no_variables)
    assert len(result.reason) < 500
    with pytest.raises(ConditionError):
        compile_condition("NumericEquals", "k", "9" * 100_000)
    with pytest.raises(ConditionError):
        compile_condition("DateEquals", "k", "1" * 100_000)
    numeric = compile_condition("NumericEquals", "k", "1").evaluate({"k": ("1" * 100_000,)}, no_variables)
    assert numeric.error and not numeric.matched
    ip = compile_condition("IpAddress", "k", "10.0.0.0/8").evaluate({"k": ("1" * 100_000,)}, no_variables)
    assert ip.error
    assert_fast(started)


def test_huge_value_lists_are_evaluated_quickly() -> None:
    values = [f"user-{index}" for index in range(100_000)]
    started = time.perf_counter()
    condition = compile_condition("StringEquals", "aws:username", values)
    assert condition.evaluate({"aws:username": ("user-99999",)}, no_variables).matched
    result = condition.evaluate({"aws:username": ("nobody",)}, no_variables)
    assert not result.matched and "(and 99995 more)" in result.reason
    like = compile_condition("StringLike", "aws:username", [value + "*" for value in values[:20_000]])
    assert not like.evaluate({"aws:username": ("nobody",)}, no_variables).matched
    assert_fast(started, 2.0)


def test_huge_request_value_set_is_evaluated_quickly() -> None:
    context = {"aws:tagkeys": tuple(f"tag-{index}" for index in range(100_000))}
    started = time.perf_counter()
    assert (
        compile_condition("ForAllValues:StringLike", "aws:TagKeys", "tag-*")
        .evaluate(context, no_variables)
        .matched
    )
    assert (
        not compile_condition("ForAnyValue:StringEquals", "aws:TagKeys", "x")
        .evaluate(context, no_variables)
        .matched
    )
    assert_fast(started)


def test_evaluation_of_a_simple_condition_is_cheap() -> None:
    condition = compile_condition("StringEquals", "aws:username", ["alice", "bob"])
    context = {"aws:username": ("bob",)}
    started = time.perf_counter()
    for _ in range(10_000):
        condition.evaluate(context, no_variables)
    assert_fast(started, 0.5)
