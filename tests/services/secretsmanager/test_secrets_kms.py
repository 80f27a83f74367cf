"""Secret values encrypted for real through shieldwall's KMS: key states, key policies, IAM, encryption context,
a change of key, and the KMS events the audit trail records."""

from __future__ import annotations

import json
from typing import Any

from secrets_helpers import allow, document, error_of, make_user

from shieldwall.testing import ServerInfo

KMS_DENIED = ("AccessDeniedException", 400, "Access to KMS is not allowed")
ROOT = "arn:aws:iam::000000000000:root"


def assert_kms_failure(
    raised: tuple[str, int, str], sm_code: str, verb: str, kms_message: str, kms_code: str
) -> None:
    code, status, message = raised
    assert (code, status) == (sm_code, 400)
    assert message.startswith(
        f"Secrets Manager can't {verb} the secret value: {kms_message} (Service: AWSKMS; Status Code: 400; "
        f"Error Code: {kms_code}; Request ID: "
    )
    assert message.endswith("; Proxy: null)")


def test_a_customer_managed_key_encrypts_the_secret(sm: Any, key_arn: str) -> None:
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key_arn)
    assert sm.describe_secret(SecretId="s")["KmsKeyId"] == key_arn
    assert sm.list_secret_version_ids(SecretId="s")["Versions"][0]["KmsKeyIds"] == [key_arn]
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_a_key_named_by_alias_is_resolved_to_its_arn(sm: Any, kms: Any, key_arn: str) -> None:
    kms.create_alias(AliasName="alias/app", TargetKeyId=key_arn)
    sm.create_secret(Name="s", SecretString="v", KmsKeyId="alias/app")
    assert sm.describe_secret(SecretId="s")["KmsKeyId"] == key_arn


def test_the_aws_managed_key_is_created_on_first_use(sm: Any, kms: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    key = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
    assert key["KeyManager"] == "AWS"
    assert "KmsKeyId" not in sm.describe_secret(SecretId="s")


def test_a_disabled_key_makes_the_secret_unreadable_until_enabled(sm: Any, kms: Any, key_arn: str) -> None:
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key_arn)
    kms.disable_key(KeyId=key_arn)

    assert_kms_failure(
        error_of(sm.get_secret_value, SecretId="s"),
        "DecryptionFailure",
        "decrypt",
        f"{key_arn} is disabled.",
        "DisabledException",
    )
    assert_kms_failure(
        error_of(sm.put_secret_value, SecretId="s", SecretString="w"),
        "EncryptionFailure",
        "encrypt",
        f"{key_arn} is disabled.",
        "DisabledException",
    )

    kms.enable_key(KeyId=key_arn)
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_a_key_pending_deletion_makes_the_secret_unreadable(sm: Any, kms: Any, key_arn: str) -> None:
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key_arn)
    kms.schedule_key_deletion(KeyId=key_arn, PendingWindowInDays=7)
    assert_kms_failure(
        error_of(sm.get_secret_value, SecretId="s"),
        "DecryptionFailure",
        "decrypt",
        f"{key_arn} is pending deletion.",
        "KMSInvalidStateException",
    )
    kms.cancel_key_deletion(KeyId=key_arn)
    kms.enable_key(KeyId=key_arn)
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_a_key_policy_that_stops_allowing_the_caller_denies_the_read(
    shieldwall: ServerInfo, sm: Any, kms: Any, key_arn: str
) -> None:
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key_arn)
    alice = make_user(shieldwall, "alice", allow("secretsmanager:GetSecretValue"), allow("kms:Decrypt"))
    reader = alice.client("secretsmanager")
    assert reader.get_secret_value(SecretId="s")["SecretString"] == "v"
    default_policy = kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    denying = document(
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Principal": {"AWS": "arn:aws:iam::000000000000:user/alice"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        },
    )
    kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=denying)

    assert error_of(reader.get_secret_value, SecretId="s") == KMS_DENIED

    kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=default_policy)
    assert reader.get_secret_value(SecretId="s")["SecretString"] == "v"


