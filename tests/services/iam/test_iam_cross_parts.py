"""Rules that join IAM's parts: MFA devices block DeleteUser and are counted; service-linked roles are AWS's."""

from __future__ import annotations

from typing import Any

from test_iam_mfa import enable, new_device

from shieldwall.testing import ServerInfo


def test_deleting_a_user_with_an_mfa_device_is_a_delete_conflict(
    iam: Any, shieldwall: ServerInfo, aws_error: Any
) -> None:
    iam.create_user(UserName="alice")
    enable(iam, shieldwall, "alice", new_device(iam))
    assert aws_error(iam.delete_user, UserName="alice") == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete MFA device first.",
    )


def test_account_summary_counts_mfa_devices(iam: Any, shieldwall: ServerInfo) -> None:
    iam.create_user(UserName="alice")
    enable(iam, shieldwall, "alice", new_device(iam))
    new_device(iam, name="spare")
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"]) == (2, 1)


def test_service_linked_role_is_unmodifiable_but_its_description_may_change(iam: Any, aws_error: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName="organizations.amazonaws.com")["Role"]
    name = role["RoleName"]
    trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    message = (
        f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"
    )
    assert aws_error(iam.update_assume_role_policy, RoleName=name, PolicyDocument=trust) == (
        "UnmodifiableEntity",
        400,
        message,
    )
    assert aws_error(iam.delete_role, RoleName=name)[0] == "UnmodifiableEntity"
    iam.update_role_description(RoleName=name, Description="mine")
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "mine"
