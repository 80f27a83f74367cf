"""Service-linked roles through boto3: created for a service principal, deleted through a deletion task."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

ACCOUNT = "000000000000"
ORGANIZATIONS = "organizations.amazonaws.com"


def test_service_linked_role_is_created_under_the_service_path(iam: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName=ORGANIZATIONS, Description="for Organizations")[
        "Role"
    ]
    assert role["RoleName"] == "AWSServiceRoleForOrganizations"
    assert role["Path"] == f"/aws-service-role/{ORGANIZATIONS}/"
    assert role["Arn"] == (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{ORGANIZATIONS}/AWSServiceRoleForOrganizations"
    )
    assert role["Description"] == "for Organizations"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": ORGANIZATIONS}, "Action": "sts:AssumeRole"}
    ]
    fetched = iam.get_role(RoleName="AWSServiceRoleForOrganizations")["Role"]
    assert (fetched["RoleId"], fetched["Arn"]) == (role["RoleId"], role["Arn"])
    listed = iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]
    assert [r["RoleName"] for r in listed] == ["AWSServiceRoleForOrganizations"]


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail"),
        ("mrk.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceMultiRegionKeys"),
        ("ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway"),
    ],
)
def test_each_served_service_has_its_aws_role_name(iam: Any, service: str, name: str) -> None:
    assert iam.create_service_linked_role(AWSServiceName=service)["Role"]["RoleName"] == name


def test_a_second_role_for_the_same_service_is_refused(iam: Any, aws_error: Any) -> None:
    iam.create_service_linked_role(AWSServiceName=ORGANIZATIONS)
    assert aws_error(iam.create_service_linked_role, AWSServiceName=ORGANIZATIONS) == (
        "InvalidInput",
        400,
        "Service role name AWSServiceRoleForOrganizations has been taken in this account, "
        "please try a different suffix.",
    )


def test_custom_suffix_and_unknown_services_are_invalid_input(iam: Any, aws_error: Any) -> None:
    assert aws_error(iam.create_service_linked_role, AWSServiceName=ORGANIZATIONS, CustomSuffix="x") == (
        "InvalidInput",
        400,
        f"Custom suffix is not allowed for {ORGANIZATIONS}",
    )
    code, status, _ = aws_error(iam.create_service_linked_role, AWSServiceName="nothing.example.com")
    assert (code, status) == ("InvalidInput", 400)
    assert iam.list_roles()["Roles"] == []


def test_deleting_returns_a_task_that_has_succeeded(iam: Any, aws_error: Any) -> None:
    iam.create_service_linked_role(AWSServiceName=ORGANIZATIONS)
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForOrganizations")["DeletionTaskId"]
    assert re.fullmatch(
        rf"task/aws-service-role/{re.escape(ORGANIZATIONS)}/AWSServiceRoleForOrganizations/[0-9a-f-]{{36}}",
        task,
    )
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert aws_error(iam.get_role, RoleName="AWSServiceRoleForOrganizations")[:2] == ("NoSuchEntity", 404)
    assert aws_error(iam.delete_service_linked_role, RoleName="AWSServiceRoleForOrganizations") == (
        "NoSuchEntity",
        404,
        "The role with name AWSServiceRoleForOrganizations cannot be found.",
    )


def test_an_ordinary_role_is_not_deleted_as_service_linked(iam: Any, aws_error: Any) -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(trust))
    assert aws_error(iam.delete_service_linked_role, RoleName="app")[:2] == ("InvalidInput", 400)
    assert iam.get_role(RoleName="app")["Role"]["RoleName"] == "app"


def test_unknown_or_malformed_deletion_tasks(iam: Any, aws_error: Any) -> None:
    unknown = f"task/aws-service-role/{ORGANIZATIONS}/AWSServiceRoleForOrganizations/{'0' * 8}-0000-4000-8000-{'0' * 12}"
    assert aws_error(iam.get_service_linked_role_deletion_status, DeletionTaskId=unknown)[:2] == (
        "NoSuchEntity",
        404,
    )
    assert aws_error(iam.get_service_linked_role_deletion_status, DeletionTaskId="task/nonsense")[:2] == (
        "InvalidInput",
        400,
    )


def test_a_user_without_permission_cannot_create_service_linked_roles(
    user_client: Any, aws_error: Any
) -> None:
    as_alice = user_client("iam", "alice")
    code, status, message = aws_error(as_alice.create_service_linked_role, AWSServiceName=ORGANIZATIONS)
    assert (code, status) == ("AccessDenied", 403)
    assert (
        f"iam:CreateServiceLinkedRole on resource: arn:aws:iam::{ACCOUNT}:role/aws-service-role/"
        f"{ORGANIZATIONS}/AWSServiceRoleForOrganizations"
    ) in message
