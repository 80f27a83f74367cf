"""STS operations."""

from __future__ import annotations

from shieldwall.services.base import Call, Params


class StsProvider:
    service = "sts"

    def get_caller_identity(self, call: Call, params: Params) -> Params:
        principal = call.principal
        return {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}
