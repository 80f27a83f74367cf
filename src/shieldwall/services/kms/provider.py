"""KMS: keys, aliases, key policies, grants, cryptographic operations, imported key material, multi-Region keys,
rotation and scheduled deletion.

Each part lives in its own module as a mixin over `KmsBase`; this class composes them and holds what they share:
the store, the sealer that keeps key material encrypted at rest, a pool of RSA keys generated in the background
so CreateKey, GenerateDataKeyPair and GetParametersForImport rarely wait on RSA key generation, and the request
quotas when SHIELDWALL_KMS_QUOTAS turns them on. Custom key stores are not implemented: their operations answer
501.
"""

from __future__ import annotations

from shieldwall.services.kms import crypto
from shieldwall.services.kms.aliases import AliasesMixin
from shieldwall.services.kms.encryption import EncryptionMixin
from shieldwall.services.kms.grants import GrantsMixin
from shieldwall.services.kms.imports import ImportsMixin
from shieldwall.services.kms.keys import KeysMixin
from shieldwall.services.kms.lifecycle import LifecycleMixin
from shieldwall.services.kms.quotas import RequestQuotas, parse_quotas
from shieldwall.services.kms.replicas import ReplicasMixin
from shieldwall.services.kms.signing import SigningMixin
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

RSA_POOL_SIZES = (2048, 3072, 4096)
RSA_POOL_TARGET = 1


class KmsProvider(
    KeysMixin,
    AliasesMixin,
    EncryptionMixin,
    SigningMixin,
    LifecycleMixin,
    GrantsMixin,
    ImportsMixin,
    ReplicasMixin,
):
    service = "kms"

    def __init__(
        self,
        store: SqliteStore,
        sealer: Sealer,
        pool: crypto.RsaPool | None = None,
        quotas: str | None = None,
    ) -> None:
        """`quotas` is the SHIELDWALL_KMS_QUOTAS setting (off by default)."""
        self.store = store
        self.sealer = sealer
        self.pool = pool if pool is not None else crypto.RsaPool(sizes=RSA_POOL_SIZES, target=RSA_POOL_TARGET)
        setting = parse_quotas(quotas if quotas is not None else "off")
        self.quotas = RequestQuotas(setting) if setting is not None else None
        self.pool.start()

    def close(self) -> None:
        self.pool.stop()
