"""Multi-Region keys: a primary and its replicas share a key id and material across Regions (boto3 clients in
each Region), each with its own policy, state, aliases and grants; rotation, primary changes and deletion."""

from __future__ import annotations

import os
from typing import Any

import pytest
from kms_helpers import account_of, allow, error_of, make_user
from kms_import_helpers import import_material

from shieldwall.testing import ServerInfo

DAY = 86_400
OTHER = "eu-west-1"
THIRD = "ap-southeast-2"


@pytest.fixture
def eu(shieldwall: ServerInfo) -> Any:
    return shieldwall.client("kms", region_name=OTHER)


@pytest.fixture
def primary(kms: Any) -> dict[str, Any]:
    return dict(kms.create_key(MultiRegion=True, Description="primary")["KeyMetadata"])


def replicate(kms: Any, key: dict[str, Any], region: str = OTHER, **extra: Any) -> dict[str, Any]:
    return dict(kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=region, **extra))


def test_a_multi_region_key_has_an_mrk_id_and_a_multi_region_configuration(
    shieldwall: ServerInfo, primary: dict[str, Any]
) -> None:
    account = account_of(shieldwall)

    assert primary["KeyId"].startswith("mrk-") and len(primary["KeyId"]) == 36
    assert primary["MultiRegion"] is True
    assert primary["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY",
        "PrimaryKey": {
            "Arn": f"arn:aws:kms:us-east-1:{account}:key/{primary['KeyId']}",
            "Region": "us-east-1",
        },
        "ReplicaKeys": [],
    }


def test_a_replica_decrypts_the_primarys_ciphertext_in_its_own_region(
    shieldwall: ServerInfo, kms: Any, eu: Any, primary: dict[str, Any]
) -> None:
    account = account_of(shieldwall)
    answer = replicate(kms, primary, Description="replica", Tags=[{"TagKey": "site", "TagValue": "dublin"}])
    replica = answer["ReplicaKeyMetadata"]
    replica_arn = f"arn:aws:kms:{OTHER}:{account}:key/{primary['KeyId']}"

    assert (replica["KeyId"], replica["Arn"], replica["KeyState"], replica["Description"]) == (
        primary["KeyId"],
        replica_arn,
        "Enabled",
        "replica",
    )
    assert replica["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
    assert answer["ReplicaTags"] == [{"TagKey": "site", "TagValue": "dublin"}]
    assert '"Enable IAM User Permissions"' in answer["ReplicaPolicy"]
    blob = kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"across", EncryptionContext={"a": "b"})[
        "CiphertextBlob"
    ]
    decrypted = eu.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})
    assert (decrypted["Plaintext"], decrypted["KeyId"]) == (b"across", replica_arn)
    back = eu.encrypt(KeyId=primary["KeyId"], Plaintext=b"home")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=back)["Plaintext"] == b"home"
    described = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert described["ReplicaKeys"] == [{"Arn": replica_arn, "Region": OTHER}]
    assert eu.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"] == {
        **described,
        "MultiRegionKeyType": "REPLICA",
    }


def test_a_replica_has_its_own_state_aliases_and_grants(kms: Any, eu: Any, primary: dict[str, Any]) -> None:
    replicate(kms, primary)
    blob = kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"x")["CiphertextBlob"]

    eu.create_alias(AliasName="alias/replica-only", TargetKeyId=primary["KeyId"])
    eu.create_grant(
        KeyId=primary["KeyId"], GranteePrincipal="arn:aws:iam::111122223333:role/r", Operations=["Decrypt"]
    )
    eu.disable_key(KeyId=primary["KeyId"])

    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    assert error_of(eu.decrypt, CiphertextBlob=blob)[0] == "DisabledException"
    assert error_of(kms.describe_key, KeyId="alias/replica-only")[0] == "NotFoundException"
    assert kms.list_grants(KeyId=primary["KeyId"])["Grants"] == []
    assert len(eu.list_grants(KeyId=primary["KeyId"])["Grants"]) == 1


def test_a_region_holds_one_replica_of_a_key(kms: Any, primary: dict[str, Any]) -> None:
    replica = replicate(kms, primary)["ReplicaKeyMetadata"]

    assert error_of(replicate, kms=kms, key=primary) == (
        "AlreadyExistsException",
        400,
        f"Key '{replica['Arn']}' already exists",
    )
    assert error_of(replicate, kms=kms, key=primary, region="us-east-1")[0] == "ValidationException"


def test_only_a_multi_region_primary_key_can_be_replicated(
    kms: Any, eu: Any, primary: dict[str, Any]
) -> None:
    single = kms.create_key()["KeyMetadata"]
    replicate(kms, primary)

    assert error_of(replicate, kms=kms, key=single)[0] == "UnsupportedOperationException"
    assert error_of(eu.replicate_key, KeyId=primary["KeyId"], ReplicaRegion=THIRD)[0] == (
        "UnsupportedOperationException"
    )


def test_rotating_the_primary_rotates_the_material_its_replicas_share(
    kms: Any, eu: Any, primary: dict[str, Any]
) -> None:
    replicate(kms, primary)

    kms.rotate_key_on_demand(KeyId=primary["KeyId"])
    kms.enable_key_rotation(KeyId=primary["KeyId"])
    blob = kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"rotated")["CiphertextBlob"]

    current = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    assert eu.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == current
    assert eu.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == current
    assert [r["RotationType"] for r in eu.list_key_rotations(KeyId=primary["KeyId"])["Rotations"]] == [
        "ON_DEMAND"
    ]
    assert eu.get_key_rotation_status(KeyId=primary["KeyId"])["KeyRotationEnabled"] is True
    for operation in (eu.enable_key_rotation, eu.disable_key_rotation, eu.rotate_key_on_demand):
        assert error_of(operation, KeyId=primary["KeyId"])[0] == "UnsupportedOperationException"