def test_the_aws_managed_key_needs_no_kms_permission_but_a_customer_key_does(
    shieldwall: ServerInfo, sm: Any, key_arn: str
) -> None:
    sm.create_secret(Name="default", SecretString="d")
    sm.create_secret(Name="custom", SecretString="c", KmsKeyId=key_arn)
    reader = make_user(shieldwall, "bob", allow("secretsmanager:GetSecretValue")).client("secretsmanager")

    assert reader.get_secret_value(SecretId="default")["SecretString"] == "d"
    assert error_of(reader.get_secret_value, SecretId="custom") == KMS_DENIED


def test_an_explicit_deny_of_kms_decrypt_denies_even_the_managed_key(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v")
    reader = make_user(
        shieldwall,
        "carol",
        allow("secretsmanager:GetSecretValue"),
        {"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
    ).client("secretsmanager")
    assert error_of(reader.get_secret_value, SecretId="s") == KMS_DENIED


def test_iam_can_condition_kms_use_on_the_secret_arn_in_the_encryption_context(
    shieldwall: ServerInfo, sm: Any, key_arn: str
) -> None:
    mine = sm.create_secret(Name="mine", SecretString="m", KmsKeyId=key_arn)["ARN"]
    sm.create_secret(Name="theirs", SecretString="t", KmsKeyId=key_arn)
    condition = {"StringEquals": {"kms:EncryptionContext:SecretARN": mine}}
    reader = make_user(
        shieldwall, "dave", allow("secretsmanager:GetSecretValue"), allow("kms:Decrypt", key_arn, condition)
    ).client("secretsmanager")

    assert reader.get_secret_value(SecretId="mine")["SecretString"] == "m"
    assert error_of(reader.get_secret_value, SecretId="theirs") == KMS_DENIED


def test_writing_needs_generate_data_key_through_secrets_manager(
    shieldwall: ServerInfo, sm: Any, key_arn: str
) -> None:
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key_arn)
    via = {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}
    writer = make_user(shieldwall, "erin", allow("secretsmanager:PutSecretValue")).client("secretsmanager")
    assert error_of(writer.put_secret_value, SecretId="s", SecretString="w") == KMS_DENIED
    shieldwall.client("iam").put_user_policy(
        UserName="erin",
        PolicyName="p",
        PolicyDocument=document(
            allow("secretsmanager:PutSecretValue"), allow("kms:GenerateDataKey", key_arn, via)
        ),
    )
    writer.put_secret_value(SecretId="s", SecretString="w")
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "w"


def test_changing_the_key_reencrypts_only_the_labelled_versions(sm: Any, kms: Any, key_arn: str) -> None:
    old = sm.create_secret(Name="s", SecretString="v1")["VersionId"]
    previous = sm.put_secret_value(SecretId="s", SecretString="v2")["VersionId"]
    current = sm.put_secret_value(SecretId="s", SecretString="v3")["VersionId"]

    sm.update_secret(SecretId="s", KmsKeyId=key_arn)
    newest = sm.put_secret_value(SecretId="s", SecretString="v4")["VersionId"]

    keys = {
        v["VersionId"]: v["KmsKeyIds"]
        for v in sm.list_secret_version_ids(SecretId="s", IncludeDeprecated=True)["Versions"]
    }
    assert keys == {
        old: ["DefaultEncryptionKey"],
        previous: ["DefaultEncryptionKey", key_arn],
        current: ["DefaultEncryptionKey", key_arn],
        newest: [key_arn],
    }
    kms.disable_key(KeyId=key_arn)
    assert sm.get_secret_value(SecretId="s", VersionId=old)["SecretString"] == "v1"
    assert error_of(sm.get_secret_value, SecretId="s", VersionId=current)[0] == "DecryptionFailure"


def test_after_a_key_change_disabling_the_old_key_leaves_the_labelled_versions_readable(
    sm: Any, kms: Any, key_arn: str
) -> None:
    other = kms.create_key()["KeyMetadata"]["Arn"]
    old = sm.create_secret(Name="s", SecretString="v1", KmsKeyId=key_arn)["VersionId"]
    sm.put_secret_value(SecretId="s", SecretString="v2")
    sm.put_secret_value(SecretId="s", SecretString="v3")
    sm.update_secret(SecretId="s", KmsKeyId=other)
    kms.disable_key(KeyId=key_arn)

    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v3"
    assert sm.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")["SecretString"] == "v2"
    assert error_of(sm.get_secret_value, SecretId="s", VersionId=old)[0] == "DecryptionFailure"
    assert sm.describe_secret(SecretId="s")["KmsKeyId"] == other


def test_an_unknown_key_is_answered_as_an_encryption_failure(sm: Any) -> None:
    missing = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"
    assert_kms_failure(
        error_of(sm.create_secret, Name="s", SecretString="v", KmsKeyId=missing),
        "EncryptionFailure",
        "encrypt",
        f"Key '{missing}' does not exist",
        "NotFoundException",
    )


def test_the_trail_records_the_kms_calls_secrets_manager_makes(
    shieldwall: ServerInfo, sm: Any, key_arn: str
) -> None:
    arn = sm.create_secret(Name="s", SecretString="TRAIL-MARKER", KmsKeyId=key_arn)["ARN"]
    version = sm.get_secret_value(SecretId="s")["VersionId"]
    trail = shieldwall.client("cloudtrail")

    events = {}
    for name in ("Decrypt", "GenerateDataKey", "GetSecretValue", "CreateSecret"):
        found = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])
        events[name] = [json.loads(e["CloudTrailEvent"]) for e in found["Events"]]

    decrypt = events["Decrypt"][0]
    assert decrypt["eventSource"] == "kms.amazonaws.com"
    assert decrypt["userIdentity"]["invokedBy"] == "secretsmanager.amazonaws.com"
    assert decrypt["requestParameters"]["encryptionContext"] == {"SecretARN": arn, "SecretVersionId": version}
    assert decrypt["resources"][0]["ARN"] == key_arn
    assert events["GenerateDataKey"][0]["requestParameters"]["encryptionContext"]["SecretARN"] == arn
    for name in ("GetSecretValue", "CreateSecret"):
        assert "TRAIL-MARKER" not in json.dumps(events[name])


