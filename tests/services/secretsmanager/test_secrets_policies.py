"""Resource policies on secrets: written, validated, refused when public, and enforced by the policy engine within
the account and across accounts (which also needs a customer managed key)."""

from __future__ import annotations

import json
from typing import Any

from secrets_helpers import account_of, allow, document, error_of, granting, make_user

from shieldwall.testing import ServerInfo

KMS_DENIED = ("AccessDeniedException", 400, "Access to KMS is not allowed")


def test_a_policy_is_written_read_and_deleted(sm: Any) -> None:
    arn = sm.create_secret(Name="s", SecretString="v")["ARN"]
    policy = document(granting({"AWS": "arn:aws:iam::111122223333:root"}, "secretsmanager:GetSecretValue"))
    answer = sm.put_resource_policy(SecretId="s", ResourcePolicy=policy)
    assert (answer["ARN"], answer["Name"], "PolicyName" in answer) == (arn, "s", False)
    fetched = sm.get_resource_policy(SecretId="s")
    assert json.loads(fetched["ResourcePolicy"]) == json.loads(policy)
    assert sm.list_resource_policies(SecretId="s")["ResourcePolicies"] == [{"PolicyName": "default"}]
    sm.delete_resource_policy(SecretId="s")
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="s")


def test_a_malformed_policy_is_refused(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    for text in ("not json", json.dumps({"Statement": [{"Effect": "Allow", "Action": "secretsmanager:*"}]})):
        code, status, message = error_of(sm.put_resource_policy, SecretId="s", ResourcePolicy=text)
        assert (code, status) == ("MalformedPolicyDocumentException", 400)
        assert message.startswith("This resource policy contains a syntax error")


def test_block_public_policy_refuses_a_policy_open_to_everyone(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    public = document(granting("*", "secretsmanager:GetSecretValue"))
    assert error_of(sm.put_resource_policy, SecretId="s", ResourcePolicy=public, BlockPublicPolicy=True) == (
        "PublicPolicyException",
        400,
        "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access "
        "to the secret.",
    )
    pinned = document(
        granting(
            "*", "secretsmanager:GetSecretValue", {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}
        )
    )
    sm.put_resource_policy(SecretId="s", ResourcePolicy=pinned, BlockPublicPolicy=True)
    sm.put_resource_policy(SecretId="s", ResourcePolicy=public)  # allowed without BlockPublicPolicy


def test_validation_reports_broad_access_and_lockout(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    fine = document(granting({"AWS": "arn:aws:iam::111122223333:root"}, "secretsmanager:GetSecretValue"))
    assert sm.validate_resource_policy(SecretId="s", ResourcePolicy=fine)["PolicyValidationPassed"] is True
    public = document(granting({"AWS": "*"}, "secretsmanager:*"))
    answer = sm.validate_resource_policy(ResourcePolicy=public)
    assert answer["PolicyValidationPassed"] is False
    assert [error["CheckName"] for error in answer["ValidationErrors"]] == ["BROAD_ACCESS_CHECK"]
    locking = document({"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"})
    answer = sm.validate_resource_policy(SecretId="s", ResourcePolicy=locking)
    assert [error["CheckName"] for error in answer["ValidationErrors"]] == ["LOCKOUT_CHECK"]


def test_only_the_default_policy_name_is_accepted(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    policy = document(granting({"AWS": "arn:aws:iam::111122223333:root"}, "secretsmanager:GetSecretValue"))
    assert error_of(sm.put_resource_policy, SecretId="s", ResourcePolicy=policy, PolicyName="other")[0] == (
        "InvalidParameterException"
    )
    assert (
        sm.put_resource_policy(SecretId="s", ResourcePolicy=policy, PolicyName="default")["PolicyName"]
        == "default"
    )


def test_without_permission_the_caller_is_denied_in_aws_words(shieldwall: ServerInfo, sm: Any) -> None:
    arn = sm.create_secret(Name="s", SecretString="v")["ARN"]
    nobody = make_user(shieldwall, "nobody").client("secretsmanager")
    code, status, message = error_of(nobody.get_secret_value, SecretId="s")
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        "User: arn:aws:iam::000000000000:user/nobody is not authorized to perform: secretsmanager:GetSecretValue "
        f"on resource: {arn} because no identity-based policy allows the secretsmanager:GetSecretValue action"
    )


def test_a_same_account_resource_policy_alone_can_allow(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    reader = make_user(shieldwall, "reader").client("secretsmanager")
    assert error_of(reader.get_secret_value, SecretId="s")[0] == "AccessDeniedException"
    grant = document(
        granting({"AWS": "arn:aws:iam::000000000000:user/reader"}, "secretsmanager:GetSecretValue")
    )
    sm.put_resource_policy(SecretId="s", ResourcePolicy=grant)
    assert reader.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_an_explicit_deny_in_the_secret_policy_beats_an_identity_allow(
    shieldwall: ServerInfo, sm: Any
) -> None:
    sm.create_secret(Name="s", SecretString="v")
    reader = make_user(shieldwall, "reader", allow("secretsmanager:*")).client("secretsmanager")
    assert reader.get_secret_value(SecretId="s")["SecretString"] == "v"
    deny = document(
        {
            "Effect": "Deny",
            "Principal": {"AWS": "arn:aws:iam::000000000000:user/reader"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    sm.put_resource_policy(SecretId="s", ResourcePolicy=deny)
    code, _, message = error_of(reader.get_secret_value, SecretId="s")
    assert code == "AccessDeniedException" and "with an explicit deny in a resource-based policy" in message


def test_tag_conditions_read_the_secret_tags(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="team-a", SecretString="a", Tags=[{"Key": "team", "Value": "a"}])
    sm.create_secret(Name="team-b", SecretString="b", Tags=[{"Key": "team", "Value": "b"}])
    condition = {"StringEquals": {"secretsmanager:ResourceTag/team": "a"}}
    reader = make_user(shieldwall, "ann", allow("secretsmanager:GetSecretValue", "*", condition)).client(
        "secretsmanager"
    )
    assert reader.get_secret_value(SecretId="team-a")["SecretString"] == "a"
    assert error_of(reader.get_secret_value, SecretId="team-b")[0] == "AccessDeniedException"


def _shared_secret(owner: ServerInfo, other_account: str, key_id: str | None) -> str:
    sm = owner.client("secretsmanager")
    options = {"KmsKeyId": key_id} if key_id else {}
    arn = str(sm.create_secret(Name="shared", SecretString="across", **options)["ARN"])
    grant = document(granting({"AWS": f"arn:aws:iam::{other_account}:root"}, "secretsmanager:GetSecretValue"))
    sm.put_resource_policy(SecretId="shared", ResourcePolicy=grant)
    return arn


def _key_shared_with(owner: ServerInfo, other_account: str) -> str:
    owner_account = account_of(owner)
    policy = document(
        granting({"AWS": f"arn:aws:iam::{owner_account}:root"}, "kms:*"),
        granting({"AWS": f"arn:aws:iam::{other_account}:root"}, "kms:Decrypt"),
    )
    return str(owner.client("kms").create_key(Policy=policy)["KeyMetadata"]["Arn"])


def test_another_account_reads_with_both_policies_and_a_customer_key(shieldwall: ServerInfo) -> None:
    member = shieldwall.create_account("member")
    member_account = account_of(member)
    arn = _shared_secret(shieldwall, member_account, _key_shared_with(shieldwall, member_account))
    reader = make_user(member, "x", allow("secretsmanager:GetSecretValue", arn), allow("kms:Decrypt"))

    assert reader.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"] == "across"
    assert member.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"] == "across"
    assert error_of(member.client("secretsmanager").get_secret_value, SecretId="shared")[0] == (
        "ResourceNotFoundException"
    )


def test_another_account_needs_the_secret_policy(shieldwall: ServerInfo) -> None:
    member = shieldwall.create_account("member")
    member_account = account_of(member)
    arn = _shared_secret(shieldwall, member_account, _key_shared_with(shieldwall, member_account))
    shieldwall.client("secretsmanager").delete_resource_policy(SecretId=arn)
    code, _, message = error_of(member.client("secretsmanager").get_secret_value, SecretId=arn)
    assert code == "AccessDeniedException" and "resource-based policy" in message


def test_another_account_cannot_use_the_aws_managed_key(shieldwall: ServerInfo) -> None:
    member = shieldwall.create_account("member")
    arn = _shared_secret(shieldwall, account_of(member), None)
    reader = member.client("secretsmanager")
    assert error_of(reader.get_secret_value, SecretId=arn) == KMS_DENIED
    grant = document(
        granting({"AWS": f"arn:aws:iam::{account_of(member)}:root"}, "secretsmanager:PutSecretValue")
    )
    shieldwall.client("secretsmanager").put_resource_policy(SecretId=arn, ResourcePolicy=grant)
    assert error_of(reader.put_secret_value, SecretId=arn, SecretString="x") == KMS_DENIED


def test_another_account_can_write_through_a_customer_key(shieldwall: ServerInfo) -> None:
    member = shieldwall.create_account("member")
    member_account = account_of(member)
    owner_account = account_of(shieldwall)
    policy = document(
        granting({"AWS": f"arn:aws:iam::{owner_account}:root"}, "kms:*"),
        granting({"AWS": f"arn:aws:iam::{member_account}:root"}, ["kms:Decrypt", "kms:GenerateDataKey"]),
    )
    key = shieldwall.client("kms").create_key(Policy=policy)["KeyMetadata"]["Arn"]
    arn = _shared_secret(shieldwall, member_account, key)
    grant = document(
        granting(
            {"AWS": f"arn:aws:iam::{member_account}:root"},
            ["secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue"],
        )
    )
    shieldwall.client("secretsmanager").put_resource_policy(SecretId=arn, ResourcePolicy=grant)
    member.client("secretsmanager").put_secret_value(SecretId=arn, SecretString="from member")
    assert (
        shieldwall.client("secretsmanager").get_secret_value(SecretId="shared")["SecretString"]
        == "from member"
    )
