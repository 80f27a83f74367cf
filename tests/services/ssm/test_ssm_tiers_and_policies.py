"""Tiers (sizes, Intelligent-Tiering, no downgrade) and parameter policies run by the server's clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ssm_helpers import DAY, arn_of, events_named

from shieldwall.testing import ServerInfo, aws_error

TIERS_DOC = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
)


def expiration(days: float) -> dict[str, Any]:
    when = datetime.now(UTC) + timedelta(days=days)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": stamp}}


def notification(kind: str, member: str, amount: str, unit: str = "Days") -> dict[str, Any]:
    return {"Type": kind, "Version": "1.0", "Attributes": {member: amount, "Unit": unit}}


def test_standard_value_holds_four_kilobytes(ssm: Any) -> None:
    ssm.put_parameter(Name="/p", Value="x" * 4096, Type="String")
    assert aws_error(ssm.put_parameter, Name="/q", Value="x" * 4097, Type="String") == (
        "ValidationException",
        400,
        "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger "
        "parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see "
        f"{TIERS_DOC}",
    )


def test_advanced_value_holds_eight_kilobytes(ssm: Any) -> None:
    assert (
        ssm.put_parameter(Name="/p", Value="x" * 8192, Type="String", Tier="Advanced")["Tier"] == "Advanced"
    )
    assert aws_error(ssm.put_parameter, Name="/q", Value="x" * 8193, Type="String", Tier="Advanced") == (
        "ValidationException",
        400,
        "1 validation error detected: Value at 'value' failed to satisfy constraint: "
        "Member must have length less than or equal to 8192",
    )


def test_intelligent_tiering_chooses_advanced_only_when_needed(ssm: Any) -> None:
    small = ssm.put_parameter(Name="/small", Value="x", Type="String", Tier="Intelligent-Tiering")
    big = ssm.put_parameter(Name="/big", Value="x" * 5000, Type="String", Tier="Intelligent-Tiering")
    assert (small["Tier"], big["Tier"]) == ("Standard", "Advanced")
    tiers = {entry["Name"]: entry["Tier"] for entry in ssm.describe_parameters()["Parameters"]}
    assert tiers == {"/small": "Standard", "/big": "Advanced"}


def test_upgrade_is_allowed_and_downgrade_refused(ssm: Any) -> None:
    ssm.put_parameter(Name="/p", Value="x", Type="String")
    assert ssm.put_parameter(Name="/p", Value="y", Overwrite=True, Tier="Advanced")["Tier"] == "Advanced"
    assert ssm.put_parameter(Name="/p", Value="z", Overwrite=True)["Tier"] == "Advanced"
    assert aws_error(ssm.put_parameter, Name="/p", Value="w", Overwrite=True, Tier="Standard") == (
        "ValidationException",
        400,
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "
        "advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced "
        "parameter and recreate it as a standard parameter.",
    )
    history = ssm.get_parameter_history(Name="/p")["Parameters"]
    assert [entry["Tier"] for entry in history] == ["Standard", "Advanced", "Advanced"]


def test_policies_need_the_advanced_tier(ssm: Any) -> None:
    policies = json.dumps([expiration(1)])
    code, _, message = aws_error(ssm.put_parameter, Name="/p", Value="x", Type="String", Policies=policies)
    assert code == "ValidationException" and "advanced-parameter tier" in message
    chosen = ssm.put_parameter(
        Name="/p", Value="x", Type="String", Policies=policies, Tier="Intelligent-Tiering"
    )
    assert chosen["Tier"] == "Advanced"


@pytest.mark.parametrize(
    ("policies", "code"),
    [
        ([{"Type": "Vanish", "Version": "1.0", "Attributes": {}}], "InvalidPolicyTypeException"),
        (
            [{"Type": "Expiration", "Version": "2.0", "Attributes": {"Timestamp": "2099-01-01T00:00:00Z"}}],
            "InvalidPolicyAttributeException",
        ),
        (
            [{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": "2001-01-01T00:00:00Z"}}],
            "InvalidPolicyAttributeException",
        ),
        ([notification("NoChangeNotification", "After", "ten")], "InvalidPolicyAttributeException"),
        ([notification("NoChangeNotification", "After", "1", "Weeks")], "InvalidPolicyAttributeException"),
        ([expiration(5), expiration(6)], "IncompatiblePolicyException"),
        ([notification("ExpirationNotification", "Before", "1")], "IncompatiblePolicyException"),
        (
            [notification("NoChangeNotification", "After", str(n)) for n in range(1, 12)],
            "PoliciesLimitExceededException",
        ),
    ],
)
def test_invalid_policies_are_refused(ssm: Any, policies: list[dict[str, Any]], code: str) -> None:
    found = aws_error(
        ssm.put_parameter, Name="/p", Value="x", Type="String", Tier="Advanced", Policies=json.dumps(policies)
    )
    assert (found[0], found[1]) == (code, 400)
    assert aws_error(ssm.get_parameter, Name="/p")[0] == "ParameterNotFound"


def test_expiration_deletes_the_parameter_when_the_clock_passes(shieldwall: ServerInfo, ssm: Any) -> None:
    policies = [expiration(2), notification("ExpirationNotification", "Before", "1")]
    ssm.put_parameter(
        Name="/temp", Value="x", Type="SecureString", Tier="Advanced", Policies=json.dumps(policies)
    )
    shown = ssm.describe_parameters()["Parameters"][0]["Policies"]
    assert [(entry["PolicyType"], entry["PolicyStatus"]) for entry in shown] == [
        ("Expiration", "Pending"),
        ("ExpirationNotification", "Pending"),
    ]
    assert json.loads(shown[0]["PolicyText"]) == policies[0]

    shieldwall.advance_clock(1.5 * DAY)
    shown = ssm.describe_parameters()["Parameters"][0]["Policies"]
    assert shown[1]["PolicyStatus"] == "Finished"
    cloudtrail = shieldwall.client("cloudtrail")
    notice = events_named(cloudtrail, "Parameter Store Policy Action")[0]["serviceEventDetails"]
    assert notice["detail"]["policy-type"] == "ExpirationNotification"
    assert notice["detail"]["parameter-name"] == "/temp"
    assert notice["resources"] == [arn_of("/temp")]

    shieldwall.advance_clock(1 * DAY)
    assert aws_error(ssm.get_parameter, Name="/temp") == ("ParameterNotFound", 400, "")
    assert ssm.describe_parameters()["Parameters"] == []
    kinds = [
        event["serviceEventDetails"]["detail"]["policy-type"]
        for event in events_named(cloudtrail, "Parameter Store Policy Action")
    ]
    assert kinds == ["Expiration", "ExpirationNotification"]


def test_expired_parameter_can_be_created_again(shieldwall: ServerInfo, ssm: Any) -> None:
    ssm.put_parameter(
        Name="/temp", Value="x", Type="String", Tier="Advanced", Policies=json.dumps([expiration(1)])
    )
    shieldwall.advance_clock(2 * DAY)
    assert ssm.put_parameter(Name="/temp", Value="y", Type="String")["Version"] == 1


def test_no_change_notification_fires_once_per_version(shieldwall: ServerInfo, ssm: Any) -> None:
    policies = json.dumps([notification("NoChangeNotification", "After", "2")])
    ssm.put_parameter(Name="/stale", Value="x", Type="String", Tier="Advanced", Policies=policies)
    shieldwall.advance_clock(3 * DAY)
    ssm.get_parameter(Name="/stale")
    ssm.get_parameter(Name="/stale")
    cloudtrail = shieldwall.client("cloudtrail")
    assert len(events_named(cloudtrail, "Parameter Store Policy Action")) == 1
    ssm.put_parameter(Name="/stale", Value="y", Overwrite=True)
    shown = ssm.describe_parameters()["Parameters"][0]["Policies"]
    assert (shown[0]["PolicyType"], shown[0]["PolicyStatus"]) == ("NoChangeNotification", "Pending")
    shieldwall.advance_clock(3 * DAY)
    ssm.describe_parameters()
    assert len(events_named(cloudtrail, "Parameter Store Policy Action")) == 2


def test_empty_policy_removes_the_policies(shieldwall: ServerInfo, ssm: Any) -> None:
    ssm.put_parameter(
        Name="/p", Value="x", Type="String", Tier="Advanced", Policies=json.dumps([expiration(1)])
    )
    ssm.put_parameter(Name="/p", Value="y", Overwrite=True)
    assert len(ssm.describe_parameters()["Parameters"][0]["Policies"]) == 1
    ssm.put_parameter(Name="/p", Value="z", Overwrite=True, Policies="[{}]")
    assert ssm.describe_parameters()["Parameters"][0]["Policies"] == []
    shieldwall.advance_clock(2 * DAY)
    assert ssm.get_parameter(Name="/p")["Parameter"]["Value"] == "z"
