"""IAM users' access keys as credentials the SigV4 verifier checks signatures against.

Every signed request of an IAM user calls `lookup`, so it reads the key's record (one indexed read) and reuses
the credential it built last time while the record is unchanged: status changes and deletions take effect on
the next request, and the secret is decrypted once per record version rather than per request.
"""

from __future__ import annotations

import logging

from shieldwall.auth.credentials import Credential, CredentialCache
from shieldwall.services.iam.models import AccessKey
from shieldwall.store.base import Scope, Store
from shieldwall.store.sealing import Sealer, SealingError

log = logging.getLogger("shieldwall.iam")

SECRET_PURPOSE = "iam.access-key-secret"


def seal_secret(sealer: Sealer, access_key_id: str, secret: str) -> bytes:
    return sealer.seal(secret.encode("utf-8"), SECRET_PURPOSE, access_key_id.encode("ascii"))


class IamKeyResolver:
    def __init__(self, store: Store, sealer: Sealer, partition: str = "aws") -> None:
        self._store = store
        self._sealer = sealer
        self._scope = Scope.partition_wide(partition)
        self._cache: CredentialCache[AccessKey] = CredentialCache()

    def lookup(self, access_key_id: str) -> Credential | None:
        if not access_key_id.startswith("AKIA"):
            return None
        with self._store.read() as reader:
            record = reader.get(self._scope, AccessKey, access_key_id)
        if record is None:
            return None
        return self._cache.credential(access_key_id, record, self._credential)

    def _credential(self, record: AccessKey) -> Credential | None:
        try:
            secret = self._sealer.open_sealed(
                record.sealed_secret, SECRET_PURPOSE, record.access_key_id.encode("ascii")
            )
        except SealingError:
            log.error("the secret of access key %s does not open under this root key", record.access_key_id)
            return None
        return Credential(
            access_key_id=record.access_key_id,
            secret_access_key=secret.decode("utf-8"),
            account_id=record.account_id,
            principal_kind="user",
            principal_name=record.user_name,
            principal_arn=record.user_arn,
            principal_id=record.user_id,
            active=record.status == "Active",
        )
