"""Steps 7 and 8: the HTTP response in the service's wire format, and the audit event (always)."""

from __future__ import annotations

import logging
from typing import Any

from shieldwall.audit.events import build_event, source_of
from shieldwall.audit.identities import federated_identity, resources_of
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializer import serialize_error, serialize_response
from shieldwall.spec.loader import service_model

log = logging.getLogger("shieldwall.audit")


def serialize(ctx: RequestContext, rt: Runtime) -> HttpResponse:
    operation = ctx.route.operation if ctx.route else None
    if ctx.error is not None:
        routed = ctx.service or getattr(ctx.error, "service", "")
        model = service_model(routed) if routed else None
        return serialize_error(ctx.protocol, operation, ctx.error, ctx.request_id, service=model)
    assert operation is not None and ctx.output is not None
    return serialize_response(operation, ctx.output, ctx.request_id)


def record_audit_event(ctx: RequestContext, rt: Runtime) -> None:
    principal = ctx.principal
    event = build_event(
        event_time=ctx.received_at,
        event_source=_event_source(ctx),
        event_name=ctx.operation_name or "Unknown",
        aws_region=ctx.region or rt.settings.region,
        source_ip=ctx.request.client_ip,
        user_agent=ctx.request.header("user-agent") or "",
        user_identity=_user_identity(ctx),
        operation=ctx.route.operation if ctx.route else None,
        request=ctx.params,
        response=ctx.output if ctx.error is None else None,
        error_code=ctx.error.code if ctx.error else None,
        error_message=ctx.error.message if ctx.error else None,
        request_id=ctx.request_id,
        resources=_resources(ctx),
        recipient_account_id=(principal.account_id if principal else "") or rt.settings.account_id,
        decision=ctx.decision.effect if ctx.decision else None,
        decision_reason=ctx.decision.reason if ctx.decision else None,
        explanation_id=ctx.request_id if ctx.decision else None,
        decision_details=_denial_details(ctx),
    )
    rt.audit.record(event)


def _user_identity(ctx: RequestContext) -> dict[str, Any]:
    principal = ctx.principal
    if principal is None:
        return _unauthenticated_identity(ctx)
    if principal.is_anonymous and ctx.error is None:
        federated = federated_identity(ctx.operation_name, ctx.output)
        if federated is not None:
            return federated
    return principal.user_identity()


def _resources(ctx: RequestContext) -> list[dict[str, str]]:
    verdict = ctx.verdict
    if verdict is None or not verdict.checks:
        return []
    return resources_of(request.resource for request, _ in verdict.checks)


def _denial_details(ctx: RequestContext) -> dict[str, Any] | None:
    verdict = ctx.verdict
    return verdict.audit_details() if verdict is not None and not verdict.allowed else None


def _event_source(ctx: RequestContext) -> str:
    if ctx.route is None:
        return f"{ctx.scope.service}.amazonaws.com" if ctx.scope else "unknown"
    return source_of(service_model(ctx.route.service))


def _unauthenticated_identity(ctx: RequestContext) -> dict[str, str]:
    identity = {"type": "Unknown", "principalId": ""}
    if ctx.scope is not None and ctx.verified is None:
        access_key = _access_key_of(ctx)
        if access_key:
            identity["accessKeyId"] = access_key
    return identity


def _access_key_of(ctx: RequestContext) -> str:
    header = ctx.request.header("authorization") or ""
    marker = "Credential="
    if marker in header:
        return header.split(marker, 1)[1].split("/", 1)[0]
    credential = ctx.request.query_param("X-Amz-Credential") or ""
    return credential.split("/", 1)[0]
