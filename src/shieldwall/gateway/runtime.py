"""The long-lived parts of a running server, built once at start and shared by every request."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from shieldwall.accounts import AccountRootResolver
from shieldwall.audit.log import AuditLog
from shieldwall.auth.credentials import ChainResolver, Credential, CredentialResolver, StaticResolver
from shieldwall.clock import Clock
from shieldwall.config import Settings
from shieldwall.gateway.authz_cache import AuthorizationCache
from shieldwall.gateway.explanations import ExplanationLog
from shieldwall.services.iam.credentials import IamKeyResolver
from shieldwall.services.registry import Services, build_services
from shieldwall.services.sts.credentials import SessionResolver
from shieldwall.store.rootkey import load_or_create_root_key
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import ClockState, SqliteStore

log = logging.getLogger("shieldwall")


@dataclass(slots=True)
class Runtime:
    settings: Settings
    clock: Clock
    store: SqliteStore
    audit: AuditLog
    resolver: CredentialResolver
    services: Services
    root_key: bytes = field(repr=False)
    explanations: ExplanationLog = field(default_factory=ExplanationLog)
    authz_cache: AuthorizationCache = field(default_factory=AuthorizationCache)
    shared_clock: ClockState = None  # the clock's state as last read from the store

    def observe(self) -> None:
        """Catch up with what other processes serving the same data directory wrote (`--workers`): caches keyed
        on `store.changes()` notice by themselves; the service clock is taken over here. Once per request."""
        if self.store.observe():
            shared = self.store.clock_state()
            if shared != self.shared_clock:
                self.shared_clock = shared
                self.clock.restore(shared)

    def move_clock(self, move: Callable[[Clock], object]) -> None:
        """Move the service clock for every process: read, moved and written back under the store's write lock,
        so two moves at once both count."""
        with self.store.transaction():
            self.clock.restore(self.store.clock_state())
            move(self.clock)
            self.shared_clock = self.clock.state()
            self.store.save_clock_state(self.shared_clock)

    def close(self) -> None:
        self.audit.close()
        self.store.close()

    def reset(self) -> None:
        """Back to a fresh state: no records, no audit events, the clock back to real time."""
        self.audit.flush()
        self.store.reset()
        self.clock.reset()
        self.shared_clock = None
        self.explanations.clear()
        self.authz_cache.clear()


def root_credential(settings: Settings) -> Credential:
    return Credential(
        access_key_id=settings.root_access_key_id,
        secret_access_key=settings.root_secret_access_key,
        account_id=settings.account_id,
        principal_kind="root",
    )


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    clock = clock or Clock()
    root_key = load_or_create_root_key(settings.data_dir)
    store = SqliteStore(settings.data_dir)
    audit = AuditLog(store, token_key=hmac.new(root_key, b"audit-next-token", hashlib.sha256).digest())
    sealer = Sealer(root_key)
    resolver = ChainResolver(
        [
            StaticResolver([root_credential(settings)]),
            IamKeyResolver(store, sealer, settings.partition),
            SessionResolver(store, sealer, settings.partition),
            AccountRootResolver(store, sealer, settings.partition),
        ]
    )
    services = build_services(
        store=store, audit=audit, clock=clock, sealer=sealer, kms_quotas=settings.kms_quotas
    )
    if settings.auth == "off":
        log.warning(
            "authentication is OFF: any access key acts as the root user of account %s", settings.account_id
        )
    runtime = Runtime(settings, clock, store, audit, resolver, services, root_key)
    shared = store.clock_state()
    if shared is not None:  # the clock was moved before a restart, or by another worker
        runtime.shared_clock = shared
        clock.restore(shared)
    return runtime
