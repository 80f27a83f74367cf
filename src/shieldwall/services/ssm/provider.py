"""Parameter Store: the provider composes one mixin per domain over `SsmBase` (common.py), which holds what they
share: the store, the sealer KMS seals key material with, and the audit log that receives the KMS calls made for
SecureStrings and Parameter Store's own policy events. Only Parameter Store's operations are defined; every other
SSM operation answers 501 NotImplemented."""

from __future__ import annotations

from shieldwall.audit.log import AuditLog
from shieldwall.services.ssm.describing import DescribingMixin
from shieldwall.services.ssm.labels import LabelsMixin
from shieldwall.services.ssm.reading import ReadingMixin
from shieldwall.services.ssm.writing import WritingMixin
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore


class SsmProvider(WritingMixin, ReadingMixin, LabelsMixin, DescribingMixin):
    service = "ssm"

    def __init__(self, store: SqliteStore, sealer: Sealer, audit: AuditLog) -> None:
        self.store = store
        self.sealer = sealer
        self.audit = audit
