"""Step 5: may this principal do this? Every permission the operation needs must be allowed.

- The root user is allowed in its own account without reading anything (issue 4 adds SCPs, later issues
  resource policies that can deny it).
- An anonymous caller reaches only the operations AWS serves unsigned; they need no permission.
- An IAM user (and, with STS, a role session) is judged by the policy engine: its identity-based policies and
  permissions boundary from the store, the global condition keys, the operation's own keys.

Each verdict is kept for `/_shieldwall/explain/<request-id>`. Under `--auth=audit` a denial is logged and
recorded but the request proceeds.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

from shieldwall.auth import authorization_message
from shieldwall.auth.principal import Principal
from shieldwall.auth.unsigned import is_unsigned_operation
from shieldwall.errors import AwsError, not_implemented
from shieldwall.gateway.authz_cache import NO_POLICIES, AuthorizationCache, Owner
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.explanations import Check, Verdict, caller_name
from shieldwall.gateway.runtime import Runtime
from shieldwall.policy.authorizer import NO_PERMISSION_NEEDED, ActionRequest, Decision, decide
from shieldwall.policy.context import (
    PRINCIPAL_TAG,
    RESOURCE_TAGS,
    ConditionContext,
    Loader,
    Values,
    global_keys,
    operation_keys,
    request_tag_keys,
    tag_keys,
)
from shieldwall.policy.document import Policy
from shieldwall.policy.explain import Explanation, Step, access_denied_message, implicit_deny_phrase
from shieldwall.policy.request import AuthzRequest
from shieldwall.services.base import AuthzRule, Call
from shieldwall.services.organizations.structure import OrgContext
from shieldwall.store.sqlite import SqliteStore

log = logging.getLogger("shieldwall.authz")

# How each protocol family spells "access denied" (the code and HTTP status clients see).
_DENIED = {
    "query": ("AccessDenied", 403),
    "rest-xml": ("AccessDenied", 403),
    "json": ("AccessDeniedException", 400),
    "rest-json": ("AccessDeniedException", 403),
}

_ROOT = "the root user of the account"
ROOT_ALLOWED = Decision(
    True,
    _ROOT,
    deciding=("root",),
    explanation=Explanation(True, _ROOT, (Step("identity-based policies", "allow", _ROOT),), ("root",)),
)


def authorize_request(ctx: RequestContext, rt: Runtime) -> None:
    assert ctx.route is not None and ctx.principal is not None
    service, operation = ctx.route.service, ctx.route.operation.name
    if rt.services.handler(service, operation) is None:
        raise not_implemented(service, operation)
    ctx.call = call_for(ctx, rt)
    checks, decision = judge(ctx, rt, rt.services.authz_rule(service, operation))
    verdict = Verdict(
        ctx.request_id,
        ctx.received_at,
        service,
        operation,
        ctx.principal.arn,
        decision,
        checks,
        enforced=rt.settings.auth == "enforce",
    )
    ctx.verdict = verdict
    ctx.decision = decision
    rt.explanations.remember(verdict)
    if decision.allowed:
        return
    if not verdict.enforced:
        log.warning(
            "audit mode: would deny %s %s on %s: %s (request %s)",
            verdict.principal_arn,
            verdict.action or f"{service}:{operation}",
            verdict.resource or "-",
            decision.reason,
            ctx.request_id,
        )
        return
    code, status = _DENIED.get(ctx.protocol, ("AccessDenied", 403))
    header = (authorization_message.HEADER, _encoded_message(ctx, rt, verdict))
    own = checks[-1][0].denial if checks else None
    if isinstance(own, AwsError):
        raise AwsError(own.code, own.message, own.status, fields=own.fields, headers=[*own.headers, header])
    raise AwsError(code, verdict.message(), status, headers=[header])


def _encoded_message(ctx: RequestContext, rt: Runtime, verdict: Verdict) -> str:
    """The denial, sealed, for sts:DecodeAuthorizationMessage (only denials pay for it)."""
    assert ctx.principal is not None
    decision = verdict.decision
    context = ctx.checks_context
    message = authorization_message.decoded_message(
        allowed=False,
        explicit_deny=decision.reason.startswith("with an explicit deny"),
        matched=decision.deciding,
        principal_id=ctx.principal.user_id,
        principal_arn=ctx.principal.arn,
        action=verdict.action,
        resource=verdict.resource,
        conditions=context,
        reason=decision.reason,
        explanation=verdict.render(),
    )
    return authorization_message.encode(rt.services.deps.sealer, message)


def judge(ctx: RequestContext, rt: Runtime, rule: AuthzRule | None) -> tuple[tuple[Check, ...], Decision]:
    assert ctx.route is not None and ctx.principal is not None and ctx.call is not None
    principal = ctx.principal
    if rule is None:
        log.error("no authorization mapping for %s:%s: denied", ctx.service, ctx.operation_name)
        return (), Decision(
            False, f"no authorization mapping for {ctx.service}:{ctx.operation_name} (fail closed)"
        )
    if principal.is_anonymous:
        if is_unsigned_operation(ctx.service, ctx.operation_name):
            return (), NO_PERMISSION_NEEDED
        return _deny_anonymous(rule(ctx.params, ctx.call))
    requests = rule(ctx.params, ctx.call)
    if not requests:
        return (), NO_PERMISSION_NEEDED
    if principal.is_root:
        return _judge_root(ctx, rt, requests)
    return _judge_by_policies(ctx, rt, requests)


def _deny_anonymous(requests: list[ActionRequest]) -> tuple[tuple[Check, ...], Decision]:
    if not requests:
        return (), Decision(False, "anonymous callers need a signature for this operation")
    denial = _implicit_resource_denial(requests[0], "anonymous callers are allowed only by resource policies")
    return ((requests[0], denial),), denial


def _judge_root(
    ctx: RequestContext, rt: Runtime, requests: list[ActionRequest]
) -> tuple[tuple[Check, ...], Decision]:
    """The root user may do anything in its own account; a resource's own policy (a trust or key policy that must
    allow), another account's resource and the SCPs of a member account are judged by the engine, with root
    standing in for identity policies.
    """
    assert ctx.principal is not None
    orgs = rt.authz_cache.org_context(rt.store, ctx.principal.partition, ctx.principal.account_id)
    if _ceiling(orgs, "scps") is not None:
        return _judge_by_policies(ctx, rt, requests)
    governed = _ceiling(orgs, "rcps") is not None  # then each request is asked whether an RCP governs it
    plain = [
        _plainly_own(ctx.principal, request)
        and (not governed or _rcps_for(request, orgs, ctx.principal) is None)
        for request in requests
    ]
    if all(plain):
        return tuple((request, ROOT_ALLOWED) for request in requests), ROOT_ALLOWED
    # Only the others go to the engine (a GetSecretValue's kms:Decrypt under the key's policy, beside its own
    # plainly allowed secretsmanager:GetSecretValue; a request an RCP governs); the checks keep the requests'
    # order, up to a denial.
    judged = iter(
        _judge_by_policies(ctx, rt, [r for r, own in zip(requests, plain, strict=True) if not own])[0]
    )
    checks: list[Check] = []
    for request, own in zip(requests, plain, strict=True):
        if own:
            checks.append((request, ROOT_ALLOWED))
            continue
        check = next(judged)
        checks.append(check)
        if not check[1].allowed:
            break
    return tuple(checks), checks[-1][1]


def _plainly_own(principal: Principal | None, request: ActionRequest) -> bool:
    assert principal is not None
    return (
        request.resource_account in ("", principal.account_id)
        and request.resource_policy is None
        and not request.resource_required
    )


def _implicit_resource_denial(request: ActionRequest, detail: str) -> Decision:
    reason = implicit_deny_phrase("resource", request.action)
    walk = (Step("resource-based policy", "deny", detail),)
    return Decision(False, reason, request, explanation=Explanation(False, reason, walk, ()))


def _judge_by_policies(
    ctx: RequestContext, rt: Runtime, requests: list[ActionRequest]
) -> tuple[tuple[Check, ...], Decision]:
    assert ctx.principal is not None
    principal = ctx.principal
    cache, store = rt.authz_cache, rt.store
    owner = policy_owner(principal)
    if owner is None and not principal.is_root:
        reason = f"principal kind `{principal.kind}` has no policies here (fail closed)"
        return (), Decision(False, reason, requests[0])
    base = cache.policies(store, owner) if owner is not None else NO_POLICIES
    session = cache.session_policies(store, principal)
    globals_ = request_globals(ctx)
    tags = request_tag_keys(ctx.params)
    caller_tags = functools.partial(_principal_tag_keys, cache, store, owner, principal)
    caller_org = cache.org_context(store, principal.partition, principal.account_id)
    scps = _ceiling(caller_org, "scps") if not _exempt_from_ceilings(principal) else None
    checks: list[Check] = []
    for request in requests:
        resource_account = request.resource_account or principal.account_id
        resource_org = (
            caller_org
            if resource_account == principal.account_id
            else cache.org_context(store, principal.partition, resource_account)
        )
        rcps = _rcps_for(request, resource_org, principal)
        policies = cache.compose(
            base, session, request.resource_policy, request.resource_required, scps or (), rcps or ()
        )
        org_keys = _org_keys(caller_org, resource_org, resource_account)
        context = _context_for(cache, store, globals_, tags, request, caller_tags, org_keys)
        authz = AuthzRequest(
            principal.arn,
            principal.account_id,
            request.action,
            request.resource,
            request.resource_account,
            context,
        )
        decision = decide(authz, policies)
        context.seal()  # the decision is settled: a walk rendered later must read what it read
        checks.append((request, decision))
        if not decision.allowed:
            ctx.checks_context = context
            break
    return tuple(checks), checks[-1][1]


# Services whose resources RCPs govern ("Resource control policies", AWS Organizations User Guide).
RCP_SERVICES = frozenset(
    {"s3", "sts", "sqs", "secretsmanager", "kms", "ecr", "aoss", "cognito-identity", "logs", "dynamodb"}
)


def _ceiling(org: OrgContext | None, kind: str) -> tuple[tuple[Policy, ...], ...] | None:
    """The account's SCP (or RCP) levels, or None when they do not apply: outside an organization, in its
    management account, or with that policy type not enabled."""
    if org is None or org.management:
        return None
    levels: tuple[tuple[Policy, ...], ...] | None = org.scps if kind == "scps" else org.rcps
    return levels


def _exempt_from_ceilings(principal: Principal) -> bool:
    """Service-linked roles are exempt from SCPs and RCPs."""
    return principal.kind == "assumed-role" and ":role/aws-service-role/" in principal.role_arn


def _rcps_for(
    request: ActionRequest, org: OrgContext | None, principal: Principal
) -> tuple[tuple[Policy, ...], ...] | None:
    if not request.resource_account or request.outside_rcps or _exempt_from_ceilings(principal):
        return None
    if request.action.split(":", 1)[0].lower() not in RCP_SERVICES:
        return None
    return _ceiling(org, "rcps")


def _org_keys(
    caller: OrgContext | None, resource: OrgContext | None, resource_account: str
) -> dict[str, Values]:
    keys: dict[str, Values] = {"aws:resourceaccount": (resource_account,)}
    if caller is not None:
        keys["aws:principalorgid"] = (caller.org_id,)
        keys["aws:principalorgpaths"] = (caller.path,)
    if resource is not None:
        keys["aws:resourceorgid"] = (resource.org_id,)
        keys["aws:resourceorgpaths"] = (resource.path,)
    return keys


def policy_owner(principal: Principal) -> Owner | None:
    """Whose policies apply: an IAM user's own (also in its GetSessionToken sessions), a role session's role's,
    a federated user's issuing user's."""
    if principal.kind == "federated-user":
        issuer = principal.session.issuer if principal.session is not None else None
        if issuer is None or issuer.type != "IAMUser":
            return None
        return principal.partition, principal.account_id, "user", issuer.user_name.lower()
    return _owner(principal.kind, principal.arn, principal.partition, principal.account_id)


@functools.lru_cache(maxsize=4096)
def _owner(kind: str, arn: str, partition: str, account_id: str) -> Owner | None:
    if kind == "user":
        return partition, account_id, "user", arn.rsplit("/", 1)[-1].lower()
    if kind == "assumed-role":
        return partition, account_id, "role", arn.rsplit(":assumed-role/", 1)[-1].split("/", 1)[0].lower()
    return None


def request_globals(ctx: RequestContext) -> Mapping[str, Values]:
    """The global condition keys of this request but its tags (shared: never mutate them)."""
    assert ctx.principal is not None
    request = ctx.request
    return global_keys(
        ctx.principal,
        received_at=ctx.received_at,
        source_ip=request.client_ip,
        region=ctx.region,
        user_agent=request.header("user-agent"),
        referer=request.header("referer"),
    )


def _context_for(
    cache: AuthorizationCache,
    store: SqliteStore,
    base: Mapping[str, Values],
    tags: Mapping[str, Values],
    request: ActionRequest,
    caller_tags: Loader,
    org_keys: dict[str, Values],
) -> ConditionContext:
    own = {**tags, **org_keys, **operation_keys(request.context)} if request.context else {**tags, **org_keys}
    resource_tags = functools.partial(_resource_tag_keys, cache, store, request.resource)
    return ConditionContext(base, own, [((PRINCIPAL_TAG,), caller_tags), (RESOURCE_TAGS, resource_tags)])


def _principal_tag_keys(
    cache: AuthorizationCache, store: SqliteStore, owner: Owner | None, principal: Principal
) -> dict[str, Values]:
    """aws:PrincipalTag: the user's or role's tags; a session's tags override its role's tags of the same key."""
    tags: dict[str, str] = {}
    if owner is not None and principal.kind != "federated-user":
        tags.update(cache.principal_tags(store, owner))
    if principal.session is not None and principal.session.tags:
        lowered = {key.lower(): key for key in tags}
        for key, value in principal.session.tags:
            tags.pop(lowered.get(key.lower(), key), None)
            tags[key] = value
    return tag_keys((PRINCIPAL_TAG,), tags)


def _resource_tag_keys(cache: AuthorizationCache, store: SqliteStore, resource: str) -> dict[str, Values]:
    prefixes = RESOURCE_TAGS if ":iam::" in resource else RESOURCE_TAGS[:1]
    return tag_keys(prefixes, cache.resource_tags(store, resource))


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
        store=rt.store,
        sealer=rt.services.deps.sealer,
        judge=functools.partial(_judge_items, ctx, rt),
    )


def _judge_items(ctx: RequestContext, rt: Runtime, requests: list[ActionRequest]) -> str | None:
    """Further permissions of an allowed request, judged like its own (see `Call.judge`); enforced only under
    `--auth=enforce`, like every denial."""
    assert ctx.principal is not None
    _, decision = judge(ctx, rt, lambda _params, _call: requests)
    if decision.allowed or rt.settings.auth != "enforce":
        return None
    denied = decision.denied_action
    action = denied.action if denied is not None else requests[0].action
    resource = denied.resource if denied is not None else requests[0].resource
    return access_denied_message(caller_name(ctx.principal.arn), action, resource, decision.reason)
