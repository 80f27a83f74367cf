"""SimulateCustomPolicy and GetContextKeysForCustomPolicy through boto3: result shapes, positions, paging, errors."""

from __future__ import annotations

import json
from typing import Any

ALICE = "arn:aws:iam::000000000000:user/alice"
# The policy of the AWS CLI's documented example (examples/iam/simulate-custom-policy.rst), byte for byte.
DOCUMENTED = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
    '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)
PRETTY = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": "*"
        },
        {
            "Sid": "NoDelete",
            "Effect": "Deny",
            "Action": "s3:DeleteObject",
            "Resource": "*"
        }
    ]
}"""


def current_time(value: str) -> list[dict[str, Any]]:
    return [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [value], "ContextKeyType": "date"}]


def test_documented_example_reports_the_statement_position_past_its_braces(iam: Any) -> None:
    answer = iam.simulate_custom_policy(
        PolicyInputList=[DOCUMENTED],
        ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=current_time("2019-04-25T11:00:00Z"),
    )
    [result] = answer["EvaluationResults"]
    assert result["EvalActionName"] == "dynamodb:CreateBackup"
    assert result["EvalResourceName"] == "*"
    assert result["EvalDecision"] == "allowed"
    assert result["MissingContextValues"] == []
    [statement] = result["MatchedStatements"]
    assert statement["SourcePolicyId"] == "PolicyInputList.1"
    assert statement["StartPosition"] == {"Line": 1, "Column": 38}
    assert statement["EndPosition"] == {"Line": 1, "Column": 167}
    assert "ResourceSpecificResults" not in result and "EvalDecisionDetails" not in result
    assert answer["IsTruncated"] is False


def test_a_date_before_the_condition_is_an_implicit_deny_with_no_matched_statement(iam: Any) -> None:
    [result] = iam.simulate_custom_policy(
        PolicyInputList=[DOCUMENTED],
        ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=current_time("2014-04-25T11:00:00Z"),
    )["EvaluationResults"]
    assert (result["EvalDecision"], result["MatchedStatements"]) == ("implicitDeny", [])


def test_positions_in_a_multi_line_document_and_a_deny_is_the_only_match(iam: Any) -> None:
    results = iam.simulate_custom_policy(
        PolicyInputList=[DOCUMENTED, PRETTY],
        ActionNames=["s3:GetObject", "s3:DeleteObject"],
    )["EvaluationResults"]
    read, delete = results
    assert read["EvalDecision"] == "allowed"
    assert read["MatchedStatements"] == [
        {
            "SourcePolicyId": "PolicyInputList.2",
            "SourcePolicyType": "none",
            "StartPosition": {"Line": 4, "Column": 10},
            "EndPosition": {"Line": 9, "Column": 10},
        }
    ]
    assert delete["EvalDecision"] == "explicitDeny"
    [denying] = delete["MatchedStatements"]
    assert (denying["StartPosition"], denying["EndPosition"]) == (
        {"Line": 10, "Column": 10},
        {"Line": 15, "Column": 10},
    )


def test_missing_context_values_name_the_keys_relevant_statements_test(iam: Any) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/${aws:username}/*",
                    "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                },
                {
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
                },
            ],
        }
    )
    [result] = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:GetObject"], CallerArn=ALICE
    )["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:username", "aws:SourceIp"]
    [result] = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::b/alice/x"],
        ContextEntries=[
            {"ContextKeyName": "aws:username", "ContextKeyValues": ["alice"], "ContextKeyType": "string"},
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.9.9.9"], "ContextKeyType": "ip"},
        ],
    )["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert result["ResourceSpecificResults"][0]["MissingContextValues"] == []


def test_specific_resources_each_get_a_result_and_the_top_level_takes_the_worst(iam: Any) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open/*"},
                {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::secret/*"},
            ],
        }
    )
    resources = ["arn:aws:s3:::open/a", "arn:aws:s3:::secret/b", "arn:aws:s3:::other/c"]
    [result] = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:GetObject"], ResourceArns=resources
    )["EvaluationResults"]
    assert result["EvalDecision"] == "explicitDeny"
    decisions = {r["EvalResourceName"]: r["EvalResourceDecision"] for r in result["ResourceSpecificResults"]}
    assert decisions == dict(zip(resources, ["allowed", "explicitDeny", "implicitDeny"], strict=True))
    deny_brace = policy.index('{"Effect": "Deny"')  # 0-based; the position is 1-based and past the brace
    assert [s["StartPosition"] for s in result["MatchedStatements"]] == [
        {"Line": 1, "Column": deny_brace + 2}
    ]
    assert result["EvalDecisionDetails"] == {}


def test_cross_account_results_detail_each_side(iam: Any) -> None:
    bucket = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111111111111:user/bob"},
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::shared/*",
                }
            ],
        }
    )
    [result] = iam.simulate_custom_policy(
        PolicyInputList=[
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
        ],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::shared/x"],
        ResourcePolicy=bucket,
        ResourceOwner="arn:aws:iam::000000000000:root",
        CallerArn="arn:aws:iam::111111111111:user/bob",
    )["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert {s["SourcePolicyType"] for s in result["MatchedStatements"]} == {"none", "resource"}
    assert "ResourcePolicy" in {s["SourcePolicyId"] for s in result["MatchedStatements"]}


def test_boundary_and_organization_details(iam: Any) -> None:
    everything = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'
    only_s3 = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
    no_kms = '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kms:*","Resource":"*"}}'
    s3, kms = iam.simulate_custom_policy(
        PolicyInputList=[everything],
        PermissionsBoundaryPolicyInputList=[only_s3],
        OrderedOrganizationPolicyInputList=[
            {"ServiceControlPolicyInputList": [everything]},
            {"ServiceControlPolicyInputList": [everything, no_kms]},
        ],
        ActionNames=["s3:GetObject", "kms:Decrypt"],
    )["EvaluationResults"]
    assert s3["EvalDecision"] == "allowed"
    assert s3["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert s3["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert kms["EvalDecision"] == "explicitDeny"
    assert kms["MatchedStatements"] == []  # SCP statements are not reported
    assert kms["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert kms["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}


def test_results_page_by_action(iam: Any) -> None:
    actions = [f"s3:Action{index}" for index in range(5)]
    policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
    first = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=actions, MaxItems=2)
    assert [r["EvalActionName"] for r in first["EvaluationResults"]] == actions[:2]
    assert first["IsTruncated"] is True
    rest = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=actions, MaxItems=2, Marker=first["Marker"]
    )
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == actions[2:4]
    paginator = iam.get_paginator("simulate_custom_policy")
    pages = paginator.paginate(
        PolicyInputList=[policy], ActionNames=actions, PaginationConfig={"PageSize": 2}
    )
    assert [r["EvalActionName"] for page in pages for r in page["EvaluationResults"]] == actions


def test_context_keys_of_custom_policies_in_document_order(iam: Any) -> None:
    policy = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
        '"Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}'
    )
    answer = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy, DOCUMENTED])
    assert answer["ContextKeyNames"] == ["aws:username", "aws:CurrentTime"]


def test_unreadable_input_is_refused_before_anything_is_evaluated(iam: Any, aws_error: Any) -> None:
    good = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
    code, status, message = aws_error(
        iam.simulate_custom_policy, PolicyInputList=[good, '{"Statement": ['], ActionNames=["s3:GetObject"]
    )
    assert (code, status) == ("MalformedPolicyDocument", 400) and message.startswith("PolicyInputList.2")
    assert aws_error(iam.simulate_custom_policy, PolicyInputList=[good], ActionNames=["s3:Get*"])[:2] == (
        "InvalidInput",
        400,
    )
    bad_ip = [{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["not-an-ip"], "ContextKeyType": "ip"}]
    code, _, message = aws_error(
        iam.simulate_custom_policy,
        PolicyInputList=[good],
        ActionNames=["s3:GetObject"],
        ContextEntries=bad_ip,
    )
    assert code == "InvalidInput" and "aws:SourceIp" in message
    two_values = [
        {"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["1", "2"], "ContextKeyType": "numeric"}
    ]
    assert (
        aws_error(
            iam.simulate_custom_policy,
            PolicyInputList=[good],
            ActionNames=["s3:GetObject"],
            ContextEntries=two_values,
        )[0]
        == "InvalidInput"
    )
    bucket = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}'
    assert (
        aws_error(
            iam.simulate_custom_policy,
            PolicyInputList=[good],
            ActionNames=["s3:GetObject"],
            ResourcePolicy=bucket,
        )[0]
        == "InvalidInput"
    )
    assert aws_error(
        iam.simulate_custom_policy,
        PolicyInputList=[good],
        ActionNames=["s3:GetObject"],
        CallerArn="arn:aws:sts::000000000000:assumed-role/r/s",
    ) == ("InvalidInput", 400, "Invalid CallerArn: arn:aws:sts::000000000000:assumed-role/r/s")


def test_resource_handling_option_requires_its_scenario_resources(iam: Any, aws_error: Any) -> None:
    policy = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}}'
    )
    base = "arn:aws:ec2:us-east-1:000000000000:"
    resources = [
        f"{base}instance/*",
        f"{base}image/ami-1",
        f"{base}security-group/sg-1",
        f"{base}network-interface/*",
    ]
    code, _, message = aws_error(
        iam.simulate_custom_policy,
        PolicyInputList=[policy],
        ActionNames=["ec2:RunInstances"],
        ResourceArns=resources[:3],
        ResourceHandlingOption="EC2-VPC-InstanceStore",
    )
    assert code == "InvalidInput" and "network-interface" in message
    [result] = iam.simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["ec2:RunInstances"],
        ResourceArns=resources,
        ResourceHandlingOption="EC2-VPC-InstanceStore",
    )["EvaluationResults"]
    assert result["EvalDecision"] == "allowed" and len(result["ResourceSpecificResults"]) == 4
    assert (
        aws_error(
            iam.simulate_custom_policy,
            PolicyInputList=[policy],
            ActionNames=["ec2:RunInstances"],
            ResourceHandlingOption="EC2-Classic",
        )[0]
        == "InvalidInput"
    )


def test_many_resources_shorten_a_page_but_paging_still_returns_every_action(
    iam: Any, aws_error: Any
) -> None:
    policy = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}'
    resources = [f"arn:aws:s3:::b/{index}" for index in range(1000)]
    actions = ["s3:GetObject", *(f"s3:Other{index}" for index in range(10))]
    first = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=actions, ResourceArns=resources)
    assert len(first["EvaluationResults"]) == 10 and first["IsTruncated"] is True
    assert len(first["EvaluationResults"][0]["ResourceSpecificResults"]) == 1000
    rest = iam.simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=actions, ResourceArns=resources, Marker=first["Marker"]
    )
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == actions[10:]
    assert rest["IsTruncated"] is False
    assert (
        aws_error(
            iam.simulate_custom_policy,
            PolicyInputList=[policy],
            ActionNames=actions,
            ResourceArns=[*resources, "*"],
        )[0]
        == "InvalidInput"
    )
