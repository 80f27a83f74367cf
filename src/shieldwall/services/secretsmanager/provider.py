"""Secrets Manager: secrets and their versions, encrypted for real through shieldwall's KMS; staging labels,
deletion with a recovery window, resource policies, multi-Region replicas, rotation configuration.

Each part lives in its own module as a mixin over `SecretsBase`; this class composes them and holds what they
share: the store, the sealer (KMS key material is sealed under the root key) and the audit log, which records
the KMS calls Secrets Manager makes on the caller's behalf. Managed external secrets (`Type`), cross-account
replicas (AssociateCrossAccountReplica, DisassociateCrossAccountReplica, CrossAccountPrimaryARN) and running a
rotation function are not implemented: they answer 501.
"""

from __future__ import annotations

from shieldwall.audit.log import AuditLog
from shieldwall.services.secretsmanager.lifecycle import LifecycleMixin
from shieldwall.services.secretsmanager.listing import ListingMixin
from shieldwall.services.secretsmanager.passwords import PasswordsMixin
from shieldwall.services.secretsmanager.policies import PoliciesMixin
from shieldwall.services.secretsmanager.replication import ReplicationMixin
from shieldwall.services.secretsmanager.rotation import RotationMixin
from shieldwall.services.secretsmanager.values import ValuesMixin
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore


class SecretsManagerProvider(
    LifecycleMixin,
    ValuesMixin,
    ListingMixin,
    PoliciesMixin,
    ReplicationMixin,
    RotationMixin,
    PasswordsMixin,
):
    service = "secretsmanager"

    def __init__(self, store: SqliteStore, sealer: Sealer, audit: AuditLog) -> None:
        self.store = store
        self.sealer = sealer
        self.audit = audit
