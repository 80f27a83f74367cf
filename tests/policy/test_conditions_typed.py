"""Numeric, Date, Bool, BinaryEquals and IP address condition operators.

Grounded in the IAM User Guide, "IAM JSON policy elements: Condition operators"
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
(sections Conditions_Numeric, Conditions_Date, Conditions_Boolean, Conditions_BinaryEquals, Conditions_IPAddress).
"""

from __future__ import annotations

import base64

import pytest

from shieldwall.policy.conditions import ConditionError, ConditionResult, compile_condition


def no_variables(value: str) -> str | None:
    return None


def evaluate(operator: str, key: str, values: object, *request: str) -> ConditionResult:
    condition = compile_condition(operator, key, values)  # type: ignore[arg-type]
    return condition.evaluate({key.lower(): request}, no_variables)


# --- Numeric (Conditions_Numeric): integers and decimals; no policy variables ---


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "matched"),
    [
        ("NumericEquals", "10", "10", True),
        ("NumericEquals", "10", "10.0", True),
        ("NumericEquals", "1", "01", True),
        ("NumericEquals", "1e3", "1000", True),
        ("NumericEquals", "-5", "-5.00", True),
        ("NumericEquals", ".5", "0.5", True),
        ("NumericNotEquals", "10", "11", True),
        ("NumericNotEquals", "10", "10", False),
        ("NumericLessThan", "10", "9.99", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericLessThanEquals", "10", "11", False),
        ("NumericGreaterThan", "10", "10.5", True),
        ("NumericGreaterThan", "10", "2", False),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("NumericGreaterThanEquals", "10", "-10", False),
    ],
)
def test_numeric_operator_compares_numbers_not_text(
    operator: str, policy: str, request_value: str, matched: bool
) -> None:
    assert evaluate(operator, "s3:max-keys", policy, request_value).matched is matched


def test_numeric_policy_value_may_be_a_json_number() -> None:
    assert evaluate("NumericLessThanEquals", "s3:max-keys", 10, "7").matched
    assert evaluate("NumericEquals", "s3:max-keys", 2.5, "2.50").matched


@pytest.mark.parametrize("bad", ["ten", "", "1,000", "0x10", "NaN", "Infinity", "${aws:username}", "1 0"])
def test_numeric_policy_value_that_is_not_a_number_is_rejected_at_compile_time(bad: str) -> None:
    with pytest.raises(ConditionError, match="NumericEquals"):
        compile_condition("NumericEquals", "s3:max-keys", bad)


def test_numeric_request_value_that_is_not_a_number_is_an_evaluation_error() -> None:
    result = evaluate("NumericNotEquals", "s3:max-keys", "10", "ten")
    assert result.error and not result.matched
    assert "NumericNotEquals s3:max-keys" in result.reason


