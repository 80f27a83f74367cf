"""SCPs enforced at every level of the OU tree, for every principal of a member account, never for the
management account."""

from __future__ import annotations

import json

from org_helpers import Estate, document

from shieldwall.testing import aws_error as error_of

REGION_LOCK = {
    "Sid": "RegionLock",
    "Effect": "Deny",
    "Action": "*",
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
}


def test_member_sessions_work_before_any_restriction(estate: Estate) -> None:
    for account in (estate.dev, estate.prod):
        session = estate.session_in(account)
        assert session.client("sts").get_caller_identity()["Account"] == account
        assert session.client("iam").list_roles()["Roles"]


def test_an_scp_denying_a_region_stops_members_there_and_not_elsewhere(estate: Estate) -> None:
    lock = estate.policy("RegionLock", REGION_LOCK)
    estate.orgs.attach_policy(PolicyId=lock, TargetId=estate.workloads)
    dev = estate.session_in(estate.dev)
    worker_trust = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{estate.dev}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    dev.client("iam").create_role(RoleName="Worker", AssumeRolePolicyDocument=worker_trust)
    worker = f"arn:aws:iam::{estate.dev}:role/Worker"

    assert dev.client("sts").assume_role(RoleArn=worker, RoleSessionName="east")["Credentials"]
    eu = dev.client("sts", region_name="eu-west-1")
    code, status, message = error_of(eu.assume_role, RoleArn=worker, RoleSessionName="west")
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("with an explicit deny in a service control policy")
    # the management account is never restricted by SCPs
    estate.orgs.attach_policy(PolicyId=lock, TargetId=estate.root_id)
    assert estate.admin.client("sts", region_name="eu-west-1").get_caller_identity()
    mgmt_role = estate.admin.client("iam").create_role(
        RoleName="Mgmt",
        AssumeRolePolicyDocument=document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": estate.admin.client("sts").get_caller_identity()["Arn"]},
                "Action": "sts:AssumeRole",
            }
        ),
    )["Role"]["Arn"]
    assert estate.admin.client("sts", region_name="eu-west-1").assume_role(
        RoleArn=mgmt_role, RoleSessionName="ok"
    )


def test_an_allow_list_scp_that_omits_a_service_denies_it_and_names_the_level(estate: Estate) -> None:
    only_sts = estate.policy(
        "OnlySts", {"Effect": "Allow", "Action": ["sts:*", "organizations:Describe*"], "Resource": "*"}
    )
    estate.orgs.attach_policy(PolicyId=only_sts, TargetId=estate.prod_ou)
    estate.orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=estate.prod_ou)
    prod = estate.session_in(estate.prod)
    code, _, message = error_of(prod.client("iam").list_roles)
    assert code == "AccessDenied"
    assert message.endswith("because no service control policy allows the iam:ListRoles action")
    # dev sits above Prod in the tree: unaffected
    assert estate.session_in(estate.dev).client("iam").list_roles()["Roles"]

    request_id = _denied_request_id(prod)
    explained = estate.server.admin(f"explain/{request_id}")["explanation"]
    assert "service control policies" in explained and estate.prod_ou in explained


def _denied_request_id(session: object) -> str:
    import botocore.exceptions

    try:
        session.client("iam").list_roles()  # type: ignore[attr-defined]
    except botocore.exceptions.ClientError as error:
        return str(error.response["ResponseMetadata"]["RequestId"])
    raise AssertionError("expected a denial")


def test_a_deny_in_a_parent_ou_beats_an_allow_below(estate: Estate) -> None:
    no_iam = estate.policy("NoIam", {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    estate.orgs.attach_policy(PolicyId=no_iam, TargetId=estate.workloads)
    allow_iam = estate.policy("AllowIam", {"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
    estate.orgs.attach_policy(PolicyId=allow_iam, TargetId=estate.prod)
    code, _, message = error_of(estate.session_in(estate.prod).client("iam").list_roles)
    assert code == "AccessDenied" and "explicit deny in a service control policy" in message


def test_detaching_full_aws_access_blocks_everything_not_otherwise_allowed(estate: Estate) -> None:
    little = estate.policy(
        "Little", {"Effect": "Allow", "Action": "organizations:DescribeOrganization", "Resource": "*"}
    )
    estate.orgs.attach_policy(PolicyId=little, TargetId=estate.dev)
    estate.orgs.detach_policy(PolicyId="p-FullAWSAccess", TargetId=estate.dev)
    dev = estate.session_in(estate.dev)
    assert error_of(dev.client("iam").list_roles)[0] == "AccessDenied"
    assert (
        error_of(
            dev.client("sts").assume_role,
            RoleArn=f"arn:aws:iam::{estate.dev}:role/OrganizationAccountAccessRole",
            RoleSessionName="again",
        )[0]
        == "AccessDenied"
    )
    assert dev.client("organizations").describe_organization()["Organization"]["Id"] == estate.org["Id"]


def test_the_last_scp_of_a_target_cannot_be_detached(estate: Estate) -> None:
    code, _, _ = error_of(estate.orgs.detach_policy, PolicyId="p-FullAWSAccess", TargetId=estate.dev)
    assert code == "ConstraintViolationException"


def test_principal_org_id_lets_members_in_and_outsiders_not(estate: Estate) -> None:
    trust = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": estate.org["Id"]}},
        }
    )
    shared = estate.admin.client("iam").create_role(RoleName="Shared", AssumeRolePolicyDocument=trust)[
        "Role"
    ]["Arn"]
    member = estate.session_in(estate.dev)
    assert member.client("sts").assume_role(RoleArn=shared, RoleSessionName="member")["Credentials"]

    _, outsider = estate.outsider()
    assert (
        error_of(outsider.client("sts").assume_role, RoleArn=shared, RoleSessionName="outsider")[0]
        == "AccessDenied"
    )


def test_malformed_scps_are_refused(estate: Estate) -> None:
    with_principal = document({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})
    code, status, _ = error_of(
        estate.orgs.create_policy,
        Name="Bad",
        Description="",
        Type="SERVICE_CONTROL_POLICY",
        Content=with_principal,
    )
    assert (code, status) == ("MalformedPolicyDocumentException", 400)
    assert error_of(
        estate.orgs.create_policy, Name="Bad", Description="", Type="SERVICE_CONTROL_POLICY", Content="{"
    )[0] == ("MalformedPolicyDocumentException")
    assert json.loads(estate.orgs.describe_policy(PolicyId="p-FullAWSAccess")["Policy"]["Content"])[
        "Statement"
    ]
