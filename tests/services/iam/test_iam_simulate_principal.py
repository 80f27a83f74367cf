"""SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy: the stored policies of users, groups and roles."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "000000000000"
READ_LOGS = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadLogs",
      "Effect": "Allow",
      "Action": "logs:GetLogEvents",
      "Resource": "*",
      "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    }
  ]
}"""


def allow(action: str, resource: str = "*") -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    )


def deny(action: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}
    )


def region(value: str) -> list[dict[str, Any]]:
    return [
        {"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": [value], "ContextKeyType": "string"}
    ]


def decisions(iam: Any, source: str, actions: list[str], **extra: Any) -> dict[str, str]:
    results = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=actions, **extra)[
        "EvaluationResults"
    ]
    return {result["EvalActionName"]: result["EvalDecision"] for result in results}


def test_a_users_inline_group_and_managed_policies_all_count(iam: Any) -> None:
    user = iam.create_user(UserName="alice")["User"]["Arn"]
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="ReadLogs", PolicyDocument=READ_LOGS)
    iam.put_group_policy(GroupName="ops", PolicyName="Queues", PolicyDocument=allow("sqs:SendMessage"))
    managed = iam.create_policy(PolicyName="NoDelete", PolicyDocument=deny("sqs:DeleteQueue"))["Policy"][
        "Arn"
    ]
    iam.attach_group_policy(GroupName="ops", PolicyArn=managed)
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")

    results = iam.simulate_principal_policy(
        PolicySourceArn=user,
        ActionNames=["logs:GetLogEvents", "sqs:SendMessage", "sqs:DeleteQueue"],
        ContextEntries=region("eu-west-1"),
    )["EvaluationResults"]
    by_action = {result["EvalActionName"]: result for result in results}
    assert {name: r["EvalDecision"] for name, r in by_action.items()} == {
        "logs:GetLogEvents": "allowed",
        "sqs:SendMessage": "allowed",
        "sqs:DeleteQueue": "explicitDeny",
    }
    logs = {
        (s["SourcePolicyId"], s["SourcePolicyType"])
        for s in by_action["logs:GetLogEvents"]["MatchedStatements"]
    }
    assert logs == {("ReadLogs", "user"), ("AdministratorAccess", "aws-managed")}
    inline = next(
        s for s in by_action["logs:GetLogEvents"]["MatchedStatements"] if s["SourcePolicyId"] == "ReadLogs"
    )
    assert (inline["StartPosition"], inline["EndPosition"]) == (
        {"Line": 4, "Column": 6},
        {"Line": 10, "Column": 6},
    )
    [denied] = by_action["sqs:DeleteQueue"]["MatchedStatements"]
    assert (denied["SourcePolicyId"], denied["SourcePolicyType"]) == ("NoDelete", "user-managed")
    queues = by_action["sqs:SendMessage"]["MatchedStatements"]
    assert ("Queues", "group") in {(s["SourcePolicyId"], s["SourcePolicyType"]) for s in queues}


def test_a_groups_and_a_roles_own_policies(iam: Any) -> None:
    group = iam.create_group(GroupName="readers")["Group"]["Arn"]
    iam.put_group_policy(GroupName="readers", PolicyName="Read", PolicyDocument=allow("s3:GetObject"))
    trust = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}'
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="worker", PolicyName="Write", PolicyDocument=allow("s3:PutObject"))
    assert decisions(iam, group, ["s3:GetObject", "s3:PutObject"]) == {
        "s3:GetObject": "allowed",
        "s3:PutObject": "implicitDeny",
    }
    assert decisions(iam, role, ["s3:GetObject", "s3:PutObject"]) == {
        "s3:GetObject": "implicitDeny",
        "s3:PutObject": "allowed",
    }


def test_the_stored_boundary_applies_and_an_input_boundary_replaces_it(iam: Any) -> None:
    user = iam.create_user(UserName="alice")["User"]["Arn"]
    iam.put_user_policy(UserName="alice", PolicyName="All", PolicyDocument=allow("*"))
    boundary = iam.create_policy(PolicyName="OnlyS3", PolicyDocument=allow("s3:*"))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=boundary)
    results = iam.simulate_principal_policy(PolicySourceArn=user, ActionNames=["s3:GetObject", "kms:Decrypt"])
    s3, kms = results["EvaluationResults"]
    assert (s3["EvalDecision"], kms["EvalDecision"]) == ("allowed", "implicitDeny")
    assert kms["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    replaced = decisions(
        iam, user, ["s3:GetObject", "kms:Decrypt"], PermissionsBoundaryPolicyInputList=[allow("kms:*")]
    )
    assert replaced == {"s3:GetObject": "implicitDeny", "kms:Decrypt": "allowed"}
    excluded = decisions(
        iam, user, ["kms:Decrypt"], PolicyExclusionList=[{"PolicyType": "permission-boundary"}]
    )
    assert excluded == {"kms:Decrypt": "allowed"}


