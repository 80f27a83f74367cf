"""CloudTrail: the audit trail of every request shieldwall served, queried with LookupEvents."""

from __future__ import annotations

from shieldwall.audit.log import AuditLog
from shieldwall.services.base import Call, Params


class CloudTrailProvider:
    service = "cloudtrail"

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    def lookup_events(self, call: Call, params: Params) -> Params:
        return self.audit.lookup(
            account=call.account_id,
            region=call.region,
            attributes=params.get("LookupAttributes"),
            start_time=params.get("StartTime"),
            end_time=params.get("EndTime"),
            max_results=params.get("MaxResults"),
            next_token=params.get("NextToken"),
        )
