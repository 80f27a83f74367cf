"""Steps 2 and 4: verify the signature, then turn the verified key into a principal."""

from __future__ import annotations

from shieldwall.auth.errors import auth_error
from shieldwall.auth.principal import ANONYMOUS, Principal, principal_for
from shieldwall.auth.unsigned import allows_anonymous, is_unsigned_operation
from shieldwall.auth.verifier import verify
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime, root_credential
from shieldwall.protocol.router import service_signing_name


def authenticate(ctx: RequestContext, rt: Runtime) -> None:
    ctx.body = ctx.request.body
    if rt.settings.auth == "off":
        ctx.principal = principal_for(root_credential(rt.settings), rt.settings.partition)
    elif ctx.scope is not None or _carries_signature(ctx):
        _verify_signature(ctx, rt)
    else:
        _admit_unsigned(ctx)
    if ctx.route_error is not None:
        raise ctx.route_error
    ctx.region = ctx.scope.region if ctx.scope else rt.settings.region


def _carries_signature(ctx: RequestContext) -> bool:
    request = ctx.request
    return request.header("authorization") is not None or request.query_param("X-Amz-Signature") is not None


def _verify_signature(ctx: RequestContext, rt: Runtime) -> None:
    service = ctx.route.service if ctx.route else None
    verified = verify(
        ctx.request,
        rt.resolver,
        family=ctx.protocol,
        skew_now=rt.clock.skew_reference(),
        service_now=rt.clock.now(),
        expected_service=service_signing_name(service) if service else None,
        s3=service == "s3",
    )
    ctx.verified = verified
    ctx.body = verified.body
    ctx.principal = principal = principal_for(verified.credential, rt.settings.partition)
    if service == "iam" and _user_session_without_mfa(principal):
        # "You cannot call any IAM API operations unless MFA authentication information is included in the
        # request" (GetSessionToken API reference): the token does not count for IAM.
        raise auth_error("invalid_token", ctx.protocol)


def _user_session_without_mfa(principal: Principal) -> bool:
    session = principal.session
    return session is not None and principal.kind in ("user", "root") and not session.mfa_authenticated


def _admit_unsigned(ctx: RequestContext) -> None:
    if ctx.route is None:
        return  # the routing error explains more than a missing signature would
    if is_unsigned_operation(ctx.route.service, ctx.route.operation.name) or allows_anonymous(
        ctx.route.service
    ):
        ctx.principal = ANONYMOUS
        return
    raise auth_error("missing_auth", ctx.protocol)