# --- Date (Conditions_Date): W3C ISO 8601 forms and epoch seconds ---


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "matched"),
    [
        ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-01-01T00:00:02Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-01-01T00:00:01Z", False),
        ("DateGreaterThanEquals", "2020-01-01T00:00:01Z", "2020-01-01T00:00:01Z", True),
        ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
        ("DateLessThanEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
        ("DateLessThanEquals", "2020-01-01", "2020-01-01T00:00:01Z", False),
        ("DateEquals", "2020-01-01T02:00:00+02:00", "2020-01-01T00:00:00Z", True),
        ("DateEquals", "2020-01-01T00:00:00-05:00", "2020-01-01T05:00:00Z", True),
        ("DateEquals", "2020-01-01T00:00:00", "2020-01-01T00:00:00Z", True),
        ("DateEquals", "2020-01-01T00:00Z", "2020-01-01T00:00:00.000Z", True),
        ("DateEquals", "2020-01", "2020-01-01T00:00:00Z", True),
        ("DateEquals", "2020-01-01T00:00:00.5Z", "2020-01-01T00:00:00.500Z", True),
        ("DateEquals", "1577836800", "2020-01-01T00:00:00Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "1577836801", True),
        ("DateLessThan", "1577836800", "1577836799", True),
        ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", True),
        ("DateNotEquals", "2020-01-01T00:00:00Z", "1577836800", False),
    ],
)
def test_date_operator_compares_instants(
    operator: str, policy: str, request_value: str, matched: bool
) -> None:
    assert evaluate(operator, "aws:CurrentTime", policy, request_value).matched is matched


def test_epoch_policy_value_may_be_a_json_number() -> None:
    assert evaluate("DateLessThan", "aws:EpochTime", 1577836800, "1577836799").matched


@pytest.mark.parametrize(
    "bad", ["yesterday", "2020-13-01T00:00:00Z", "2020-02-30", "2020-01-01T25:00:00Z", "*"]
)
def test_date_policy_value_that_is_not_a_date_is_rejected_at_compile_time(bad: str) -> None:
    with pytest.raises(ConditionError, match="DateEquals"):
        compile_condition("DateEquals", "aws:CurrentTime", bad)


def test_date_request_value_that_is_not_a_date_is_an_evaluation_error() -> None:
    result = evaluate("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "soon")
    assert result.error and not result.matched


# --- Bool (Conditions_Boolean) ---


def test_bool_matches_true_and_false_in_any_case() -> None:
    assert evaluate("Bool", "aws:SecureTransport", "false", "false").matched
    assert evaluate("Bool", "aws:SecureTransport", False, "FALSE").matched
    assert evaluate("Bool", "aws:SecureTransport", "True", "true").matched
    assert not evaluate("Bool", "aws:SecureTransport", "false", "true").matched


def test_bool_value_that_is_not_a_boolean_never_matches() -> None:
    assert not evaluate("Bool", "aws:SecureTransport", "yes", "yes").matched


def test_bool_value_may_hold_a_policy_variable() -> None:
    condition = compile_condition("Bool", "aws:MultiFactorAuthPresent", "${aws:SecureTransport}")
    context = {"aws:multifactorauthpresent": ("true",)}
    assert condition.evaluate(context, lambda value: "true").matched
    assert not condition.evaluate(context, lambda value: "false").matched


# --- BinaryEquals (Conditions_BinaryEquals): base64 compared byte for byte ---


def test_binary_equals_compares_decoded_bytes() -> None:
    encoded = base64.b64encode(b"BinaryValueInBase64").decode()
    assert evaluate("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", encoded).matched
    assert not evaluate("BinaryEquals", "key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "b3RoZXI=").matched


def test_binary_policy_value_that_is_not_base64_is_rejected() -> None:
    with pytest.raises(ConditionError, match="base64"):
        compile_condition("BinaryEquals", "key", "not base64!")


def test_binary_not_equals_is_not_an_operator() -> None:
    with pytest.raises(ConditionError, match="unknown condition operator"):
        compile_condition("BinaryNotEquals", "key", "QQ==")


# --- IpAddress / NotIpAddress (Conditions_IPAddress): IPv4 and IPv6 CIDR, bare address = single host ---


@pytest.mark.parametrize(
    ("policy", "address", "matched"),
    [
        ("203.0.113.0/24", "203.0.113.7", True),
        ("203.0.113.0/24", "203.0.114.7", False),
        ("203.0.113.7", "203.0.113.7", True),
        ("203.0.113.7", "203.0.113.8", False),
        ("203.0.113.9/24", "203.0.113.200", True),
        ("0.0.0.0/0", "198.51.100.1", True),
        ("0.0.0.0/0", "2001:db8::1", False),
        ("2001:DB8:1234:5678::/64", "2001:db8:1234:5678:abcd::1", True),
        ("2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
        ("::/0", "::1", True),
        ("2001:db8::1/128", "2001:0db8:0000:0000:0000:0000:0000:0001", True),
        ("2001:db8::1/128", "2001:db8::2", False),
        ("2001:db8::1", "2001:db8::1", True),
    ],
)
def test_ip_address_tests_membership_of_the_block(policy: str, address: str, matched: bool) -> None:
    assert evaluate("IpAddress", "aws:SourceIp", policy, address).matched is matched
    assert evaluate("NotIpAddress", "aws:SourceIp", policy, address).matched is not matched


def test_ip_address_mixes_ipv4_and_ipv6_blocks() -> None:
    blocks = ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]
    assert evaluate("IpAddress", "aws:SourceIp", blocks, "2001:db8:1234:5678::9").matched
    assert evaluate("IpAddress", "aws:SourceIp", blocks, "203.0.113.1").matched
    assert not evaluate("IpAddress", "aws:SourceIp", blocks, "10.0.0.1").matched


@pytest.mark.parametrize(
    "bad", ["203.0.113.0/33", "300.1.1.1", "localhost", "2001:db8::/129", "${aws:SourceIp}"]
)
def test_ip_policy_value_that_is_not_an_address_is_rejected_at_compile_time(bad: str) -> None:
    with pytest.raises(ConditionError, match="IpAddress"):
        compile_condition("IpAddress", "aws:SourceIp", bad)


def test_ip_request_value_that_is_not_an_address_is_an_evaluation_error() -> None:
    result = evaluate("NotIpAddress", "aws:SourceIp", "203.0.113.0/24", "not-an-ip")
    assert result.error and not result.matched
