"""STS temporary credentials: minted here, stored sealed, and resolved on every request they sign.

A session's key resolves to its principal with everything that went into issuing it (`SessionContext`). It
stops resolving when it is no longer backed: a role session whose role was deleted (or deleted and created
again: the role id differs) answers like an unknown key. Expiry is the verifier's: `expires_at` past → the
request fails with ExpiredToken.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime

from shieldwall import ids
from shieldwall.auth.credentials import Credential, CredentialCache
from shieldwall.auth.session import SessionContext, SessionIssuer
from shieldwall.services.iam.models import Role
from shieldwall.services.sts.models import StoredSession
from shieldwall.store.base import Reader, Scope, Store, Transaction
from shieldwall.store.read_cache import ReadCache
from shieldwall.store.sealing import Sealer, SealingError

log = logging.getLogger("shieldwall.sts")

SEALED_PURPOSE = "sts.session-credentials"
_TOKEN_BYTES = 300  # AWS's session tokens run to several hundred characters; clients must not assume less


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    def output(self) -> dict[str, object]:
        """The `Credentials` structure of every STS response."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        }


def issue(tx: Transaction, sealer: Sealer, partition: str, session: StoredSession) -> IssuedCredentials:
    """Mint keys for `session` (its access_key_id and sealed fields are filled here) and store it."""
    key_id = ids.access_key_id("ASIA")
    secret = ids.secret_access_key()
    token = base64.b64encode(ids.token_bytes(_TOKEN_BYTES)).decode("ascii")
    session.access_key_id = key_id
    session.sealed = sealer.seal(f"{secret}\n{token}".encode(), SEALED_PURPOSE, key_id.encode("ascii"))
    tx.put(Scope.partition_wide(partition), key_id, session)
    return IssuedCredentials(key_id, secret, token, session.expires_at)


def session_context(record: StoredSession) -> SessionContext:
    return SessionContext(
        issued_at=record.issued_at,
        expires_at=record.expires_at,
        issuer=SessionIssuer(
            record.issuer_type, record.issuer_id, record.issuer_arn, record.account_id, record.issuer_name
        ),
        mfa_authenticated=record.mfa_authenticated,
        mfa_authenticated_at=record.mfa_authenticated_at,
        source_identity=record.source_identity,
        tags=tuple((key, value) for key, value in record.tags),
        transitive_tag_keys=tuple(record.transitive_tag_keys),
        inline_policy=record.inline_policy,
        policy_arns=tuple(record.policy_arns),
        federated_provider=record.federated_provider,
        web_identity=tuple(sorted(record.web_identity.items())),
        chained=record.chained,
    )


class SessionResolver:
    def __init__(self, store: Store, sealer: Sealer, partition: str = "aws") -> None:
        self._store = store
        self._sealer = sealer
        self._partition = partition
        self._scope = Scope.partition_wide(partition)
        self._cache: CredentialCache[StoredSession] = CredentialCache()
        self._reads = ReadCache()  # the session and its role, read once per store change, not per request

    def lookup(self, access_key_id: str) -> Credential | None:
        if not access_key_id.startswith("ASIA"):
            return None
        record, backed = self._reads.get(
            self._store, access_key_id, lambda reader: self._read(reader, access_key_id)
        )
        if record is None or not backed:
            return None
        return self._cache.credential(access_key_id, record, self._credential)

    def _read(self, reader: Reader, access_key_id: str) -> tuple[StoredSession | None, bool]:
        """The session and whether its role still backs it."""
        record = reader.get(self._scope, StoredSession, access_key_id)
        return record, record is not None and self._backed(reader, record)

    def _backed(self, reader: Reader, record: StoredSession) -> bool:
        if record.kind != "assumed-role":
            return True
        role_name = record.issuer_arn.rsplit("/", 1)[-1]
        role = reader.get(Scope(self._partition, record.account_id), Role, role_name.lower())
        return role is not None and role.role_id == record.issuer_id

    def _credential(self, record: StoredSession) -> Credential | None:
        try:
            opened = self._sealer.open_sealed(
                record.sealed, SEALED_PURPOSE, record.access_key_id.encode("ascii")
            ).decode("utf-8")
        except SealingError:
            log.error("session %s does not open under this root key", record.access_key_id)
            return None
        secret, _, token = opened.partition("\n")
        return Credential(
            access_key_id=record.access_key_id,
            secret_access_key=secret,
            account_id=record.account_id,
            principal_kind=record.kind,
            principal_name=record.arn.rsplit("/", 1)[-1],
            principal_arn=record.arn,
            principal_id=record.principal_id,
            session_token=token,
            expires_at=record.expires_at,
            session=session_context(record),
        )


def prune_expired(tx: Transaction, partition: str, now: datetime, limit: int = 100) -> int:
    """Delete up to `limit` sessions that expired; called as sessions are issued, so the table stays small."""
    scope = Scope.partition_wide(partition)
    removed = 0
    for key, record in tx.list(scope, StoredSession, limit=limit * 10):
        if record.expires_at <= now and removed < limit:
            tx.delete(scope, StoredSession, key)
            removed += 1
    return removed