def test_policies_can_be_excluded_by_type_arn_or_inline_identifier(iam: Any) -> None:
    user = iam.create_user(UserName="alice")["User"]["Arn"]
    iam.put_user_policy(UserName="alice", PolicyName="Inline", PolicyDocument=allow("sqs:*"))
    managed = iam.create_policy(PolicyName="Team-Sns", PolicyDocument=allow("sns:*"))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=managed)
    actions = ["sqs:SendMessage", "sns:Publish"]
    assert decisions(iam, user, actions) == {"sqs:SendMessage": "allowed", "sns:Publish": "allowed"}
    assert decisions(iam, user, actions, PolicyExclusionList=[{"PolicyType": "inline"}]) == {
        "sqs:SendMessage": "implicitDeny",
        "sns:Publish": "allowed",
    }
    by_arn = [{"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Team-*"}]
    assert decisions(iam, user, actions, PolicyExclusionList=by_arn)["sns:Publish"] == "implicitDeny"
    by_inline = [
        {
            "InlinePolicyIdentifier": {
                "PolicyName": "Inline",
                "AttachmentType": "user",
                "AttachmentName": "ali*",
            }
        }
    ]
    assert decisions(iam, user, actions, PolicyExclusionList=by_inline)["sqs:SendMessage"] == "implicitDeny"


def test_policy_input_list_adds_to_the_principals_policies(iam: Any) -> None:
    user = iam.create_user(UserName="alice")["User"]["Arn"]
    results = iam.simulate_principal_policy(
        PolicySourceArn=user, ActionNames=["s3:GetObject"], PolicyInputList=[allow("s3:GetObject")]
    )["EvaluationResults"]
    assert results[0]["EvalDecision"] == "allowed"
    assert results[0]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"


def test_a_resource_policy_naming_the_user_is_enough(iam: Any, aws_error: Any) -> None:
    user = iam.create_user(UserName="alice")["User"]["Arn"]
    bucket = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": user}, "Action": "s3:GetObject", "Resource": "*"}
            ],
        }
    )
    [result] = iam.simulate_principal_policy(
        PolicySourceArn=user,
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::shared/report.csv"],
        ResourcePolicy=bucket,
    )["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["SourcePolicyType"] == "resource"
    iam.create_group(GroupName="ops")
    code, _, _ = aws_error(
        iam.simulate_principal_policy,
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/ops",
        ActionNames=["s3:GetObject"],
        ResourcePolicy=bucket,
    )
    assert code == "InvalidInput"


def test_context_keys_of_a_users_policies_include_its_groups(iam: Any) -> None:
    user = iam.create_user(UserName="alice")["User"]["Arn"]
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="ReadLogs", PolicyDocument=READ_LOGS)
    tagged = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}/*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}'
    iam.put_group_policy(GroupName="ops", PolicyName="Home", PolicyDocument=tagged)
    names = iam.get_context_keys_for_principal_policy(PolicySourceArn=user)["ContextKeyNames"]
    assert sorted(names) == sorted(["aws:RequestedRegion", "aws:username", "aws:MultiFactorAuthPresent"])
    extra = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/"}}}}'
    more = iam.get_context_keys_for_principal_policy(PolicySourceArn=user, PolicyInputList=[extra])
    assert "s3:prefix" in more["ContextKeyNames"]


def test_unknown_or_unusable_sources_are_refused_as_aws_refuses_them(iam: Any, aws_error: Any) -> None:
    assert aws_error(
        iam.simulate_principal_policy,
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/ghost",
        ActionNames=["s3:GetObject"],
    ) == ("NoSuchEntity", 404, "The user with name ghost cannot be found.")
    assert (
        aws_error(
            iam.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/ghost"
        )[0]
        == "NoSuchEntity"
    )
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/session"
    assert aws_error(
        iam.simulate_principal_policy, PolicySourceArn=session, ActionNames=["s3:GetObject"]
    ) == (
        "InvalidInput",
        400,
        f"Invalid Entity Arn: {session}",
    )
