"""IAM: users, groups, roles, instance profiles, access keys, login profiles, account settings, policies.

Each part lives in its own module as a mixin over `IamBase`; this class only composes them and holds what they
share.
"""

from __future__ import annotations

from shieldwall.audit.log import AuditLog
from shieldwall.services.iam.account import AccountMixin
from shieldwall.services.iam.attachments import AttachmentsMixin
from shieldwall.services.iam.authorization_details import AuthorizationDetailsMixin
from shieldwall.services.iam.boundaries import BoundariesMixin
from shieldwall.services.iam.groups import GroupsMixin
from shieldwall.services.iam.idp import IdentityProvidersMixin
from shieldwall.services.iam.inline import InlinePoliciesMixin
from shieldwall.services.iam.keys import KeysMixin
from shieldwall.services.iam.managed import ManagedPoliciesMixin
from shieldwall.services.iam.mfa import MfaMixin
from shieldwall.services.iam.profiles import ProfilesMixin
from shieldwall.services.iam.report import ReportMixin
from shieldwall.services.iam.roles import RolesMixin
from shieldwall.services.iam.service_linked import ServiceLinkedMixin
from shieldwall.services.iam.simulate import SimulatorMixin
from shieldwall.services.iam.users import UsersMixin
from shieldwall.services.iam.versions import VersionsMixin
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore


class IamProvider(
    UsersMixin,
    GroupsMixin,
    RolesMixin,
    ProfilesMixin,
    KeysMixin,
    AccountMixin,
    MfaMixin,
    IdentityProvidersMixin,
    ReportMixin,
    ServiceLinkedMixin,
    SimulatorMixin,
    ManagedPoliciesMixin,
    VersionsMixin,
    AttachmentsMixin,
    InlinePoliciesMixin,
    BoundariesMixin,
    AuthorizationDetailsMixin,
):
    service = "iam"

    def __init__(self, store: SqliteStore, sealer: Sealer, audit: AuditLog) -> None:
        self.store = store
        self.sealer = sealer
        self.audit = audit
