"""Evaluating one statement, or one policy, against one request: pure functions over compiled policies.

The answer says which statements applied and why each did or did not (the action, resource, principal or
condition that decided), so the authorizer can combine policies and the explanation can show the walk.
A condition that cannot be evaluated makes an Allow statement not apply and a Deny statement apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shieldwall.policy.document import Policy, Statement
from shieldwall.policy.match import (
    ArnPattern,
    Identity,
    Lookup,
    context_lookup,
    make_resolver,
    principal_chain,
)
from shieldwall.policy.request import AuthzRequest


class Environment:
    """What every statement evaluation of one request shares, computed once per request.

    A plain slotted class rather than a frozen dataclass: one is built per decision, and a frozen dataclass's
    `__init__` costs several times more.
    """

    __slots__ = (
        "action",
        "chain",
        "has_boundary",
        "lookup",
        "request",
        "resolve",
        "resolve_literal",
        "service",
    )

    def __init__(
        self,
        request: AuthzRequest,
        action: str,  # lower-cased
        service: str,
        chain: tuple[Identity, ...],
        lookup: Lookup,
        resolve: Callable[[str], str | None],
        resolve_literal: Callable[[str], str | None],
        has_boundary: bool = False,
    ) -> None:
        self.request = request
        self.action = action
        self.service = service
        self.chain = chain
        self.lookup = lookup
        self.resolve = resolve
        self.resolve_literal = resolve_literal
        self.has_boundary = has_boundary


def environment(request: AuthzRequest, has_boundary: bool = False) -> Environment:
    action = request.action.lower()
    context = request.context
    role_arn = context.get("aws:principalarn", ("",))[0] if ":assumed-role/" in request.principal_arn else ""
    lookup = context_lookup(context)
    return Environment(
        request,
        action,
        action.partition(":")[0],
        principal_chain(request.principal_arn, request.principal_account, role_arn),
        lookup,
        make_resolver(context, True, lookup),
        make_resolver(context, False),
        has_boundary,
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


def statement_applies(statement: Statement, env: Environment, variables: bool) -> bool:
    """`evaluate_statement(...).applies` without the reasons, for a statement whose action already matched.

    The decision path calls this; the explanation path calls `evaluate_statement`. Both go through the same
    helpers (`first_resource_match`, `principal_identity`, `_conditions_apply`), so they cannot disagree.
    """
    resources = statement.resources
    if resources is not None:
        resource = env.request.resource
        lookup = env.lookup
        matched = False
        for pattern in resources:
            if pattern.matches(resource, lookup):
                matched = True
                break
        if matched is statement.not_resource:
            return False
    if statement.principal is not None and principal_identity(statement, env) is None:
        return False
    if not statement.conditions:
        return True
    return _conditions_apply(statement, env, variables, None)[0]


def action_matches(statement: Statement, action_lower: str) -> bool:
    """Whether the Action (or NotAction) element lets this statement apply to the action."""
    matched = first_action_match(statement, action_lower) is not None
    return matched is not statement.not_action


def first_action_match(statement: Statement, action_lower: str) -> str | None:
    for pattern in statement.actions:
        if pattern.matches(action_lower):
            return pattern.text
    return None


def first_resource_match(resources: tuple[ArnPattern, ...], env: Environment) -> str | None:
    resource = env.request.resource
    lookup = env.lookup
    for pattern in resources:
        if pattern.matches(resource, lookup):
            return pattern.text
    return None


def principal_identity(statement: Statement, env: Environment) -> Identity | None:
    """The caller's name a Principal element matched (the caller itself for NotPrincipal), None if excluded."""
    matcher = statement.principal
    if matcher is None:
        return None
    if not statement.not_principal:
        return matcher.match(env.chain)
    if statement.effect == "Deny" and env.has_boundary:
        return env.chain[0]  # AWS: a Deny with NotPrincipal always denies a principal that has a boundary
    return None if matcher.excludes(env.chain) else env.chain[0]


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
    hit = first_action_match(statement, env.action)
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
    hit = first_resource_match(statement.resources, env)
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
    if statement.principal is None:
        return None
    identity = principal_identity(statement, env)
    caller = env.request.principal_arn
    if not statement.not_principal:
        reasons.append(
            f"principal `{identity.value}` is named" if identity else f"principal `{caller}` is not named"
        )
    elif statement.effect == "Deny" and env.has_boundary:
        reasons.append(f"principal `{caller}` has a permissions boundary, so NotPrincipal exempts nobody")
    elif identity is None:
        reasons.append(f"principal `{caller}` is exempted by NotPrincipal")
    else:
        reasons.append(f"principal `{caller}` is not exempted by NotPrincipal")
    return identity


def _conditions_apply(
    statement: Statement, env: Environment, variables: bool, reasons: list[str] | None
) -> tuple[bool, bool]:
    """(applies, a condition could not be evaluated); `reasons`, when given, collects each condition's why."""
    resolve = env.resolve if variables else env.resolve_literal
    context = env.request.context
    matched = True
    for condition in statement.conditions:
        if reasons is None:
            holds = condition.holds(context, resolve)
        else:
            result = condition.evaluate(context, resolve)
            reasons.append(result.reason)
            holds = None if result.error else result.matched
        if holds is None:
            if reasons is not None:
                outcome = "the Deny applies" if statement.effect == "Deny" else "the Allow does not apply"
                reasons.append(f"a condition could not be evaluated, so {outcome} (fail closed)")
            return statement.effect == "Deny", True
        if not holds:
            matched = False
            if statement.effect == "Allow":
                break  # a Deny keeps going: a later condition that errors still makes it apply
    return matched, False
