"""The authorization decision for one request.

`authorize(principal, requests)` is the foundation's rule set, still used by the gateway: the root user of an
account is allowed there, everyone else implicitly denied. `decide(request, policies)` is the IAM evaluation
logic (explicit deny, SCP/RCP ceilings, resource-based policy same- and cross-account, permissions boundary,
session policy, identity-based policies, default deny); its `Decision` carries the `Explanation` and, when
denied, `reason` is the tail of AWS's AccessDenied message ("because no identity-based policy allows ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shieldwall.auth.principal import Principal
from shieldwall.policy.document import Policy
from shieldwall.policy.evaluate import (
    Environment,
    PolicyResult,
    StatementResult,
    environment,
    evaluate_policy,
)
from shieldwall.policy.explain import (
    Explanation,
    Step,
    explicit_deny_phrase,
    implicit_deny_phrase,
    statement_names,
)
from shieldwall.policy.request import AuthzRequest


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One permission a request needs: an IAM action on a resource ARN (or ``*``)."""

    action: str
    resource: str
    resource_account: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    denied_action: ActionRequest | None = None
    deciding: tuple[str, ...] = field(default_factory=tuple)
    explanation: Explanation | None = None

    @property
    def effect(self) -> str:
        return "Allow" if self.allowed else "Deny"


NO_PERMISSION_NEEDED = Decision(True, "the operation requires no permission")


def decide(request: AuthzRequest, policies: PolicySet) -> Decision:
    """The IAM policy evaluation logic: every policy type combined, with the walk that decided it."""
    explanation = combine(request, policies)
    denied = (
        None
        if explanation.allowed
        else ActionRequest(request.action, request.resource, request.resource_account)
    )
    return Decision(explanation.allowed, explanation.reason, denied, explanation.deciding, explanation)


def authorize(principal: Principal, requests: list[ActionRequest]) -> Decision:
    if not requests:
        return NO_PERMISSION_NEEDED
    for request in requests:
        decision = _decide(principal, request)
        if not decision.allowed:
            return decision
    return Decision(True, f"{principal.arn} is the root user of the account", deciding=("root",))


def _decide(principal: Principal, request: ActionRequest) -> Decision:
    if principal.is_root and request.resource_account in ("", principal.account_id):
        return Decision(True, "root user of the account", deciding=("root",))
    if principal.is_anonymous:
        return Decision(False, "anonymous callers have no permissions here", denied_action=request)
    return Decision(False, "no policy allows the action (implicit deny)", denied_action=request)


# --- the IAM evaluation logic ------------------------------------------------------------------------------
#
# "Policy evaluation logic" (IAM User Guide, reference_policies_evaluation-logic.html) and its cross-account
# page; "Permissions boundaries for IAM entities" and "Session policies" for what a resource-based policy that
# names a principal directly can grant without them.