def test_update_primary_region_makes_a_replica_the_primary(
    shieldwall: ServerInfo, kms: Any, eu: Any, primary: dict[str, Any]
) -> None:
    replicate(kms, primary)
    replicate(kms, primary, THIRD)

    kms.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion=OTHER)

    config = eu.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert (config["MultiRegionKeyType"], config["PrimaryKey"]["Region"]) == ("PRIMARY", OTHER)
    assert sorted(replica["Region"] for replica in config["ReplicaKeys"]) == sorted(["us-east-1", THIRD])
    old = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert old["MultiRegionKeyType"] == "REPLICA"
    third = shieldwall.client("kms", region_name=THIRD).describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert third["MultiRegionConfiguration"]["PrimaryKey"]["Region"] == OTHER
    eu.rotate_key_on_demand(KeyId=primary["KeyId"])
    assert (
        kms.decrypt(CiphertextBlob=eu.encrypt(KeyId=primary["KeyId"], Plaintext=b"n")["CiphertextBlob"])[
            "Plaintext"
        ]
        == b"n"
    )
    assert error_of(kms.replicate_key, KeyId=primary["KeyId"], ReplicaRegion="us-west-2")[0] == (
        "UnsupportedOperationException"
    )


def test_update_primary_region_needs_a_replica_in_that_region(kms: Any, primary: dict[str, Any]) -> None:
    code, _, message = error_of(kms.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion=OTHER)

    assert (code, message) == (
        "NotFoundException",
        f"Key '{primary['Arn'].replace('us-east-1', OTHER)}' does not exist",
    )


def test_a_primary_with_replicas_is_deleted_after_its_last_replica(
    shieldwall: ServerInfo, kms: Any, eu: Any, primary: dict[str, Any]
) -> None:
    replicate(kms, primary)

    answer = kms.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)

    assert (answer["KeyState"], answer["PendingWindowInDays"], "DeletionDate" in answer) == (
        "PendingReplicaDeletion",
        7,
        False,
    )
    waiting = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert (waiting["KeyState"], waiting["PendingDeletionWindowInDays"], "DeletionDate" in waiting) == (
        "PendingReplicaDeletion",
        7,
        False,
    )
    assert error_of(kms.encrypt, KeyId=primary["KeyId"], Plaintext=b"x")[0] == "KMSInvalidStateException"
    eu.schedule_key_deletion(KeyId=primary["KeyId"], PendingWindowInDays=7)
    shieldwall.advance_clock(8 * DAY)
    assert error_of(eu.describe_key, KeyId=primary["KeyId"])[0] == "NotFoundException"
    pending = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert (pending["KeyState"], pending["MultiRegionConfiguration"]["ReplicaKeys"]) == (
        "PendingDeletion",
        [],
    )
    shieldwall.advance_clock(7 * DAY)
    assert error_of(kms.describe_key, KeyId=primary["KeyId"])[0] == "NotFoundException"


def test_cancelling_a_primarys_deletion_while_it_waits_for_replicas(
    kms: Any, primary: dict[str, Any]
) -> None:
    replicate(kms, primary)
    kms.schedule_key_deletion(KeyId=primary["KeyId"])

    kms.cancel_key_deletion(KeyId=primary["KeyId"])

    assert kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_replicate_key_needs_replicate_key_on_the_primary_and_create_key_for_the_replica(
    shieldwall: ServerInfo, primary: dict[str, Any]
) -> None:
    half = make_user(shieldwall, "half", allow("kms:ReplicateKey")).client("kms")
    full = make_user(shieldwall, "full", allow(["kms:ReplicateKey", "kms:CreateKey"])).client("kms")

    code, _, message = error_of(half.replicate_key, KeyId=primary["KeyId"], ReplicaRegion=OTHER)
    assert (code, message.endswith("because no identity-based policy allows the kms:CreateKey action")) == (
        "AccessDeniedException",
        True,
    )
    assert (
        full.replicate_key(KeyId=primary["KeyId"], ReplicaRegion=OTHER)["ReplicaKeyMetadata"]["KeyId"]
        == (primary["KeyId"])
    )


def test_an_imported_primarys_replica_imports_the_same_material(kms: Any, eu: Any) -> None:
    key = kms.create_key(MultiRegion=True, Origin="EXTERNAL")["KeyMetadata"]
    material = os.urandom(32)
    import_material(kms, key["KeyId"], material)
    replica = replicate(kms, key)["ReplicaKeyMetadata"]
    assert replica["KeyState"] == "PendingImport"

    assert error_of(import_material, kms=eu, key_id=key["KeyId"], material=os.urandom(32))[0] == (
        "IncorrectKeyMaterialException"
    )
    import_material(eu, key["KeyId"], material)
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"imported")["CiphertextBlob"]
    assert eu.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"


def test_changing_the_primary_needs_enabled_keys_and_a_primary_to_change(
    kms: Any, eu: Any, primary: dict[str, Any]
) -> None:
    replicate(kms, primary)

    assert error_of(kms.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion="us-east-1")[0] == (
        "ValidationException"
    )
    assert error_of(eu.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion="us-east-1")[0] == (
        "UnsupportedOperationException"
    )
    eu.disable_key(KeyId=primary["KeyId"])
    assert (
        error_of(kms.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion=OTHER)[0]
        == "DisabledException"
    )
    kms.disable_key(KeyId=primary["KeyId"])
    assert error_of(replicate, kms=kms, key=primary, region=THIRD)[0] == "DisabledException"
