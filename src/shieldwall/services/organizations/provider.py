"""AWS Organizations: the organization, its accounts and OU tree, SCPs and RCPs, delegated administrators.

Each part is a mixin over `OrganizationsBase`; the authorizer reads the same records (`structure`) to put the
SCPs and RCPs of every level into each decision of a member account.
"""

from __future__ import annotations

from shieldwall.audit.log import AuditLog
from shieldwall.services.iam.provider import IamProvider
from shieldwall.services.organizations.organization import OrganizationMixin
from shieldwall.services.organizations.policies import PoliciesMixin
from shieldwall.services.organizations.structure_ops import StructureMixin
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore


class OrganizationsProvider(OrganizationMixin, StructureMixin, PoliciesMixin):
    service = "organizations"

    def __init__(self, store: SqliteStore, sealer: Sealer, audit: AuditLog) -> None:
        self.store = store
        self.sealer = sealer
        self.iam = IamProvider(store, sealer, audit)
