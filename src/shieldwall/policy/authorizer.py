"""The authorization decision for one request.

`decide(request, policies)` is the IAM evaluation logic (explicit deny, SCP/RCP ceilings, resource-based policy same- and cross-account, permissions boundary,
session policy, identity-based policies, default deny); its `Decision` carries the `Explanation` and, when
denied, `reason` is the tail of AWS's AccessDenied message ("because no identity-based policy allows ...").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shieldwall.policy.document import Policy
from shieldwall.policy.evaluate import Environment, PolicyResult, environment, evaluate_policy
from shieldwall.policy.explain import Explanation
from shieldwall.policy.plan import ActionPlan, Plan, Verdict, plan_for, recall, store
from shieldwall.policy.request import EMPTY_CONTEXT, AuthzRequest
from shieldwall.policy.walk import FastOutcomes, FullOutcomes, Walk


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """One permission a request needs: an IAM action on a resource ARN (or ``*``).

    `context` holds the operation's own condition keys (`iam:PermissionsBoundary`, `kms:EncryptionContext:...`)
    as AWS spells them; the gateway adds the global keys (aws:...) and lower-cases every key name.
    """

    action: str
    resource: str
    resource_account: str = ""
    context: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: EMPTY_CONTEXT, hash=False)
    # The resource's own policy (a role's trust policy, a key policy), compiled; `resource_required` when it must
    # allow even within the account (see `PolicySet.resource_required`).
    resource_policy: Policy | None = field(default=None, hash=False, compare=False)
    resource_required: bool = field(default=False, hash=False, compare=False)
    # How the operation answers when this permission is denied, when not with the gateway's AccessDenied
    # (Secrets Manager denied kms:Decrypt: AccessDeniedException "Access to KMS is not allowed").
    denial: Exception | None = field(default=None, hash=False, compare=False)
    # Resource control policies do not govern this resource: an AWS managed KMS key ("Resource control policies
    # in AWS KMS", AWS KMS Developer Guide).
    outside_rcps: bool = field(default=False, hash=False, compare=False)


class Decision:
    """An authorization decision; `explanation` is the evaluation walk, rendered the first time it is read.

    `decide` settles allowed/reason/deciding without building the walk; the walk (every statement's reasons)
    is built only when someone asks: a denial's explanation, the explain endpoint, the simulator. Evaluation is
    a pure function of the request and the policies, so the walk rendered later is the one that decided.
    """

    __slots__ = ("_explanation", "_source", "allowed", "deciding", "denied_action", "reason")

    def __init__(
        self,
        allowed: bool,
        reason: str,
        denied_action: ActionRequest | None = None,
        deciding: tuple[str, ...] = (),
        explanation: Explanation | None = None,
        *,
        source: tuple[AuthzRequest, PolicySet] | None = None,
    ) -> None:
        self.allowed = allowed
        self.reason = reason
        self.denied_action = denied_action
        self.deciding = deciding
        self._explanation = explanation
        self._source = None if explanation is not None else source

    @property
    def explanation(self) -> Explanation | None:
        source = self._source
        if self._explanation is None and source is not None:
            self._explanation = combine(*source)
            self._source = None
        return self._explanation

    @property
    def effect(self) -> str:
        return "Allow" if self.allowed else "Deny"

    def _fields(self) -> tuple[object, ...]:
        return (self.allowed, self.reason, self.denied_action, self.deciding)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Decision(allowed={self.allowed!r}, reason={self.reason!r}, "
            f"denied_action={self.denied_action!r}, deciding={self.deciding!r})"
        )


NO_PERMISSION_NEEDED = Decision(True, "the operation requires no permission")


def decide(request: AuthzRequest, policies: PolicySet) -> Decision:
    """The IAM policy evaluation logic: every policy type combined; the walk that decided it on demand.

    Only the statements whose Action/NotAction names the request's action are evaluated (`plan`), and a
    decision is reused for a request that differs only in context keys none of them reads.
    """
    plan = plan_for(policies)
    actions = plan.for_action(request.action.lower())
    key = actions.cache_key(request, actions.read_context(request))
    verdict = None if key is None else recall(key)
    if verdict is None:
        verdict = _settle(request, plan, actions)
        if key is not None:
            store(key, verdict)
    allowed, reason, deciding = verdict
    denied = None if allowed else ActionRequest(request.action, request.resource, request.resource_account)
    return Decision(allowed, reason, denied, deciding, source=(request, policies))


def _settle(request: AuthzRequest, plan: Plan, actions: ActionPlan) -> Verdict:
    env = environment(request, has_boundary=plan.has_boundary)
    outcome = Walk(
        request,
        env.chain[0].kind,
        FastOutcomes(actions, env),
        explain=False,
        resource_required=plan.policies.resource_required,
    ).run()
    return outcome.allowed, outcome.reason, outcome.deciding


# --- the IAM evaluation logic: `policy.walk` combines, `policy.plan` indexes and caches ------------------


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
    # The resource policy must allow even within the account (a role's trust policy, a KMS key policy): an
    # identity-based policy alone never grants, and without the resource policy's Allow the request is denied.
    resource_required: bool = False


def combine(request: AuthzRequest, policies: PolicySet) -> Explanation:
    """The full walk: every statement of every policy evaluated with its reasons, every step recorded."""
    env = environment(request, has_boundary=policies.boundary is not None)
    outcomes = _evaluate_all(policies, env)
    kind = env.chain[0].kind
    return Walk(request, kind, outcomes, explain=True, resource_required=policies.resource_required).run()


def _evaluate_all(policies: PolicySet, env: Environment) -> FullOutcomes:
    def each(items: tuple[Policy, ...]) -> tuple[PolicyResult, ...]:
        return tuple(evaluate_policy(policy, env) for policy in items)

    scps = () if policies.scp_exempt else tuple(each(level) for level in policies.scps)
    rcps = () if policies.rcp_exempt else tuple(each(level) for level in policies.rcps)
    results = {
        "scp": tuple(result for level in scps for result in level),
        "rcp": tuple(result for level in rcps for result in level),
        "resource": each(() if policies.resource is None else (policies.resource,)),
        "boundary": each(() if policies.boundary is None else (policies.boundary,)),
        "session": each(policies.session),
        "identity": each(policies.identity),
    }
    return FullOutcomes(results, {"scp": scps, "rcp": rcps})
