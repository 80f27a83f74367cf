"""The services shieldwall serves: each one's provider and its authorization table.

An operation is implemented when its provider has a method named `xform_name(operation)`; everything else in
the model answers 501 NotImplemented. An implemented operation without an entry in its service's AUTHZ table is
denied (fail closed), and a test checks that no such operation exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore import xform_name

from shieldwall import ids
from shieldwall.audit.log import AuditLog
from shieldwall.clock import Clock
from shieldwall.services.base import AuthzRule, Call, Params
from shieldwall.services.cloudtrail import authz as cloudtrail_authz
from shieldwall.services.cloudtrail.provider import CloudTrailProvider
from shieldwall.services.iam import authz as iam_authz
from shieldwall.services.iam.provider import IamProvider
from shieldwall.services.sts import authz as sts_authz
from shieldwall.services.sts.provider import StsProvider
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

Handler = Callable[[Call, Params], Params]

AUTHZ: dict[str, dict[str, AuthzRule]] = {
    "sts": sts_authz.AUTHZ,
    "cloudtrail": cloudtrail_authz.AUTHZ,
    "iam": iam_authz.AUTHZ,
}


@dataclass(slots=True)
class Services:
    providers: dict[str, Any]
    _handlers: dict[tuple[str, str], Handler | None]

    def handler(self, service: str, operation: str) -> Handler | None:
        key = (service, operation)
        if key not in self._handlers:
            provider = self.providers.get(service)
            self._handlers[key] = getattr(provider, xform_name(operation), None) if provider else None
        return self._handlers[key]

    def authz_rule(self, service: str, operation: str) -> AuthzRule | None:
        return AUTHZ.get(service, {}).get(operation)

    def implemented(self) -> dict[str, list[str]]:
        """Implemented operations per service, for the health endpoint and the README table's tests."""
        from shieldwall.spec.loader import service_model

        found: dict[str, list[str]] = {}
        for name, provider in self.providers.items():
            model = service_model(name)
            found[name] = [op for op in model.operation_names if hasattr(provider, xform_name(op))]
        return found


def build_services(
    *, store: SqliteStore, audit: AuditLog, clock: Clock, sealer: Sealer | None = None
) -> Services:
    """`sealer` seals secrets at rest under the root key; without one (table checks), an ephemeral key."""
    sealer = sealer or Sealer(ids.token_bytes(32))
    providers: dict[str, Any] = {
        "sts": StsProvider(),
        "cloudtrail": CloudTrailProvider(audit),
        "iam": IamProvider(store, sealer, audit),
    }
    return Services(providers, {})
