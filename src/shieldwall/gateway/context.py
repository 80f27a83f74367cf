"""Everything one request accumulates on its way through the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shieldwall.auth.principal import Principal
from shieldwall.auth.verifier import SigningScope, VerifiedRequest
from shieldwall.errors import AwsError
from shieldwall.gateway.explanations import Verdict
from shieldwall.http import HttpRequest, HttpResponse
from shieldwall.policy.authorizer import Decision
from shieldwall.protocol.router import Route
from shieldwall.services.base import Call


@dataclass(slots=True)
class RequestContext:
    request: HttpRequest
    request_id: str
    received_at: datetime
    protocol: str = "query"
    scope: SigningScope | None = None
    route: Route | None = None
    route_error: AwsError | None = None
    verified: VerifiedRequest | None = None
    body: bytes = b""
    params: dict[str, Any] = field(default_factory=dict)
    principal: Principal | None = None
    region: str = ""
    decision: Decision | None = None
    verdict: Verdict | None = None  # every permission checked, for the explain endpoint and the audit trail
    checks_context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # the denied check's keys
    call: Call | None = None
    output: dict[str, Any] | None = None
    error: AwsError | None = None
    response: HttpResponse | None = None

    @property
    def service(self) -> str:
        return self.route.service if self.route else ""

    @property
    def operation_name(self) -> str:
        return self.route.operation.name if self.route else ""
