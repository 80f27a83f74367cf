"""Step 5: may this principal do this? Deny unless a rule says yes."""

from __future__ import annotations

import logging

from shieldwall.errors import AwsError, not_implemented
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.policy.authorizer import Decision, authorize
from shieldwall.services.base import Call

log = logging.getLogger("shieldwall.authz")

# How each protocol family spells "access denied" (the code and HTTP status clients see).
_DENIED = {
    "query": ("AccessDenied", 403),
    "rest-xml": ("AccessDenied", 403),
    "json": ("AccessDeniedException", 400),
    "rest-json": ("AccessDeniedException", 403),
}


def authorize_request(ctx: RequestContext, rt: Runtime) -> None:
    assert ctx.route is not None and ctx.principal is not None
    service, operation = ctx.route.service, ctx.route.operation.name
    if rt.services.handler(service, operation) is None:
        raise not_implemented(service, operation)
    ctx.call = call_for(ctx, rt)
    rule = rt.services.authz_rule(service, operation)
    if rule is None:
        log.error("no authorization mapping for %s:%s: denied", service, operation)
        ctx.decision = Decision(False, f"no authorization mapping for {service}:{operation} (fail closed)")
    else:
        ctx.decision = authorize(ctx.principal, rule(ctx.params, ctx.call))
    if not ctx.decision.allowed:
        if rt.settings.auth == "audit":
            log.warning("audit mode: would deny %s:%s: %s", service, operation, ctx.decision.reason)
            return
        raise _denied(ctx, ctx.decision)


def _denied(ctx: RequestContext, decision: Decision) -> AwsError:
    assert ctx.principal is not None and ctx.route is not None
    code, status = _DENIED.get(ctx.protocol, ("AccessDenied", 403))
    request = decision.denied_action
    if request is None:
        message = f"User: {ctx.principal.arn} is not authorized to perform: {ctx.route.operation.name}"
    else:
        message = (
            f"User: {ctx.principal.arn} is not authorized to perform: {request.action} "
            f"on resource: {request.resource} because no identity-based policy allows the {request.action} action"
        )
    return AwsError(code, message, status)


def call_for(ctx: RequestContext, rt: Runtime) -> Call:
    assert ctx.route is not None and ctx.principal is not None
    account = ctx.principal.account_id or rt.settings.account_id
    return Call(
        request_id=ctx.request_id,
        service=ctx.route.service,
        operation=ctx.route.operation.name,
        principal=ctx.principal,
        partition=rt.settings.partition,
        account_id=account,
        region=ctx.region,
        clock=rt.clock,
    )
