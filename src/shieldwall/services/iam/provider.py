"""IAM's identity half: users, groups, roles, instance profiles, access keys, login profiles, account settings.

Each part lives in its own module as a mixin over `IamBase`; this class only composes them and holds what they
share. Policies (managed, inline, boundaries), MFA devices and identity providers are other parts of IAM.
"""

from __future__ import annotations

from shieldwall.audit.log import AuditLog
from shieldwall.services.iam.account import AccountMixin
from shieldwall.services.iam.groups import GroupsMixin
from shieldwall.services.iam.keys import KeysMixin
from shieldwall.services.iam.profiles import ProfilesMixin
from shieldwall.services.iam.roles import RolesMixin
from shieldwall.services.iam.users import UsersMixin
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore


class IamProvider(UsersMixin, GroupsMixin, RolesMixin, ProfilesMixin, KeysMixin, AccountMixin):
    service = "iam"

    def __init__(self, store: SqliteStore, sealer: Sealer, audit: AuditLog) -> None:
        self.store = store
        self.sealer = sealer
        self.audit = audit
