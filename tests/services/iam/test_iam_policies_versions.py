"""Managed policy versions through boto3: at most five, one default, ids never reused."""

from __future__ import annotations

import json
from typing import Any


def document(action: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    )


def policy(iam: Any) -> str:
    return str(iam.create_policy(PolicyName="P", PolicyDocument=document("s3:GetObject"))["Policy"]["Arn"])


def test_new_versions_are_numbered_and_become_default_only_when_asked(iam: Any) -> None:
    arn = policy(iam)
    second = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:PutObject"))[
        "PolicyVersion"
    ]
    assert (second["VersionId"], second["IsDefaultVersion"]) == ("v2", False)
    assert "Document" not in second
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"
    third = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("sqs:*"), SetAsDefault=True)
    assert third["PolicyVersion"]["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    fetched = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert fetched["Document"]["Statement"][0]["Action"] == "s3:PutObject"
    assert fetched["IsDefaultVersion"] is False


def test_versions_list_newest_first_without_documents_and_page(iam: Any) -> None:
    arn = policy(iam)
    for action in ("s3:PutObject", "s3:DeleteObject"):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document(action))
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [
        ("v3", False),
        ("v2", False),
        ("v1", True),
    ]
    assert all("Document" not in version for version in listed)
    first = iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.list_policy_versions(PolicyArn=arn, MaxItems=2, Marker=first["Marker"])["Versions"]
    assert [version["VersionId"] for version in rest] == ["v1"]


def test_a_sixth_version_is_refused_until_one_is_deleted(iam: Any, aws_error: Any) -> None:
    arn = policy(iam)
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:PutObject"))
    assert aws_error(iam.create_policy_version, PolicyArn=arn, PolicyDocument=document("s3:*")) == (
        "LimitExceeded",
        409,
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
        "existing version.",
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"))["PolicyVersion"]
    assert created["VersionId"] == "v6"  # v3 is not reused
    ids = [version["VersionId"] for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]]
    assert ids == ["v6", "v5", "v4", "v2", "v1"]


def test_default_version_cannot_be_deleted_and_missing_versions_are_named(iam: Any, aws_error: Any) -> None:
    arn = policy(iam)
    assert aws_error(iam.delete_policy_version, PolicyArn=arn, VersionId="v1") == (
        "DeleteConflict",
        409,
        "Cannot delete the default version of a policy.",
    )
    for call in (iam.get_policy_version, iam.delete_policy_version, iam.set_default_policy_version):
        assert aws_error(call, PolicyArn=arn, VersionId="v9") == (
            "NoSuchEntity",
            404,
            f"Policy {arn} version v9 does not exist.",
        )


def test_set_default_moves_the_default_and_the_update_date(iam: Any) -> None:
    arn = policy(iam)
    created = iam.get_policy(PolicyArn=arn)["Policy"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:PutObject"))
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    updated = iam.get_policy(PolicyArn=arn)["Policy"]
    assert updated["DefaultVersionId"] == "v2"
    assert updated["UpdateDate"] >= created["UpdateDate"]
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v2"]


def test_version_documents_are_validated_and_sized(iam: Any, aws_error: Any) -> None:
    arn = policy(iam)
    bad = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]})
    assert aws_error(iam.create_policy_version, PolicyArn=arn, PolicyDocument=bad) == (
        "MalformedPolicyDocument",
        400,
        "Policy statement must contain resources.",
    )
    huge = document("s3:GetObject").replace("*", "arn:aws:s3:::" + "b" * 6200)
    assert aws_error(iam.create_policy_version, PolicyArn=arn, PolicyDocument=huge)[:2] == (
        "LimitExceeded",
        409,
    )
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v1"]
    missing = "arn:aws:iam::000000000000:policy/missing"
    assert aws_error(iam.create_policy_version, PolicyArn=missing, PolicyDocument=document("s3:*"))[0] == (
        "NoSuchEntity"
    )
