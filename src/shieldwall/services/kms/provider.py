"""KMS: keys, aliases, key policies, cryptographic operations, rotation and scheduled deletion.

Each part lives in its own module as a mixin over `KmsBase`; this class composes them and holds what they share:
the store, the sealer that keeps key material encrypted at rest, and a pool of RSA keys generated in the
background so CreateKey and GenerateDataKeyPair rarely wait on RSA key generation.
Grants, imported key material, multi-Region replication and custom key stores are not implemented yet: their
operations answer 501.
"""

from __future__ import annotations

from shieldwall.services.kms import crypto
from shieldwall.services.kms.aliases import AliasesMixin
from shieldwall.services.kms.encryption import EncryptionMixin
from shieldwall.services.kms.keys import KeysMixin
from shieldwall.services.kms.lifecycle import LifecycleMixin
from shieldwall.services.kms.signing import SigningMixin
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

RSA_POOL_SIZES = (2048, 3072, 4096)
RSA_POOL_TARGET = 1


class KmsProvider(KeysMixin, AliasesMixin, EncryptionMixin, SigningMixin, LifecycleMixin):
    service = "kms"

    def __init__(self, store: SqliteStore, sealer: Sealer, pool: crypto.RsaPool | None = None) -> None:
        self.store = store
        self.sealer = sealer
        self.pool = pool if pool is not None else crypto.RsaPool(sizes=RSA_POOL_SIZES, target=RSA_POOL_TARGET)
        self.pool.start()

    def close(self) -> None:
        self.pool.stop()
