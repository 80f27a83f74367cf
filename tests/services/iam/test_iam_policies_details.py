"""GetAccountAuthorizationDetails through boto3: every entity with its policies, filtered and paged."""

from __future__ import annotations

import json
from typing import Any

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def document(action: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def build_account(iam: Any) -> str:
    local = iam.create_policy(PolicyName="Local", PolicyDocument=json.dumps(document("s3:GetObject")))[
        "Policy"
    ]
    iam.create_policy_version(PolicyArn=local["Arn"], PolicyDocument=json.dumps(document("s3:PutObject")))
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "a"}])
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="Own", PolicyDocument=json.dumps(document("sqs:*")))
    iam.attach_user_policy(UserName="alice", PolicyArn=local["Arn"])
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=ADMIN)
    iam.put_group_policy(GroupName="devs", PolicyName="Team", PolicyDocument=json.dumps(document("kms:*")))
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="app", PolicyArn=ADMIN)
    iam.create_instance_profile(InstanceProfileName="web")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="app")
    return str(local["Arn"])


def test_details_list_every_entity_with_its_policies(iam: Any) -> None:
    local = build_account(iam)
    details = iam.get_account_authorization_details()
    (user,) = details["UserDetailList"]
    assert user["UserName"] == "alice" and user["GroupList"] == ["devs"]
    assert user["UserPolicyList"] == [{"PolicyName": "Own", "PolicyDocument": document("sqs:*")}]
    assert user["AttachedManagedPolicies"] == [{"PolicyName": "Local", "PolicyArn": local}]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == ADMIN
    assert user["Tags"] == [{"Key": "team", "Value": "a"}]
    (group,) = details["GroupDetailList"]
    assert group["GroupPolicyList"] == [{"PolicyName": "Team", "PolicyDocument": document("kms:*")}]
    assert group["AttachedManagedPolicies"] == []
    (role,) = details["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["AttachedManagedPolicies"] == [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]
    assert [profile["InstanceProfileName"] for profile in role["InstanceProfileList"]] == ["web"]
    assert role["InstanceProfileList"][0]["Roles"][0]["RoleName"] == "app"
    policies = {policy["PolicyName"]: policy for policy in details["Policies"]}
    assert set(policies) == {"Local", "AdministratorAccess"}  # AWS managed policies only when used
    versions = policies["Local"]["PolicyVersionList"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", False), ("v1", True)]
    assert versions[1]["Document"] == document("s3:GetObject")
    assert policies["AdministratorAccess"]["AttachmentCount"] == 1
    assert policies["AdministratorAccess"]["PermissionsBoundaryUsageCount"] == 1


def test_details_filter_by_entity_type(iam: Any) -> None:
    build_account(iam)
    roles = iam.get_account_authorization_details(Filter=["Role"])
    assert [role["RoleName"] for role in roles["RoleDetailList"]] == ["app"]
    assert roles["UserDetailList"] == roles["GroupDetailList"] == roles["Policies"] == []
    local = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])["Policies"]
    assert [policy["PolicyName"] for policy in local] == ["Local"]
    aws = iam.get_account_authorization_details(Filter=["AWSManagedPolicy", "User"])
    assert [policy["PolicyName"] for policy in aws["Policies"]] == ["AdministratorAccess"]
    assert [user["UserName"] for user in aws["UserDetailList"]] == ["alice"]


def test_details_page_across_the_lists(iam: Any) -> None:
    build_account(iam)
    seen: list[str] = []
    marker: dict[str, str] = {}
    while True:
        page = iam.get_account_authorization_details(MaxItems=2, **marker)
        for member, name in (
            ("UserDetailList", "UserName"),
            ("GroupDetailList", "GroupName"),
            ("RoleDetailList", "RoleName"),
            ("Policies", "PolicyName"),
        ):
            seen.extend(item[name] for item in page[member])
        if not page["IsTruncated"]:
            break
        marker = {"Marker": page["Marker"]}
    assert seen == ["alice", "devs", "app", "AdministratorAccess", "Local"]


def test_details_paginator_of_boto3_walks_every_page(iam: Any) -> None:
    build_account(iam)
    pages = list(
        iam.get_paginator("get_account_authorization_details").paginate(PaginationConfig={"PageSize": 1})
    )
    assert len(pages) == 5
    assert sum(len(page["Policies"]) for page in pages) == 2
