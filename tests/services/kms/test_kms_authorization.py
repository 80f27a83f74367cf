"""Key policies judged with IAM policies as AWS judges them: delegation to IAM through the account root, direct
grants, lock-out, cross-account access needing both sides, and the KMS condition keys."""

from __future__ import annotations

from typing import Any

from kms_helpers import (
    account_of,
    allow,
    error_of,
    key_policy,
    make_user,
    root_statement,
    statement,
    user_arn,
)

from shieldwall.testing import ServerInfo

ENCRYPT = {"Plaintext": b"secret"}


def key_with_policy(kms: Any, policy: str) -> dict[str, Any]:
    return dict(kms.create_key(Policy=policy, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"])


def denial(server_user: str, action: str, arn: str, side: str) -> tuple[str, int, str]:
    return (
        "AccessDeniedException",
        400,
        f"User: {server_user} is not authorized to perform: {action} on resource: {arn} "
        f"because no {side} policy allows the {action} action",
    )


def test_an_iam_policy_grants_use_of_a_key_with_the_default_key_policy(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    alice = make_user(shieldwall, "alice", allow(["kms:Encrypt", "kms:Decrypt"], key["Arn"])).client("kms")
    bob = make_user(shieldwall, "bob").client("kms")

    blob = alice.encrypt(KeyId=key["KeyId"], **ENCRYPT)["CiphertextBlob"]

    assert alice.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    assert error_of(bob.encrypt, KeyId=key["KeyId"], **ENCRYPT) == denial(
        user_arn(shieldwall, "bob"), "kms:Encrypt", key["Arn"], "identity-based"
    )


def test_without_the_root_statement_iam_policies_and_the_root_user_are_locked_out(
    shieldwall: ServerInfo, kms: Any
) -> None:
    account = account_of(shieldwall)
    key = key_with_policy(kms, key_policy(statement({"AWS": user_arn(shieldwall, "admin")}, "kms:*")))
    alice = make_user(shieldwall, "alice", allow("kms:*")).client("kms")

    assert error_of(alice.encrypt, KeyId=key["KeyId"], **ENCRYPT) == denial(
        user_arn(shieldwall, "alice"), "kms:Encrypt", key["Arn"], "resource-based"
    )
    assert error_of(kms.encrypt, KeyId=key["KeyId"], **ENCRYPT) == denial(
        f"arn:aws:iam::{account}:root", "kms:Encrypt", key["Arn"], "resource-based"
    )


def test_a_key_policy_naming_the_user_needs_no_iam_policy(shieldwall: ServerInfo, kms: Any) -> None:
    account = account_of(shieldwall)
    carol = make_user(shieldwall, "carol")
    policy = key_policy(
        root_statement(account), statement({"AWS": user_arn(shieldwall, "carol")}, "kms:Encrypt")
    )
    key = key_with_policy(kms, policy)

    answer = carol.client("kms").encrypt(KeyId=key["KeyId"], **ENCRYPT)

    assert answer["KeyId"] == key["Arn"]
    assert error_of(carol.client("kms").decrypt, CiphertextBlob=answer["CiphertextBlob"])[0] == (
        "AccessDeniedException"
    )


def test_an_explicit_deny_in_the_key_policy_overrides_an_iam_allow(shieldwall: ServerInfo, kms: Any) -> None:
    account = account_of(shieldwall)
    policy = key_policy(
        root_statement(account),
        statement({"AWS": user_arn(shieldwall, "dave")}, "kms:Encrypt", effect="Deny"),
    )
    key = key_with_policy(kms, policy)
    dave = make_user(shieldwall, "dave", allow("kms:*")).client("kms")

    code, _, message = error_of(dave.encrypt, KeyId=key["KeyId"], **ENCRYPT)
    assert code == "AccessDeniedException"
    assert message.endswith("with an explicit deny in a resource-based policy")


def test_cross_account_use_needs_the_key_policy_and_the_callers_iam_policy(
    shieldwall: ServerInfo, kms: Any
) -> None:
    other = shieldwall.create_account("partner")
    partner = account_of(other)
    owner = account_of(shieldwall)
    shared = key_with_policy(
        kms, key_policy(root_statement(owner), statement({"AWS": f"arn:aws:iam::{partner}:root"}, "kms:*"))
    )
    private = kms.create_key()["KeyMetadata"]
    with_iam = make_user(other, "worker", allow("kms:*")).client("kms")
    without_iam = make_user(other, "idle").client("kms")

    blob = with_iam.encrypt(KeyId=shared["Arn"], **ENCRYPT)["CiphertextBlob"]
    assert with_iam.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    assert error_of(without_iam.encrypt, KeyId=shared["Arn"], **ENCRYPT) == denial(
        f"arn:aws:iam::{partner}:user/idle", "kms:Encrypt", shared["Arn"], "identity-based"
    )
    assert error_of(with_iam.encrypt, KeyId=private["Arn"], **ENCRYPT) == denial(
        f"arn:aws:iam::{partner}:user/worker", "kms:Encrypt", private["Arn"], "resource-based"
    )


def test_a_key_id_names_a_key_of_the_callers_own_account(shieldwall: ServerInfo, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    other = shieldwall.create_account("elsewhere").client("kms")

    assert error_of(other.describe_key, KeyId=key["KeyId"])[0] == "NotFoundException"


def test_managing_a_key_of_another_account_is_denied_whatever_its_policy_says(
    shieldwall: ServerInfo, kms: Any
) -> None:
    other = shieldwall.create_account("partner")
    partner = account_of(other)
    owner = account_of(shieldwall)
    shared = key_with_policy(
        kms, key_policy(root_statement(owner), statement({"AWS": f"arn:aws:iam::{partner}:root"}, "kms:*"))
    )

    code, _, message = error_of(other.client("kms").disable_key, KeyId=shared["Arn"])
    assert code == "AccessDeniedException"
    assert message.endswith("because no resource-based policy allows the kms:DisableKey action")
    assert kms.describe_key(KeyId=shared["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_an_encryption_context_condition_limits_use_of_the_key(shieldwall: ServerInfo, kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    condition = {"StringEquals": {"kms:EncryptionContext:project": "alpha"}}
    erin = make_user(shieldwall, "erin", allow(["kms:Encrypt", "kms:Decrypt"], key["Arn"], condition)).client(
        "kms"
    )

    blob = erin.encrypt(KeyId=key["KeyId"], EncryptionContext={"project": "alpha"}, **ENCRYPT)[
        "CiphertextBlob"
    ]

    assert erin.decrypt(CiphertextBlob=blob, EncryptionContext={"project": "alpha"})["Plaintext"] == b"secret"
    assert error_of(erin.encrypt, KeyId=key["KeyId"], EncryptionContext={"project": "beta"}, **ENCRYPT)[
        0
    ] == ("AccessDeniedException")
    assert error_of(erin.encrypt, KeyId=key["KeyId"], **ENCRYPT)[0] == "AccessDeniedException"


def test_alias_condition_keys_are_what_the_request_named_and_what_the_key_has(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
    by_name = make_user(
        shieldwall, "frank", allow("kms:Encrypt", "*", {"StringEquals": {"kms:RequestAlias": "alias/app"}})
    ).client("kms")
    by_alias = make_user(
        shieldwall,
        "grace",
        allow("kms:Encrypt", "*", {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}),
    ).client("kms")

    assert by_name.encrypt(KeyId="alias/app", **ENCRYPT)["KeyId"] == key["Arn"]
    assert error_of(by_name.encrypt, KeyId=key["KeyId"], **ENCRYPT)[0] == "AccessDeniedException"
    assert by_alias.encrypt(KeyId=key["KeyId"], **ENCRYPT)["KeyId"] == key["Arn"]


def test_re_encrypt_needs_re_encrypt_from_on_the_source_and_re_encrypt_to_on_the_destination(
    shieldwall: ServerInfo, kms: Any
) -> None:
    source = kms.create_key()["KeyMetadata"]
    destination = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=source["KeyId"], **ENCRYPT)["CiphertextBlob"]
    half = make_user(shieldwall, "half", allow("kms:ReEncryptFrom", source["Arn"])).client("kms")
    full = make_user(
        shieldwall,
        "full",
        allow(["kms:ReEncryptFrom", "kms:ReEncryptTo"], [source["Arn"], destination["Arn"]]),
    ).client("kms")

    assert error_of(half.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination["KeyId"]) == denial(
        user_arn(shieldwall, "half"), "kms:ReEncryptTo", destination["Arn"], "identity-based"
    )
    answer = full.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    assert answer["KeyId"] == destination["Arn"]


def test_creating_an_alias_needs_permission_on_the_alias_and_on_the_key(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    alias_arn = f"arn:aws:kms:us-east-1:{account_of(shieldwall)}:alias/named"
    key_only = make_user(shieldwall, "keyonly", allow("kms:CreateAlias", key["Arn"])).client("kms")
    both = make_user(shieldwall, "both", allow("kms:CreateAlias", [key["Arn"], alias_arn])).client("kms")

    assert error_of(key_only.create_alias, AliasName="alias/named", TargetKeyId=key["KeyId"]) == denial(
        user_arn(shieldwall, "keyonly"), "kms:CreateAlias", alias_arn, "identity-based"
    )
    both.create_alias(AliasName="alias/named", TargetKeyId=key["KeyId"])
    assert kms.describe_key(KeyId="alias/named")["KeyMetadata"]["KeyId"] == key["KeyId"]


def test_create_key_is_an_iam_permission_with_key_spec_conditions(shieldwall: ServerInfo) -> None:
    condition = {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}}
    henry = make_user(shieldwall, "henry", allow("kms:CreateKey", "*", condition)).client("kms")

    metadata = henry.create_key()["KeyMetadata"]

    assert metadata["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert error_of(henry.create_key, KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")[0] == (
        "AccessDeniedException"
    )
    assert error_of(henry.create_key, Tags=[{"TagKey": "a", "TagValue": "b"}])[2].endswith(
        "because no identity-based policy allows the kms:TagResource action"
    )


def test_an_aws_managed_key_is_used_only_through_its_service(kms: Any) -> None:
    metadata = kms.describe_key(KeyId="alias/aws/ssm")["KeyMetadata"]

    code, _, message = error_of(kms.encrypt, KeyId="alias/aws/ssm", **ENCRYPT)
    assert code == "AccessDeniedException"
    assert message.endswith("because no resource-based policy allows the kms:Encrypt action")
    assert error_of(kms.disable_key, KeyId=metadata["KeyId"])[0] == "AccessDeniedException"
    assert kms.list_key_policies(KeyId=metadata["KeyId"])["PolicyNames"] == ["default"]


def test_resource_tag_conditions_read_the_keys_tags(shieldwall: ServerInfo, kms: Any) -> None:
    tagged = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "core"}])["KeyMetadata"]
    untagged = kms.create_key()["KeyMetadata"]
    ivy = make_user(
        shieldwall, "ivy", allow("kms:Encrypt", "*", {"StringEquals": {"aws:ResourceTag/team": "core"}})
    ).client("kms")

    assert ivy.encrypt(KeyId=tagged["KeyId"], **ENCRYPT)["KeyId"] == tagged["Arn"]
    assert error_of(ivy.encrypt, KeyId=untagged["KeyId"], **ENCRYPT)[0] == "AccessDeniedException"
