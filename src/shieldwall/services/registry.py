"""The services shieldwall serves: each one's provider and its authorization table, loaded on first use.

An operation is implemented when its provider has a method named `xform_name(operation)`; everything else in
the model answers 501 NotImplemented. An implemented operation without an entry in its service's AUTHZ table
(`shieldwall.services.<package>.authz.AUTHZ`) is denied (fail closed), and a test checks that none exists.

A service's package is imported when its first request arrives, like its botocore model: a server that is
only asked for STS starts without paying for IAM's modules.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name

from shieldwall import ids
from shieldwall.audit.log import AuditLog
from shieldwall.clock import Clock
from shieldwall.services.base import AuthzRule, Call, Params
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

Handler = Callable[[Call, Params], Params]


@dataclass(frozen=True, slots=True)
class Dependencies:
    store: SqliteStore
    audit: AuditLog
    clock: Clock
    sealer: Sealer
    kms_quotas: str = "off"  # SHIELDWALL_KMS_QUOTAS


def _sts(deps: Dependencies) -> Any:
    from shieldwall.services.sts.provider import StsProvider

    return StsProvider(deps.store, deps.sealer)


def _cloudtrail(deps: Dependencies) -> Any:
    from shieldwall.services.cloudtrail.provider import CloudTrailProvider

    return CloudTrailProvider(deps.audit)


def _iam(deps: Dependencies) -> Any:
    from shieldwall.services.iam.provider import IamProvider

    return IamProvider(deps.store, deps.sealer, deps.audit)


def _organizations(deps: Dependencies) -> Any:
    from shieldwall.services.organizations.provider import OrganizationsProvider

    return OrganizationsProvider(deps.store, deps.sealer, deps.audit)


def _kms(deps: Dependencies) -> Any:
    from shieldwall.services.kms.provider import KmsProvider

    return KmsProvider(deps.store, deps.sealer, quotas=deps.kms_quotas)


def _ssm(deps: Dependencies) -> Any:
    from shieldwall.services.ssm.provider import SsmProvider

    return SsmProvider(deps.store, deps.sealer, deps.audit)


def _secretsmanager(deps: Dependencies) -> Any:
    from shieldwall.services.secretsmanager.provider import SecretsManagerProvider

    return SecretsManagerProvider(deps.store, deps.sealer, deps.audit)


# botocore service name → (package under shieldwall.services, provider factory)
PROVIDERS: dict[str, tuple[str, Callable[[Dependencies], Any]]] = {
    "sts": ("sts", _sts),
    "cloudtrail": ("cloudtrail", _cloudtrail),
    "iam": ("iam", _iam),
    "kms": ("kms", _kms),
    "organizations": ("organizations", _organizations),
    "secretsmanager": ("secretsmanager", _secretsmanager),
    "ssm": ("ssm", _ssm),
}


def authz_table(service: str) -> dict[str, AuthzRule]:
    """The AUTHZ table of a served service (empty for one shieldwall does not implement)."""
    entry = PROVIDERS.get(service)
    if entry is None:
        return {}
    table: dict[str, AuthzRule] = importlib.import_module(f"shieldwall.services.{entry[0]}.authz").AUTHZ
    return table


@dataclass(slots=True)
class Services:
    deps: Dependencies
    _providers: dict[str, Any] = field(default_factory=dict)
    _handlers: dict[tuple[str, str], Handler | None] = field(default_factory=dict)
    _rules: dict[tuple[str, str], AuthzRule | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def provider(self, service: str) -> Any:
        if service not in self._providers:
            entry = PROVIDERS.get(service)
            with self._lock:
                if service not in self._providers:
                    self._providers[service] = entry[1](self.deps) if entry else None
        return self._providers[service]

    def handler(self, service: str, operation: str) -> Handler | None:
        key = (service, operation)
        if key not in self._handlers:
            provider = self.provider(service)
            self._handlers[key] = getattr(provider, xform_name(operation), None) if provider else None
        return self._handlers[key]

    def authz_rule(self, service: str, operation: str) -> AuthzRule | None:
        key = (service, operation)
        found = self._rules.get(key)
        if found is None and key not in self._rules:
            found = self._rules[key] = authz_table(service).get(operation)
        return found

    def implemented(self) -> dict[str, list[str]]:
        """Implemented operations per service, for the health endpoint and the README table's tests."""
        from shieldwall.spec.loader import service_model

        found: dict[str, list[str]] = {}
        for name in PROVIDERS:
            provider = self.provider(name)
            model = service_model(name)
            found[name] = [op for op in model.operation_names if hasattr(provider, xform_name(op))]
        return found


def build_services(
    *,
    store: SqliteStore,
    audit: AuditLog,
    clock: Clock,
    sealer: Sealer | None = None,
    kms_quotas: str = "off",
) -> Services:
    """`sealer` seals secrets at rest under the root key; without one (table checks), an ephemeral key."""
    return Services(Dependencies(store, audit, clock, sealer or Sealer(ids.token_bytes(32)), kms_quotas))
