"""The accounts one server hosts: the configured default account and any created since, each with its own root
credentials.

An account's records live under its own scope (IAM per account, regional services per account and region), so
hosting another account is only a matter of a root key that signs as it. Created accounts are stored records:
their root secrets are sealed under the data directory's root key and survive restarts. The Organizations
issue builds CreateAccount on `create_account`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from shieldwall import ids
from shieldwall.auth.credentials import Credential, CredentialCache
from shieldwall.store import codec
from shieldwall.store.base import Scope, Store, Transaction
from shieldwall.store.sealing import Sealer, SealingError

log = logging.getLogger("shieldwall.accounts")

ROOT_SECRET_PURPOSE = "accounts.root-secret"


@codec.model("accounts.account", version=1)
@dataclass(slots=True)
class Account:
    account_id: str
    name: str
    email: str
    created: datetime
    root_access_key_id: str
    sealed_root_secret: bytes
    status: str = "ACTIVE"


@codec.model("accounts.root_key", version=1)
@dataclass(slots=True)
class RootKey:
    """Index: a root access key id → its account."""

    account_id: str


@dataclass(frozen=True, slots=True)
class CreatedAccount:
    account: Account
    secret_access_key: str


def create_account(
    tx: Transaction,
    sealer: Sealer,
    *,
    partition: str,
    now: datetime,
    name: str,
    email: str = "",
    taken: frozenset[str] = frozenset(),
) -> CreatedAccount:
    """A new account with fresh root credentials; `taken` holds ids that must not be reused (the default's)."""
    scope = Scope.partition_wide(partition)
    account_id = _new_account_id(tx, scope, taken)
    key_id = ids.access_key_id()
    secret = ids.secret_access_key()
    sealed = sealer.seal(secret.encode("utf-8"), ROOT_SECRET_PURPOSE, key_id.encode("ascii"))
    account = Account(account_id, name, email, now, key_id, sealed)
    tx.put(scope, account_id, account)
    tx.put(scope, key_id, RootKey(account_id))
    return CreatedAccount(account, secret)


def list_accounts(store: Store, partition: str) -> list[Account]:
    with store.read() as reader:
        return [account for _, account in reader.list(Scope.partition_wide(partition), Account)]


def _new_account_id(tx: Transaction, scope: Scope, taken: frozenset[str]) -> str:
    while True:
        candidate = f"{secrets.randbelow(10**12):012d}"
        if candidate not in taken and candidate[0] != "0" and tx.get(scope, Account, candidate) is None:
            return candidate


class AccountRootResolver:
    """Root credentials of created accounts (the default account's root key comes from configuration)."""

    def __init__(self, store: Store, sealer: Sealer, partition: str = "aws") -> None:
        self._store = store
        self._sealer = sealer
        self._scope = Scope.partition_wide(partition)
        self._cache: CredentialCache[Account] = CredentialCache()

    def lookup(self, access_key_id: str) -> Credential | None:
        with self._store.read() as reader:
            index = reader.get(self._scope, RootKey, access_key_id)
            account = None if index is None else reader.get(self._scope, Account, index.account_id)
        if account is None or account.root_access_key_id != access_key_id:
            return None
        return self._cache.credential(access_key_id, account, self._credential)

    def _credential(self, account: Account) -> Credential | None:
        access_key_id = account.root_access_key_id
        try:
            secret = self._sealer.open_sealed(
                account.sealed_root_secret, ROOT_SECRET_PURPOSE, access_key_id.encode("ascii")
            )
        except SealingError:
            log.error("the root secret of account %s does not open under this root key", account.account_id)
            return None
        return Credential(
            access_key_id=access_key_id,
            secret_access_key=secret.decode("utf-8"),
            account_id=account.account_id,
            principal_kind="root",
            active=account.status == "ACTIVE",
        )