# Names by which a resource-based policy grants to the caller itself, so neither an identity-based policy nor
# (within the account) a boundary or session policy is needed; `*` counts as naming the caller.
_DIRECT = frozenset({"user", "session", "federated", "other", "anonymous"})


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that applies to one request; an empty tuple or None means that type is not in play."""

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    boundary: Policy | None = None
    session: tuple[Policy, ...] = ()  # inline and managed session policies; any of them may allow
    scps: tuple[tuple[Policy, ...], ...] = ()  # one tuple per level: organization root, each OU, the account
    rcps: tuple[tuple[Policy, ...], ...] = ()  # the same for the resource's account
    scp_exempt: bool = False  # the caller's account is the organization's management account
    rcp_exempt: bool = False  # the resource's account is the organization's management account


@dataclass(frozen=True, slots=True)
class _Results:
    identity: tuple[PolicyResult, ...]
    resource: tuple[PolicyResult, ...]
    boundary: tuple[PolicyResult, ...]
    session: tuple[PolicyResult, ...]
    scps: tuple[tuple[PolicyResult, ...], ...]
    rcps: tuple[tuple[PolicyResult, ...], ...]

    def everything(self) -> tuple[PolicyResult, ...]:
        levels = tuple(result for level in (*self.scps, *self.rcps) for result in level)
        return (*levels, *self.resource, *self.boundary, *self.session, *self.identity)


def combine(request: AuthzRequest, policies: PolicySet) -> Explanation:
    env = environment(request, has_boundary=policies.boundary is not None)
    results = _evaluate_all(policies, env)
    walk = _Walk(request, env.chain[0].kind, results)
    return walk.run()


def _evaluate_all(policies: PolicySet, env: Environment) -> _Results:
    def each(items: tuple[Policy, ...]) -> tuple[PolicyResult, ...]:
        return tuple(evaluate_policy(policy, env) for policy in items)

    return _Results(
        identity=each(policies.identity),
        resource=each(() if policies.resource is None else (policies.resource,)),
        boundary=each(() if policies.boundary is None else (policies.boundary,)),
        session=each(policies.session),
        scps=() if policies.scp_exempt else tuple(each(level) for level in policies.scps),
        rcps=() if policies.rcp_exempt else tuple(each(level) for level in policies.rcps),
    )


class _Walk:
    """One pass over the evaluation steps in AWS's order, recording each step's outcome."""

    def __init__(self, request: AuthzRequest, caller_kind: str, results: _Results) -> None:
        self.request = request
        self.caller_kind = caller_kind
        self.results = results
        self.steps: list[Step] = []

    def run(self) -> Explanation:
        denial = self._explicit_deny() or self._ceilings()
        if denial is not None:
            return denial
        return self._grants()

    def _deny(self, reason: str, deciding: tuple[str, ...]) -> Explanation:
        return Explanation(False, reason, tuple(self.steps), deciding)

    def _allow(self, reason: str, deciding: tuple[str, ...]) -> Explanation:
        return Explanation(True, reason, tuple(self.steps), deciding)

    def _explicit_deny(self) -> Explanation | None:
        for kind, results in self._by_kind():
            denying = statement_names(results, "Deny")
            if denying:
                self.steps.append(Step("explicit deny", "deny", f"denied by {', '.join(denying)}", results))
                return self._deny(explicit_deny_phrase(kind), denying)
        self.steps.append(Step("explicit deny", "pass", "no applicable Deny statement"))
        return None

    def _by_kind(self) -> list[tuple[str, tuple[PolicyResult, ...]]]:
        r = self.results
        flat_scps = tuple(result for level in r.scps for result in level)
        flat_rcps = tuple(result for level in r.rcps for result in level)
        return [
            ("scp", flat_scps),
            ("rcp", flat_rcps),
            ("resource", r.resource),
            ("boundary", r.boundary),
            ("session", r.session),
            ("identity", r.identity),
        ]

    def _ceilings(self) -> Explanation | None:
        for kind, name, levels in (
            ("scp", "service control policies", self.results.scps),
            ("rcp", "resource control policies", self.results.rcps),
        ):
            if not levels:
                self.steps.append(Step(name, "not applicable", "none in scope"))
                continue
            flat = tuple(result for level in levels for result in level)
            missing = [number for number, level in enumerate(levels) if not any(r.allows for r in level)]
            if missing:
                detail = f"no Allow at organization level(s) {', '.join(map(str, missing))}"
                self.steps.append(Step(name, "deny", detail, flat))
                return self._deny(implicit_deny_phrase(kind, self.request.action), ())
            self.steps.append(Step(name, "pass", "every level allows", flat))
        return None

    def _grants(self) -> Explanation:
        resource = self.results.resource
        grant = _strongest_grant(resource)
        cross = self.request.is_cross_account and self.caller_kind not in ("anonymous", "other")
        if not resource:
            self.steps.append(Step("resource-based policy", "not applicable", "no resource-based policy"))
        if cross:
            return self._cross_account(grant)
        return self._same_account(grant)

    def _same_account(self, grant: StatementResult | None) -> Explanation:
        resource = self.results.resource
        kind = grant.principal.kind if grant is not None and grant.principal is not None else ""
        deciding = statement_names(resource, "Allow")
        if kind in _DIRECT:
            self.steps.append(
                Step("resource-based policy", "allow", f"grants to `{grant_value(grant)}` directly", resource)
            )
            return self._allow("allowed by a resource-based policy", deciding)
        if kind == "role":
            self.steps.append(
                Step(
                    "resource-based policy",
                    "allow",
                    "grants to the session's role: boundary and session policy still apply",
                    resource,
                )
            )
            denial = self._boundary() or self._session()
            return denial or self._allow("allowed by a resource-based policy naming the role", deciding)
        if resource:
            detail = "grants to the account (delegates to its policies)" if kind else "no applicable Allow"
            self.steps.append(Step("resource-based policy", "pass", detail, resource))
        return self._identity_path(())

    def _cross_account(self, grant: StatementResult | None) -> Explanation:
        resource = self.results.resource
        if grant is None:
            if resource:
                self.steps.append(
                    Step("resource-based policy", "deny", "cross-account: no applicable Allow", resource)
                )
            return self._deny(implicit_deny_phrase("resource", self.request.action), ())
        self.steps.append(
            Step("resource-based policy", "allow", "cross-account: the resource's side allows", resource)
        )
        return self._identity_path(statement_names(resource, "Allow"))

    def _identity_path(self, also_deciding: tuple[str, ...]) -> Explanation:
        denial = self._boundary() or self._session()
        if denial is not None:
            return denial
        identity = self.results.identity
        if self.caller_kind == "root":
            self.steps.append(
                Step("identity-based policies", "allow", "the root user of the account", identity)
            )
            return self._allow("the root user of the account", (*also_deciding, "root"))
        allowing = statement_names(identity, "Allow")
        if not allowing:
            self.steps.append(Step("identity-based policies", "deny", "no applicable Allow", identity))
            if self.caller_kind in ("anonymous", "other"):
                return self._deny(implicit_deny_phrase("resource", self.request.action), ())
            return self._deny(implicit_deny_phrase("identity", self.request.action), ())
        self.steps.append(
            Step("identity-based policies", "allow", f"allowed by {', '.join(allowing)}", identity)
        )
        return self._allow("allowed by an identity-based policy", (*also_deciding, *allowing))

    def _boundary(self) -> Explanation | None:
        return self._limit("boundary", "permissions boundary", self.results.boundary)

    def _session(self) -> Explanation | None:
        return self._limit("session", "session policy", self.results.session)

    def _limit(self, kind: str, name: str, results: tuple[PolicyResult, ...]) -> Explanation | None:
        if not results:
            self.steps.append(Step(name, "not applicable", "none in scope"))
            return None
        if any(result.allows for result in results):
            self.steps.append(Step(name, "pass", "allows the action", results))
            return None
        self.steps.append(Step(name, "deny", "no applicable Allow", results))
        return self._deny(implicit_deny_phrase(kind, self.request.action), ())


def _strongest_grant(results: tuple[PolicyResult, ...]) -> StatementResult | None:
    """The allowing resource-policy statement that names the caller most directly (direct > role > account)."""
    best: StatementResult | None = None
    for result in results:
        for statement in result.allowing:
            if best is None or _rank(statement) < _rank(best):
                best = statement
    return best


def _rank(statement: StatementResult) -> int:
    kind = statement.principal.kind if statement.principal is not None else "account"
    return 0 if kind in _DIRECT else 1 if kind == "role" else 2


def grant_value(grant: StatementResult | None) -> str:
    return grant.principal.value if grant is not None and grant.principal is not None else ""