def test_a_retried_token_is_no_oracle_for_a_caller_who_cannot_decrypt(
    shieldwall: ServerInfo, sm: Any, key_arn: str
) -> None:
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key_arn)
    token = sm.put_secret_value(SecretId="s", SecretString="guess-me")["VersionId"]
    writer = make_user(
        shieldwall, "mallory", allow("secretsmanager:PutSecretValue"), allow("kms:GenerateDataKey")
    ).client("secretsmanager")
    for guess in ("guess-me", "wrong"):
        assert error_of(
            writer.put_secret_value, SecretId="s", SecretString=guess, ClientRequestToken=token
        ) == (KMS_DENIED)


def test_the_root_user_is_judged_by_the_key_policy_of_a_customer_key(sm: Any, kms: Any, key_arn: str) -> None:
    """Root's own secretsmanager:GetSecretValue needs nothing, but the kms:Decrypt made for it still needs the key
    policy: a policy that stops allowing the account denies root's read too."""
    sm.create_secret(Name="s", SecretString="v", KmsKeyId=key_arn)
    default_policy = kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    others_only = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::000000000000:user/alice"},
            "Action": "kms:*",
            "Resource": "*",
        },
    )
    kms.put_key_policy(
        KeyId=key_arn, PolicyName="default", Policy=others_only, BypassPolicyLockoutSafetyCheck=True
    )

    assert error_of(sm.get_secret_value, SecretId="s") == KMS_DENIED

    # The lockout check was bypassed: the account (root included) can no longer change the policy either.
    denied = error_of(kms.put_key_policy, KeyId=key_arn, PolicyName="default", Policy=default_policy)
    assert denied[0] == "AccessDeniedException"
