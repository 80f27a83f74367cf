"""Customer managed policies and the AWS managed catalogue, through boto3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shieldwall.services.iam import aws_managed
from shieldwall.services.iam.policy_documents import compiled
from shieldwall.testing import ServerInfo

AWS_CLI = Path(sys.executable).parent / "aws"

DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
CATALOGUE = [
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "IAMFullAccess",
    "IAMReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonS3FullAccess",
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaExecute",
    "AmazonDynamoDBReadOnlyAccess",
    "SecretsManagerReadWrite",
    "AWSKeyManagementServicePowerUser",
    "AmazonCognitoReadOnly",
    "CloudWatchLogsFullAccess",
    "AWSCloudTrail_ReadOnlyAccess",
]


def create(iam: Any, name: str = "ReadS3", **extra: Any) -> dict[str, Any]:
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(DOC), **extra)["Policy"]


def test_created_policy_reports_its_arn_id_version_and_tags(iam: Any) -> None:
    policy = create(iam, Path="/team/", Description="read objects", Tags=[{"Key": "env", "Value": "dev"}])
    assert policy["Arn"] == "arn:aws:iam::000000000000:policy/team/ReadS3"
    assert policy["PolicyId"].startswith("ANPA") and len(policy["PolicyId"]) == 21
    assert (policy["DefaultVersionId"], policy["AttachmentCount"], policy["IsAttachable"]) == ("v1", 0, True)
    fetched = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]
    assert (fetched["Description"], fetched["Tags"]) == ("read objects", [{"Key": "env", "Value": "dev"}])
    assert fetched["PermissionsBoundaryUsageCount"] == 0
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    assert (version["Document"], version["IsDefaultVersion"]) == (DOC, True)


def test_policy_document_keeps_the_text_as_sent(iam: Any) -> None:
    text = '{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/a b%"}}'
    arn = iam.create_policy(PolicyName="Spaces", PolicyDocument=text)["Policy"]["Arn"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
    assert document == json.loads(text)


def test_duplicate_name_missing_policy_and_bad_arn_are_worded_as_aws_words_them(
    iam: Any, aws_error: Any
) -> None:
    create(iam)
    assert aws_error(iam.create_policy, PolicyName="reads3", PolicyDocument=json.dumps(DOC)) == (
        "EntityAlreadyExists",
        409,
        "A policy called reads3 already exists. Duplicate names are not allowed.",
    )
    missing = "arn:aws:iam::000000000000:policy/nope"
    assert aws_error(iam.get_policy, PolicyArn=missing) == (
        "NoSuchEntity",
        404,
        f"Policy {missing} was not found.",
    )
    assert aws_error(iam.get_policy, PolicyArn="arn:aws:iam::000000000000:nope") == (
        "InvalidInput",
        400,
        "ARN arn:aws:iam::000000000000:nope is not valid.",
    )
    other_path = "arn:aws:iam::000000000000:policy/other/ReadS3"
    assert aws_error(iam.get_policy, PolicyArn=other_path)[0] == "NoSuchEntity"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "This policy contains invalid Json"),
        (
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}],
            },
            "Policy document should not specify a principal.",
        ),
        (
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]},
            "Policy statement must contain resources.",
        ),
        (
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]},
            "Policy statement must contain actions.",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}],
            },
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}],
            },
            'Resource bucket must be in ARN format or "*".',
        ),
        (
            {"Version": "2020-01-01", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
            "The policy failed legacy parsing",
        ),
    ],
)
def test_malformed_documents_answer_malformed_policy_document(
    iam: Any, aws_error: Any, document: Any, message: str
) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    assert aws_error(iam.create_policy, PolicyName="Bad", PolicyDocument=text) == (
        "MalformedPolicyDocument",
        400,
        message,
    )
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_every_problem_of_a_document_is_reported_once(iam: Any, aws_error: Any) -> None:
    statement = {
        "Effect": "Maybe",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"NoSuchOperator": {"a": "b"}},
    }
    document = {"Version": "2012-10-17", "Statement": [statement, {"Effect": "Allow", "Action": "s3:*"}]}
    code, _, message = aws_error(iam.create_policy, PolicyName="Bad", PolicyDocument=json.dumps(document))
    assert code == "MalformedPolicyDocument"
    assert "Effect" in message and "NoSuchOperator" in message
    assert message.endswith("Policy statement must contain resources.")


def test_managed_policy_over_6144_characters_without_white_space_is_refused(iam: Any, aws_error: Any) -> None:
    actions = [f"s3:GetObject{index:04d}" for index in range(400)]
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    )
    assert aws_error(iam.create_policy, PolicyName="Big", PolicyDocument=document) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for PolicySize: 6144",
    )
    statement = {"Effect": "Allow", "Action": actions[:200], "Resource": "*"}
    padded = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=20)
    assert len(padded) > 6144  # white space does not count
    assert iam.create_policy(PolicyName="Padded", PolicyDocument=padded)["Policy"]["DefaultVersionId"] == "v1"


def test_policy_is_deleted_with_its_only_version(iam: Any, aws_error: Any) -> None:
    arn = create(iam)["Arn"]
    iam.delete_policy(PolicyArn=arn)
    assert aws_error(iam.get_policy, PolicyArn=arn)[0] == "NoSuchEntity"
    assert aws_error(iam.delete_policy, PolicyArn=arn)[0] == "NoSuchEntity"
    assert create(iam)["PolicyId"]  # the name is free again


def test_policy_with_other_versions_or_attachments_cannot_be_deleted(iam: Any, aws_error: Any) -> None:
    arn = create(iam)["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(DOC))
    assert aws_error(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        409,
        "This policy has more than one version. Before you delete a policy, you must delete the policy's "
        "versions. The default version is deleted with the policy.",
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    assert aws_error(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        409,
        "Cannot delete a policy attached to entities.",
    )
    iam.detach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)


def test_list_policies_filters_by_scope_path_and_use_and_pages(iam: Any) -> None:
    first = create(iam, "A", Path="/team/")["Arn"]
    create(iam, "B")
    create(iam, "C", Path="/team/sub/")
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [policy["PolicyName"] for policy in local] == ["A", "B", "C"]
    assert "Tags" not in local[0] and "Description" not in local[0]
    team = iam.list_policies(Scope="Local", PathPrefix="/team/")["Policies"]
    assert [policy["PolicyName"] for policy in team] == ["A", "C"]
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=first)
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert [(policy["PolicyName"], policy["AttachmentCount"]) for policy in attached] == [("A", 1)]
    page = iam.list_policies(Scope="Local", MaxItems=2)
    assert (len(page["Policies"]), page["IsTruncated"]) == (2, True)
    rest = iam.list_policies(Scope="Local", MaxItems=2, Marker=page["Marker"])
    assert ([policy["PolicyName"] for policy in rest["Policies"]], rest["IsTruncated"]) == (["C"], False)


def test_list_policies_refuses_an_unknown_scope(iam: Any, aws_error: Any) -> None:
    code, status, message = aws_error(iam.list_policies, Scope="Mine")
    assert (code, status) == ("ValidationError", 400)
    assert "Member must satisfy enum value set: [All, AWS, Local]" in message


def test_policy_tags_are_added_replaced_listed_and_removed(iam: Any) -> None:
    arn = create(iam)["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}])
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "ENV", "Value": "prod"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "team", "Value": "a"},
        {"Key": "ENV", "Value": "prod"},
    ]
    iam.untag_policy(PolicyArn=arn, TagKeys=["team"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "ENV", "Value": "prod"}]


def test_aws_managed_catalogue_lists_with_scope_aws(iam: Any) -> None:
    listed = iam.list_policies(Scope="AWS")["Policies"]
    assert sorted(policy["PolicyName"] for policy in listed) == sorted(CATALOGUE)
    by_name = {policy["PolicyName"]: policy for policy in listed}
    assert by_name["AdministratorAccess"]["Arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert by_name["AdministratorAccess"]["PolicyId"] == "ANPAIWMBCKSKIEE64ZLYK"
    assert by_name["AWSLambdaBasicExecutionRole"]["Arn"] == (
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )
    everything = iam.list_policies()["Policies"]
    assert {policy["PolicyName"] for policy in everything} >= set(CATALOGUE)


def test_aws_managed_policy_documents_are_the_real_ones(iam: Any) -> None:
    admin = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    version = iam.get_policy_version(PolicyArn=admin["Arn"], VersionId=admin["DefaultVersionId"])[
        "PolicyVersion"
    ]
    assert version["Document"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    s3 = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    document = iam.get_policy_version(PolicyArn=s3, VersionId="v3")["PolicyVersion"]["Document"]
    assert document["Statement"][0]["Action"] == [
        "s3:Get*",
        "s3:List*",
        "s3:Describe*",
        "s3-object-lambda:Get*",
        "s3-object-lambda:List*",
    ]
    readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    listed = iam.list_policy_versions(PolicyArn=readonly)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [("v178", True)]
    full = iam.get_policy_version(PolicyArn=readonly, VersionId="v178")["PolicyVersion"]["Document"]
    assert sum(len(statement["Action"]) for statement in full["Statement"]) > 2000


def test_every_catalogue_document_compiles_as_an_identity_policy() -> None:
    for policy in aws_managed.catalogue():
        assert compiled(policy.document, "identity").statements, policy.name


def test_aws_managed_policies_cannot_be_changed_or_deleted(iam: Any, aws_error: Any) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    for call, params in (
        (iam.delete_policy, {}),
        (iam.create_policy_version, {"PolicyDocument": json.dumps(DOC)}),
        (iam.set_default_policy_version, {"VersionId": "v178"}),
        (iam.delete_policy_version, {"VersionId": "v178"}),
        (iam.tag_policy, {"Tags": [{"Key": "a", "Value": "b"}]}),
    ):
        code, status, message = aws_error(call, PolicyArn=arn, **params)
        assert (code, status) == ("AccessDenied", 403)
        assert message.startswith("User: arn:aws:iam::000000000000:root is not authorized to perform: iam:")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v178"
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == []
    missing = "arn:aws:iam::aws:policy/NoSuchManagedPolicy"
    assert aws_error(iam.get_policy, PolicyArn=missing)[0] == "NoSuchEntity"


def test_aws_cli_creates_and_reads_a_policy(shieldwall: ServerInfo, tmp_path: Path) -> None:
    document = tmp_path / "policy.json"
    document.write_text(json.dumps(DOC))

    def cli(*args: str) -> Any:
        result = subprocess.run(
            [str(AWS_CLI), "iam", *args, "--output", "json"],
            capture_output=True,
            text=True,
            env={**os.environ, **shieldwall.env()},
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    arn = cli("create-policy", "--policy-name", "Cli", "--policy-document", f"file://{document}")["Policy"][
        "Arn"
    ]
    fetched = cli("get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    assert fetched["PolicyVersion"]["Document"] == DOC
