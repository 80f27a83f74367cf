"""KeyMetadata as DescribeKey and CreateKey return it, member for member as AWS sends it.

AWS omits what does not apply rather than sending nulls: DeletionDate and PendingDeletionWindowInDays only
while a key is pending deletion (a multi-Region primary waiting for its replicas has the window but no date yet),
ValidTo only while imported material that expires is present, MultiRegionConfiguration only for multi-Region
keys, CurrentKeyMaterialId only for symmetric encryption keys that have material, and one algorithm list chosen
by the key usage.
"""

from __future__ import annotations

from typing import Any

from shieldwall.services.kms import crypto
from shieldwall.services.kms.keyref import key_arn
from shieldwall.services.kms.models import ENABLED, PENDING_DELETION, PENDING_REPLICA_DELETION, Key

# CustomerMasterKeySpec is deprecated and exists only for the key specs it had when it was replaced.
_LEGACY_SPECS = frozenset(
    {
        "RSA_2048",
        "RSA_3072",
        "RSA_4096",
        "ECC_NIST_P256",
        "ECC_NIST_P384",
        "ECC_NIST_P521",
        "ECC_SECG_P256K1",
        "SYMMETRIC_DEFAULT",
        "HMAC_224",
        "HMAC_256",
        "HMAC_384",
        "HMAC_512",
        "SM2",
    }
)


def key_metadata(key: Key) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AWSAccountId": key.account_id,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": key.creation_date,
        "Enabled": key.state == ENABLED,
        "Description": key.description,
        "KeyUsage": key.key_usage,
        "KeyState": key.state,
        "Origin": key.origin,
        "KeyManager": key.key_manager,
        "KeySpec": key.key_spec,
        "MultiRegion": key.multi_region,
    }
    if key.key_spec in _LEGACY_SPECS:
        out["CustomerMasterKeySpec"] = key.key_spec
    if key.state == PENDING_DELETION:
        out["DeletionDate"] = key.deletion_date
        out["PendingDeletionWindowInDays"] = key.pending_window_days
    if key.state == PENDING_REPLICA_DELETION:
        out["PendingDeletionWindowInDays"] = key.pending_window_days
    if key.expiration_model is not None:
        out["ExpirationModel"] = key.expiration_model
    current = key.current
    if current is not None and current.valid_to is not None:
        out["ValidTo"] = current.valid_to
    out.update(algorithm_members(key))
    if key.multi_region:
        out["MultiRegionConfiguration"] = multi_region_configuration(key)
    if current is not None and key.key_spec == "SYMMETRIC_DEFAULT":
        out["CurrentKeyMaterialId"] = current.material_id
    return out


def algorithm_members(key: Key) -> dict[str, list[str]]:
    algorithms = crypto.SPECS[key.key_spec].algorithms(key.key_usage) if key.key_spec in crypto.SPECS else ()
    return {crypto.ALGORITHM_FIELDS[key.key_usage]: list(algorithms)} if algorithms else {}


def multi_region_configuration(key: Key) -> dict[str, Any]:
    partition = key.arn.split(":", 2)[1]
    primary = key.primary_region or key.region
    return {
        "MultiRegionKeyType": key.multi_region_type or "PRIMARY",
        "PrimaryKey": {"Arn": key_arn(partition, primary, key.account_id, key.key_id), "Region": primary},
        "ReplicaKeys": [
            {"Arn": key_arn(partition, region, key.account_id, key.key_id), "Region": region}
            for region in key.replica_regions
        ],
    }
