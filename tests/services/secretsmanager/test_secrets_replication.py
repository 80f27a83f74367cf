"""Multi-Region secrets: replicas readable in their Region under their own key, kept in step with the primary."""

from __future__ import annotations

from typing import Any

from secrets_helpers import error_of

from shieldwall.testing import ServerInfo

REPLICA_REGION = "eu-west-1"


def test_a_replica_is_readable_in_its_region_under_its_own_key(shieldwall: ServerInfo, sm: Any) -> None:
    created = sm.create_secret(Name="s", SecretString="v1", AddReplicaRegions=[{"Region": REPLICA_REGION}])
    assert created["ReplicationStatus"] == [
        {
            "Region": REPLICA_REGION,
            "KmsKeyId": "alias/aws/secretsmanager",
            "Status": "InSync",
            "StatusMessage": "Replication succeeded",
        }
    ]
    remote = shieldwall.client("secretsmanager", region_name=REPLICA_REGION)

    value = remote.get_secret_value(SecretId="s")

    assert value["SecretString"] == "v1"
    assert value["ARN"] == created["ARN"].replace(":us-east-1:", f":{REPLICA_REGION}:")
    assert value["VersionId"] == created["VersionId"]
    described = remote.describe_secret(SecretId="s")
    assert described["PrimaryRegion"] == "us-east-1"
    remote_kms = shieldwall.client("kms", region_name=REPLICA_REGION)
    assert remote_kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["Arn"].startswith(
        f"arn:aws:kms:{REPLICA_REGION}:"
    )


def test_writes_to_the_primary_reach_the_replica(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v1")
    remote_key = shieldwall.client("kms", region_name=REPLICA_REGION).create_key()["KeyMetadata"]["Arn"]
    answer = sm.replicate_secret_to_regions(
        SecretId="s", AddReplicaRegions=[{"Region": REPLICA_REGION, "KmsKeyId": remote_key}]
    )
    assert answer["ReplicationStatus"][0]["KmsKeyId"] == remote_key
    sm.put_secret_value(SecretId="s", SecretString="v2")
    sm.update_secret(SecretId="s", Description="replicated")
    sm.tag_resource(SecretId="s", Tags=[{"Key": "k", "Value": "v"}])
    remote = shieldwall.client("secretsmanager", region_name=REPLICA_REGION)

    assert remote.get_secret_value(SecretId="s")["SecretString"] == "v2"
    assert remote.get_secret_value(SecretId="s", VersionStage="AWSPREVIOUS")["SecretString"] == "v1"
    described = remote.describe_secret(SecretId="s")
    assert (described["Description"], described["Tags"]) == ("replicated", [{"Key": "k", "Value": "v"}])
    versions = remote.list_secret_version_ids(SecretId="s")["Versions"]
    assert {key for version in versions for key in version["KmsKeyIds"]} == {remote_key}


def test_a_replica_is_changed_only_through_its_primary(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v1", AddReplicaRegions=[{"Region": REPLICA_REGION}])
    remote = shieldwall.client("secretsmanager", region_name=REPLICA_REGION)
    expected = (
        "InvalidParameterException",
        400,
        "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
    )
    assert error_of(remote.put_secret_value, SecretId="s", SecretString="x") == expected
    assert error_of(remote.delete_secret, SecretId="s") == expected
    assert error_of(sm.delete_secret, SecretId="s") == (
        "InvalidParameterException",
        400,
        f"You can't delete secret s that still has replica regions [{REPLICA_REGION}]",
    )


def test_removing_a_region_deletes_its_replica(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v1", AddReplicaRegions=[{"Region": REPLICA_REGION}])
    answer = sm.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[REPLICA_REGION])
    assert answer["ReplicationStatus"] == []
    remote = shieldwall.client("secretsmanager", region_name=REPLICA_REGION)
    assert error_of(remote.describe_secret, SecretId="s")[0] == "ResourceNotFoundException"
    sm.delete_secret(SecretId="s", ForceDeleteWithoutRecovery=True)


def test_stopping_replication_promotes_the_replica(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v1", AddReplicaRegions=[{"Region": REPLICA_REGION}])
    remote = shieldwall.client("secretsmanager", region_name=REPLICA_REGION)
    remote.stop_replication_to_replica(SecretId="s")

    remote.put_secret_value(SecretId="s", SecretString="standalone")
    assert "PrimaryRegion" not in remote.describe_secret(SecretId="s")
    assert "ReplicationStatus" not in sm.describe_secret(SecretId="s")
    assert sm.get_secret_value(SecretId="s")["SecretString"] == "v1"
    assert error_of(sm.stop_replication_to_replica, SecretId="s")[0] == "InvalidRequestException"


def test_an_existing_secret_in_the_region_is_overwritten_only_when_forced(
    shieldwall: ServerInfo, sm: Any
) -> None:
    remote = shieldwall.client("secretsmanager", region_name=REPLICA_REGION)
    remote.create_secret(Name="s", SecretString="theirs")
    sm.create_secret(Name="s", SecretString="ours")

    failed = sm.replicate_secret_to_regions(SecretId="s", AddReplicaRegions=[{"Region": REPLICA_REGION}])
    assert failed["ReplicationStatus"][0]["Status"] == "Failed"
    assert remote.get_secret_value(SecretId="s")["SecretString"] == "theirs"

    sm.remove_regions_from_replication(SecretId="s", RemoveReplicaRegions=[REPLICA_REGION])
    forced = sm.replicate_secret_to_regions(
        SecretId="s", AddReplicaRegions=[{"Region": REPLICA_REGION}], ForceOverwriteReplicaSecret=True
    )
    assert forced["ReplicationStatus"][0]["Status"] == "InSync"
    assert remote.get_secret_value(SecretId="s")["SecretString"] == "ours"


def test_a_region_that_does_not_exist_is_refused(sm: Any) -> None:
    sm.create_secret(Name="s", SecretString="v1")
    for region in ("mars-north-1", "us-east-1"):
        assert error_of(
            sm.replicate_secret_to_regions, SecretId="s", AddReplicaRegions=[{"Region": region}]
        ) == (
            "InvalidParameterException",
            400,
            "Invalid replica region.",
        )
