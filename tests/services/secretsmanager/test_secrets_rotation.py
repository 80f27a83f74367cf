"""Rotation configuration (stored and validated; no rotation function runs) and random passwords."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from secrets_helpers import error_of

from shieldwall.services.secretsmanager import schedule

LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def test_rotating_immediately_answers_that_the_function_cannot_be_invoked(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    assert error_of(
        sm.rotate_secret, SecretId="s", RotationLambdaARN=LAMBDA, RotationRules={"AutomaticallyAfterDays": 30}
    ) == (
        "AccessDeniedException",
        400,
        "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants "
        "access to the principal secretsmanager.amazonaws.com.",
    )
    assert "RotationEnabled" not in sm.describe_secret(SecretId="s")


def test_a_rotation_configuration_is_stored_without_rotating(sm: Any) -> None:
    created = sm.create_secret(Name="s", SecretString="v")
    before = datetime.now(UTC)
    sm.rotate_secret(
        SecretId="s",
        RotationLambdaARN=LAMBDA,
        RotationRules={"AutomaticallyAfterDays": 7},
        RotateImmediately=False,
    )

    described = sm.describe_secret(SecretId="s")
    assert described["RotationEnabled"] is True
    assert described["RotationLambdaARN"] == LAMBDA
    assert described["RotationRules"] == {"AutomaticallyAfterDays": 7}
    midnight = datetime(before.year, before.month, before.day, tzinfo=UTC)
    assert described["NextRotationDate"] == midnight + timedelta(days=7)
    assert "LastRotatedDate" not in described
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}


def test_schedule_expressions_set_the_next_rotation_date(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    sm.rotate_secret(
        SecretId="s",
        RotationLambdaARN=LAMBDA,
        RotateImmediately=False,
        RotationRules={"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"},
    )
    described = sm.describe_secret(SecretId="s")
    assert described["RotationRules"] == {"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"}
    following = described["NextRotationDate"].astimezone(UTC)
    assert (following.day in (1, 15), following.hour, following.minute) == (True, 16, 0)


@pytest.mark.parametrize(
    "rules",
    [
        {"AutomaticallyAfterDays": 3, "ScheduleExpression": "rate(3 days)"},
        {"ScheduleExpression": "rate(2 hours)"},
        {"ScheduleExpression": "every tuesday"},
        {"ScheduleExpression": "cron(0 16 1 * MON *)"},
        {"ScheduleExpression": "rate(4 hours)", "Duration": "5h"},
    ],
)
def test_invalid_rotation_rules_are_refused(sm: Any, rules: dict[str, Any]) -> None:
    sm.create_secret(Name="s", SecretString="v")
    code, status, _ = error_of(
        sm.rotate_secret, SecretId="s", RotationLambdaARN=LAMBDA, RotationRules=rules, RotateImmediately=False
    )
    assert (code, status) == ("InvalidParameterException", 400)


def test_rotation_needs_a_function(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    assert error_of(sm.rotate_secret, SecretId="s", RotationRules={"AutomaticallyAfterDays": 1}) == (
        "InvalidRequestException",
        400,
        "No Lambda rotation function ARN is associated with this secret.",
    )


def test_cancelling_rotation_turns_it_off(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    assert error_of(sm.cancel_rotate_secret, SecretId="s")[0] == "InvalidRequestException"
    sm.rotate_secret(
        SecretId="s",
        RotationLambdaARN=LAMBDA,
        RotationRules={"ScheduleExpression": "rate(10 days)"},
        RotateImmediately=False,
    )
    sm.cancel_rotate_secret(SecretId="s")
    described = sm.describe_secret(SecretId="s")
    assert described["RotationEnabled"] is False
    assert "NextRotationDate" not in described


def test_cron_expressions_find_their_next_time() -> None:
    after = datetime(2024, 1, 31, 17, 0, tzinfo=UTC)
    every_second_monday = schedule.parse(None, "cron(0 8 ? * MON#2 *)", None)
    assert every_second_monday is not None
    assert schedule.next_date(every_second_monday, after) == datetime(2024, 2, 12, 8, 0, tzinfo=UTC)
    last_day = schedule.parse(None, "cron(30 23 L * ? *)", None)
    assert last_day is not None
    assert schedule.next_date(last_day, after) == datetime(2024, 1, 31, 23, 30, tzinfo=UTC)
    hourly = schedule.parse(None, "rate(6 hours)", "1h")
    assert hourly is not None
    assert schedule.next_date(hourly, after) == datetime(2024, 1, 31, 23, 0, tzinfo=UTC)


def test_a_random_password_by_default_has_32_characters_of_every_type(sm: Any) -> None:
    password = sm.get_random_password()["RandomPassword"]
    assert len(password) == 32
    for characters in (string.ascii_uppercase, string.ascii_lowercase, string.digits, PUNCTUATION):
        assert any(c in characters for c in password)
    assert " " not in password


def test_random_password_options_are_honoured(sm: Any) -> None:
    password = sm.get_random_password(
        PasswordLength=200,
        ExcludePunctuation=True,
        ExcludeUppercase=True,
        ExcludeCharacters="abc0",
        IncludeSpace=True,
    )["RandomPassword"]
    assert len(password) == 200
    assert set(password) <= set(string.ascii_lowercase + string.digits + " ") - set("abc0")
    assert " " in password
    digits_only = sm.get_random_password(
        PasswordLength=12, ExcludeLowercase=True, ExcludeUppercase=True, ExcludePunctuation=True
    )["RandomPassword"]
    assert digits_only.isdigit() and len(digits_only) == 12


def test_impossible_passwords_are_refused(sm: Any) -> None:
    assert error_of(sm.get_random_password, PasswordLength=3) == (
        "InvalidParameterException",
        400,
        "Password length is too short based on the required types.",
    )
    sm.get_random_password(PasswordLength=3, RequireEachIncludedType=False)
    code, _, _ = error_of(
        sm.get_random_password,
        ExcludeNumbers=True,
        ExcludeLowercase=True,
        ExcludeUppercase=True,
        ExcludePunctuation=True,
    )
    assert code == "InvalidParameterException"
    assert error_of(sm.get_random_password, PasswordLength=5000)[0] == "ValidationException"
