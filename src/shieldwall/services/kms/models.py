"""KMS's stored records. Keys and aliases are regional: scope (partition, account, region).

A key keeps every version of its key material (rotations add versions, old ones stay so old ciphertexts still
decrypt), each sealed under the server's root key. A version records its origin so imported material (and the
replicas of multi-Region keys, which share their primary's material) fit the same list. The key also keeps the
names of its aliases, so authorization (kms:ResourceAliases) and ListAliases by key read one record.

`KeyLocation` is a partition-wide index, `<region>/<key id>` → account: a symmetric ciphertext names only its
key id, and Decrypt must find that key even when it belongs to another account.

A key's grants live in its record, so the key policy handed to the authorizer (with one statement per grant) is
built from the one record the request already read. `RetirableGrant` is a partition-wide index,
`<region>/<retiring principal>/<key account>/<key id>/<grant id>`, for ListRetirableGrants (whose answer spans
every account of the Region).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shieldwall.store import codec

ENABLED = "Enabled"
DISABLED = "Disabled"
PENDING_DELETION = "PendingDeletion"
PENDING_IMPORT = "PendingImport"
PENDING_REPLICA_DELETION = "PendingReplicaDeletion"

PRIMARY = "PRIMARY"
REPLICA = "REPLICA"

AWS_KMS = "AWS_KMS"
EXTERNAL = "EXTERNAL"

CUSTOMER = "CUSTOMER"
AWS = "AWS"


@codec.model("kms.material", version=1)
@dataclass(frozen=True, slots=True)
class Material:
    version: int  # the number symmetric ciphertext blobs carry
    material_id: str  # KeyMaterialId: 64 hex digits
    sealed: bytes  # sealed with purpose "kms.key-material", associated data `<key id>/<version>`
    origin: str  # AWS_KMS | EXTERNAL
    created: datetime
    rotation_type: str | None = None  # None for the first version; AUTOMATIC | ON_DEMAND
    valid_to: datetime | None = None  # imported material that expires
    description: str | None = None  # imported material's KeyMaterialDescription


@codec.model("kms.grant", version=1)
@dataclass(frozen=True, slots=True)
class Grant:
    grant_id: str  # 64 hex digits
    operations: tuple[str, ...]  # GrantOperation names, as the request listed them
    created: datetime
    issuing_account: str
    grantee: str | None = None  # GranteePrincipal
    grantee_service: str | None = None  # GranteeServicePrincipal
    retiring: str | None = None  # RetiringPrincipal
    retiring_service: str | None = None  # RetiringServicePrincipal
    name: str | None = None
    context_subset: dict[str, str] | None = None  # Constraints.EncryptionContextSubset
    context_equals: dict[str, str] | None = None  # Constraints.EncryptionContextEquals
    source_arn: str | None = None  # Constraints.SourceArn


@codec.model("kms.key", version=1)
@dataclass(slots=True)
class Key:
    key_id: str
    arn: str
    account_id: str
    region: str
    creation_date: datetime
    key_spec: str
    key_usage: str
    origin: str
    policy: str
    description: str = ""
    key_manager: str = CUSTOMER
    state: str = ENABLED
    multi_region: bool = False
    multi_region_type: str | None = None  # PRIMARY | REPLICA
    primary_region: str | None = None
    replica_regions: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)  # alias names, "alias/..."
    materials: list[Material] = field(default_factory=list)
    current_version: int = 0  # the version new ciphertexts use; 0 while there is no material
    deletion_date: datetime | None = None
    pending_window_days: int | None = None
    rotation_enabled: bool = False
    rotation_period_days: int | None = None
    next_rotation_date: datetime | None = None
    on_demand_rotations: int = 0
    expiration_model: str | None = (
        None  # imported material: KEY_MATERIAL_EXPIRES | KEY_MATERIAL_DOES_NOT_EXPIRE
    )
    grants: list[Grant] = field(default_factory=list)
    # The KeyMaterialId of the material imported into an EXTERNAL key, kept after the material is deleted or
    # expires: a reimport must bring the same material back.
    imported_material_id: str | None = None

    def material(self, version: int) -> Material | None:
        for material in self.materials:
            if material.version == version:
                return material
        return None

    @property
    def current(self) -> Material | None:
        return self.material(self.current_version) if self.current_version else None


@codec.model("kms.alias", version=1)
@dataclass(slots=True)
class Alias:
    name: str  # "alias/..."
    arn: str
    target_key_id: str
    creation_date: datetime
    last_updated: datetime


@codec.model("kms.retirable_grant", version=1)
@dataclass(frozen=True, slots=True)
class RetirableGrant:
    key_arn: str


@codec.model("kms.key_location", version=1)
@dataclass(frozen=True, slots=True)
class KeyLocation:
    account_id: str
