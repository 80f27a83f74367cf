"""Scheduled deletion and key rotation, driven by the server's clock, across a server restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from kms_helpers import error_of

from shieldwall.testing import ServerInfo, ShieldwallServer

DAY = 86_400


def test_schedule_key_deletion_waits_thirty_days_by_default_and_can_be_cancelled(
    kms: Any, key_id: str
) -> None:
    answer = kms.schedule_key_deletion(KeyId=key_id)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]

    assert (answer["KeyState"], answer["PendingWindowInDays"], answer["KeyId"]) == (
        "PendingDeletion",
        30,
        metadata["Arn"],
    )
    assert (metadata["KeyState"], metadata["Enabled"], metadata["PendingDeletionWindowInDays"]) == (
        "PendingDeletion",
        False,
        30,
    )
    assert metadata["DeletionDate"] == answer["DeletionDate"]
    assert (metadata["DeletionDate"] - metadata["CreationDate"]).days in (29, 30)
    assert error_of(kms.schedule_key_deletion, KeyId=key_id)[2] == f"{metadata['Arn']} is pending deletion."

    assert kms.cancel_key_deletion(KeyId=key_id)["KeyId"] == metadata["Arn"]
    after = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert after["KeyState"] == "Disabled" and "DeletionDate" not in after
    assert error_of(kms.cancel_key_deletion, KeyId=key_id) == (
        "KMSInvalidStateException",
        400,
        f"{metadata['Arn']} is not pending deletion.",
    )


@pytest.mark.parametrize(
    ("days", "bound"), [(6, "greater than or equal to 7"), (31, "less than or equal to 30")]
)
def test_the_waiting_period_is_seven_to_thirty_days(kms: Any, key_id: str, days: int, bound: str) -> None:
    assert error_of(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=days) == (
        "ValidationException",
        400,
        f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: "
        f"Member must have value {bound}",
    )


def test_a_key_is_deleted_with_its_aliases_once_the_clock_passes_its_deletion_date(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    kms.create_alias(AliasName="alias/doomed", TargetKeyId=key_id)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)

    shieldwall.advance_clock(7 * DAY - 60)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    shieldwall.advance_clock(120)

    assert error_of(kms.describe_key, KeyId=key_id) == (
        "NotFoundException",
        400,
        f"Key '{arn}' does not exist",
    )
    assert key_id not in [entry["KeyId"] for entry in kms.list_keys()["Keys"]]
    assert "alias/doomed" not in [alias["AliasName"] for alias in kms.list_aliases()["Aliases"]]


def test_automatic_rotation_adds_material_each_period_and_old_ciphertext_still_decrypts(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    first = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    old = kms.encrypt(KeyId=key_id, Plaintext=b"written before rotation")["CiphertextBlob"]
    kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key_id)
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"]) == (True, 90)

    shieldwall.advance_clock(181 * DAY)

    rotations = kms.list_key_rotations(KeyId=key_id)["Rotations"]
    assert [entry["RotationType"] for entry in rotations] == ["AUTOMATIC", "AUTOMATIC"]
    assert [entry["KeyMaterialState"] for entry in rotations] == ["NON_CURRENT", "CURRENT"]
    assert (rotations[1]["RotationDate"] - rotations[0]["RotationDate"]).days == 90
    current = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
    assert current == rotations[1]["KeyMaterialId"] != first
    assert kms.decrypt(CiphertextBlob=old)["KeyMaterialId"] == first
    new = kms.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=new)["KeyMaterialId"] == current
    everything = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [entry["KeyMaterialId"] for entry in everything] == [
        first,
        *(entry["KeyMaterialId"] for entry in rotations),
    ]


def test_on_demand_rotation_is_limited_to_ten_per_key(kms: Any, key_id: str) -> None:
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    for _ in range(10):
        assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == arn

    assert [entry["RotationType"] for entry in kms.list_key_rotations(KeyId=key_id)["Rotations"]] == [
        "ON_DEMAND"
    ] * 10
    assert error_of(kms.rotate_key_on_demand, KeyId=key_id) == (
        "LimitExceededException",
        400,
        "The on-demand rotations limit has been reached for the given keyId. "
        f"No more on-demand rotations can be performed for this key: {arn}",
    )


def test_rotation_is_for_enabled_symmetric_keys_with_kms_material(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    external = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    kms.disable_key(KeyId=key_id)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]

    assert error_of(kms.enable_key_rotation, KeyId=signing["KeyId"])[0] == "UnsupportedOperationException"
    assert error_of(kms.rotate_key_on_demand, KeyId=signing["KeyId"]) == (
        "UnsupportedOperationException",
        400,
        "",
    )
    assert error_of(kms.enable_key_rotation, KeyId=external["KeyId"]) == (
        "UnsupportedOperationException",
        400,
        f"{external['Arn']} origin is EXTERNAL which is not valid for this operation.",
    )
    assert error_of(kms.enable_key_rotation, KeyId=key_id) == (
        "DisabledException",
        400,
        f"{arn} is disabled.",
    )
    unchecked = shieldwall.client("kms", config=Config(parameter_validation=False))
    assert error_of(unchecked.enable_key_rotation, KeyId=key_id, RotationPeriodInDays=30)[2] == (
        "1 validation error detected: Value '30' at 'rotationPeriodInDays' failed to satisfy constraint: "
        "Member must have value greater than or equal to 90"
    )


def test_rotation_and_deletion_dates_survive_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    first = ShieldwallServer(data_dir=data_dir)
    try:
        kms = first.start().client("kms")
        rotating = kms.create_key()["KeyMetadata"]["KeyId"]
        doomed = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=rotating, RotationPeriodInDays=90)
        old = kms.encrypt(KeyId=rotating, Plaintext=b"kept", EncryptionContext={"a": "b"})["CiphertextBlob"]
        kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
    finally:
        first.stop()

    second = ShieldwallServer(data_dir=data_dir)
    try:
        server = second.start()
        kms = server.client("kms")
        assert kms.decrypt(CiphertextBlob=old, EncryptionContext={"a": "b"})["Plaintext"] == b"kept"
        server.advance_clock(91 * DAY)

        assert len(kms.list_key_rotations(KeyId=rotating)["Rotations"]) == 1
        assert kms.decrypt(CiphertextBlob=old, EncryptionContext={"a": "b"})["Plaintext"] == b"kept"
        assert error_of(kms.describe_key, KeyId=doomed)[0] == "NotFoundException"
    finally:
        second.stop()
