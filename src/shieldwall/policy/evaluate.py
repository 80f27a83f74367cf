"""Evaluating one statement, or one policy, against one request: pure functions over compiled policies.

The answer says which statements applied and why each did or did not (the action, resource, principal or
condition that decided), so the authorizer can combine policies and the explanation can show the walk.
A condition that cannot be evaluated makes an Allow statement not apply and a Deny statement apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shieldwall.policy.document import Policy, Statement
from shieldwall.policy.match import Identity, Lookup, context_lookup, make_resolver, principal_chain
from shieldwall.policy.request import AuthzRequest


@dataclass(frozen=True, slots=True)
class Environment:
    """What every statement evaluation of one request shares, computed once per request."""

    request: AuthzRequest
    action: str  # lower-cased
    service: str
    chain: tuple[Identity, ...]
    lookup: Lookup
    resolve: Callable[[str], str | None]
    resolve_literal: Callable[[str], str | None]
    has_boundary: bool = False


def environment(request: AuthzRequest, has_boundary: bool = False) -> Environment:
    action = request.action.lower()
    role_arn = (
        request.context.get("aws:principalarn", ("",))[0] if ":assumed-role/" in request.principal_arn else ""
    )
    return Environment(
        request=request,
        action=action,
        service=action.partition(":")[0],
        chain=principal_chain(request.principal_arn, request.principal_account, role_arn),
        lookup=context_lookup(request.context),
        resolve=make_resolver(request.context, True),
        resolve_literal=make_resolver(request.context, False),
        has_boundary=has_boundary,
    )


@dataclass(frozen=True, slots=True)
class StatementResult:
    index: int
    sid: str
    effect: str
    applies: bool
    reasons: tuple[str, ...]
    error: bool = False  # a condition could not be evaluated
    principal: Identity | None = None  # the caller's name the Principal element matched, if it has one

    @property
    def label(self) -> str:
        return self.sid or f"#{self.index}"


@dataclass(frozen=True, slots=True)
class PolicyResult:
    name: str
    kind: str
    statements: tuple[StatementResult, ...]
    skipped: int = 0  # statements that name only other services' actions

    @property
    def allowing(self) -> tuple[StatementResult, ...]:
        return tuple(s for s in self.statements if s.applies and s.effect == "Allow")

    @property
    def denying(self) -> tuple[StatementResult, ...]:
        return tuple(s for s in self.statements if s.applies and s.effect == "Deny")

    @property
    def allows(self) -> bool:
        return any(s.applies and s.effect == "Allow" for s in self.statements)

    @property
    def denies(self) -> bool:
        return any(s.applies and s.effect == "Deny" for s in self.statements)


def evaluate_policy(policy: Policy, env: Environment) -> PolicyResult:
    candidates = policy.statements_for(env.service)
    results = tuple(evaluate_statement(statement, env, policy.variables) for statement in candidates)
    return PolicyResult(policy.name, policy.kind, results, len(policy.statements) - len(candidates))


def evaluate_statement(statement: Statement, env: Environment, variables: bool = True) -> StatementResult:
    reasons: list[str] = []
    if not _action_applies(statement, env, reasons) or not _resource_applies(statement, env, reasons):
        return _result(statement, False, reasons)
    identity = _principal_applies(statement, env, reasons)
    if statement.principal is not None and identity is None:
        return _result(statement, False, reasons)
    applies, error = _conditions_apply(statement, env, variables, reasons)
    return _result(statement, applies, reasons, error, identity)


def _result(
    statement: Statement,
    applies: bool,
    reasons: list[str],
    error: bool = False,
    identity: Identity | None = None,
) -> StatementResult:
    return StatementResult(
        statement.index, statement.sid, statement.effect, applies, tuple(reasons), error, identity
    )


def _action_applies(statement: Statement, env: Environment, reasons: list[str]) -> bool:
    action = env.request.action
    hit = next((p.text for p in statement.actions if p.matches(env.action)), None)
    if statement.not_action:
        reasons.append(
            f"action `{action}` matches NotAction `{hit}`"
            if hit
            else f"action `{action}` is outside NotAction"
        )
        return hit is None
    reasons.append(
        f"action `{action}` matches `{hit}`" if hit else f"action `{action}` matches no Action entry"
    )
    return hit is not None


def _resource_applies(statement: Statement, env: Environment, reasons: list[str]) -> bool:
    if statement.resources is None:
        return True
    resource = env.request.resource
    hit = next((p.text for p in statement.resources if p.matches(resource, env.lookup)), None)
    if statement.not_resource:
        reasons.append(
            f"resource `{resource}` matches NotResource `{hit}`"
            if hit
            else f"resource `{resource}` is outside NotResource"
        )
        return hit is None
    reasons.append(
        f"resource `{resource}` matches `{hit}`"
        if hit
        else f"resource `{resource}` matches no Resource entry"
    )
    return hit is not None


def _principal_applies(statement: Statement, env: Environment, reasons: list[str]) -> Identity | None:
    matcher = statement.principal
    if matcher is None:
        return None
    caller = env.request.principal_arn
    if not statement.not_principal:
        identity = matcher.match(env.chain)
        reasons.append(
            f"principal `{identity.value}` is named" if identity else f"principal `{caller}` is not named"
        )
        return identity
    if statement.effect == "Deny" and env.has_boundary:
        # AWS: a Deny with NotPrincipal always denies a principal that has a permissions boundary
        reasons.append(f"principal `{caller}` has a permissions boundary, so NotPrincipal exempts nobody")
        return env.chain[0]
    if matcher.excludes(env.chain):
        reasons.append(f"principal `{caller}` is exempted by NotPrincipal")
        return None
    reasons.append(f"principal `{caller}` is not exempted by NotPrincipal")
    return env.chain[0]


def _conditions_apply(
    statement: Statement, env: Environment, variables: bool, reasons: list[str]
) -> tuple[bool, bool]:
    resolve = env.resolve if variables else env.resolve_literal
    context = env.request.context
    matched = True
    for condition in statement.conditions:
        result = condition.evaluate(context, resolve)
        reasons.append(result.reason)
        if result.error:
            outcome = "the Deny applies" if statement.effect == "Deny" else "the Allow does not apply"
            reasons.append(f"a condition could not be evaluated, so {outcome} (fail closed)")
            return statement.effect == "Deny", True
        if not result.matched:
            matched = False
            if statement.effect == "Allow":
                break  # a Deny keeps going: a later condition that errors still makes it apply
    return matched, False
