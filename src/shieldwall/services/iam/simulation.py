"""The IAM policy simulator's evaluation: every (action, resource) pair through the enforcement engine.

One code path with enforcement: each pair becomes an `AuthzRequest` and a `PolicySet` and goes through
`policy.authorizer.decide`; the simulator only translates the decision and its explanation into AWS's
`EvaluationResult` (API reference, "EvaluationResult" and "ResourceSpecificResult"):

- one result per action; with specific `ResourceArns` the top level aggregates the per-resource results (the
  most restrictive decision, the statements behind it, every missing context key) and each resource gets a
  `ResourceSpecificResults` entry. `EvalResourceName` is the resource type's ARN template, which needs the
  Service Authorization Reference; without it shieldwall reports `*`, as AWS does for an action that has none.
- `MatchedStatements` and `MissingContextValues` cover identity-based and resource-based policies only (AWS
  leaves SCP and boundary statements out; their effect shows in `OrganizationsDecisionDetail` and
  `PermissionsBoundaryDecisionDetail`).
- `EvalDecisionDetails` is reported for cross-account pairs, and empty for same-account specific resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from shieldwall.policy.authorizer import Decision, PolicySet, decide
from shieldwall.policy.context_keys import statement_keys, unique
from shieldwall.policy.document import Policy
from shieldwall.policy.evaluate import (
    Environment,
    PolicyResult,
    environment,
    evaluate_policy,
    evaluate_statement,
)
from shieldwall.policy.positions import Span
from shieldwall.policy.request import AuthzRequest

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"
_SEVERITY = {ALLOWED: 0, IMPLICIT_DENY: 1, EXPLICIT_DENY: 2}
_REPORTED_KINDS = frozenset({"identity", "resource"})
EXPLICIT_PHRASE = (
    "with an explicit deny"  # how every explicit denial's reason opens (`explain.explicit_deny_phrase`)
)
DETAIL_KEYS = {"identity": "IAM Policy", "resource": "Resource Policy"}


@dataclass(frozen=True, slots=True)
class SourcePolicy:
    """One policy in a simulation: its compiled form (named uniquely) and how the API refers to it."""

    source_id: str  # SourcePolicyId: "PolicyInputList.1", "ResourcePolicy", a policy name
    source_type: str  # SourcePolicyType: none, user, group, role, aws-managed, user-managed, resource
    policy: Policy
    spans: tuple[Span, ...]
    arn: str = ""  # a managed policy's ARN (for PolicyExclusionList)
    attachment: tuple[str, str] = ("", "")  # an inline policy's (AttachmentType, AttachmentName)


@dataclass(frozen=True, slots=True)
class Simulation:
    identity: tuple[SourcePolicy, ...]
    caller_arn: str
    caller_account: str
    resource_owner: str  # the account owning resources whose ARN names none
    context: Mapping[str, tuple[str, ...]]
    boundary: SourcePolicy | None = None
    resource: SourcePolicy | None = None
    scps: tuple[tuple[Policy, ...], ...] = ()
    specific_resources: bool = False

    def policy_set(self) -> PolicySet:
        return PolicySet(
            identity=tuple(source.policy for source in self.identity),
            resource=None if self.resource is None else self.resource.policy,
            boundary=None if self.boundary is None else self.boundary.policy,
            scps=self.scps,
        )

    def sources(self) -> dict[str, SourcePolicy]:
        found = {source.policy.name: source for source in self.identity}
        if self.resource is not None:
            found[self.resource.policy.name] = self.resource
        return found


@dataclass(frozen=True, slots=True)
class Outcome:
    """The simulation of one action on one resource."""

    resource: str
    decision: str
    matched: tuple[dict[str, Any], ...]
    missing: tuple[str, ...]
    details: dict[str, str] | None  # EvalDecisionDetails; None when not reported
    boundary_allows: bool | None
    organizations_allow: bool | None


def simulate_action(simulation: Simulation, action: str, resources: list[str]) -> dict[str, Any]:
    """The EvaluationResult of one action over `resources` (["*"] when the request named none)."""
    outcomes = [simulate_pair(simulation, action, resource) for resource in resources]
    worst = max((outcome.decision for outcome in outcomes), key=_SEVERITY.__getitem__)
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": "*",
        "EvalDecision": worst,
        "MatchedStatements": _union_matched(outcomes, worst),
        "MissingContextValues": unique(key for outcome in outcomes for key in outcome.missing),
    }
    organizations = [o.organizations_allow for o in outcomes if o.organizations_allow is not None]
    if organizations:
        result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": all(organizations)}
    boundaries = [o.boundary_allows for o in outcomes if o.boundary_allows is not None]
    if boundaries:
        result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": all(boundaries)}
    details = [outcome.details for outcome in outcomes if outcome.details is not None]
    if details:
        result["EvalDecisionDetails"] = _worst_details(details)
    if simulation.specific_resources:
        result["ResourceSpecificResults"] = [_resource_result(outcome) for outcome in outcomes]
    return result


def simulate_pair(simulation: Simulation, action: str, resource: str) -> Outcome:
    request = AuthzRequest(
        principal_arn=simulation.caller_arn,
        principal_account=simulation.caller_account,
        action=action,
        resource=resource,
        resource_account=resource_account(resource, simulation.resource_owner),
        context=simulation.context,
    )
    decision = decide(request, simulation.policy_set())
    env = environment(request, has_boundary=simulation.boundary is not None)
    verdict = verdict_of(decision)
    organizations = _organizations_allow(simulation, env)
    return Outcome(
        resource=resource,
        decision=verdict,
        matched=matched_statements(decision, simulation.sources()),
        missing=tuple(missing_context(simulation, env)),
        details=None if organizations is False else _decision_details(simulation, request, env),
        boundary_allows=None if simulation.boundary is None else _allows(simulation.boundary.policy, env),
        organizations_allow=organizations,
    )


def resource_account(resource: str, owner: str) -> str:
    """The account in the resource's ARN, or the simulation's resource owner when the ARN names none."""
    parts = resource.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4] else owner


def verdict_of(decision: Decision) -> str:
    if decision.allowed:
        return ALLOWED
    return EXPLICIT_DENY if decision.reason.startswith(EXPLICIT_PHRASE) else IMPLICIT_DENY


def matched_statements(decision: Decision, sources: dict[str, SourcePolicy]) -> tuple[dict[str, Any], ...]:
    """The identity- and resource-policy statements among those that decided, with their positions."""
    if decision.explanation is None:
        return ()
    deciding = set(decision.deciding)
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for step in decision.explanation.steps:
        for result in step.policies:
            source = sources.get(result.name)
            if source is None or result.kind not in _REPORTED_KINDS:
                continue
            for statement in result.statements:
                if statement.applies and f"{result.name} {statement.label}" in deciding:
                    found.setdefault((result.name, statement.index), _statement_ref(source, statement.index))
    return tuple(found.values())


def _statement_ref(source: SourcePolicy, index: int) -> dict[str, Any]:
    ref: dict[str, Any] = {"SourcePolicyId": source.source_id, "SourcePolicyType": source.source_type}
    if index < len(source.spans):
        ref["StartPosition"] = source.spans[index].start.as_dict()
        ref["EndPosition"] = source.spans[index].end.as_dict()
    return ref


def missing_context(simulation: Simulation, env: Environment) -> list[str]:
    """Keys that the statements relevant to this action and resource use and the context does not supply.

    A statement is relevant when its action and resource match; one whose resource holds a policy variable is
    relevant whatever its resource, since the missing variable may be why it does not match.
    """
    sources = [*simulation.identity, *(() if simulation.resource is None else (simulation.resource,))]
    keys: list[str] = []
    for source in sources:
        policy = source.policy
        for statement in policy.statements_for(env.service):
            variable_resource = any("${" in p.text for p in statement.resources or ()) and policy.variables
            bare = replace(
                statement,
                conditions=(),
                principal=None,
                resources=None if variable_resource else statement.resources,
            )
            if evaluate_statement(bare, env, policy.variables).applies:
                keys.extend(statement_keys(statement, policy))
    return [key for key in unique(keys) if key.lower() not in simulation.context]


def _allows(policy: Policy, env: Environment) -> bool:
    result = evaluate_policy(policy, env)
    return result.allows and not result.denies


def _organizations_allow(simulation: Simulation, env: Environment) -> bool | None:
    if not simulation.scps:
        return None
    levels = [[evaluate_policy(policy, env) for policy in level] for level in simulation.scps]
    denied = any(result.denies for level in levels for result in level)
    return not denied and all(any(result.allows for result in level) for level in levels)


def _decision_details(
    simulation: Simulation, request: AuthzRequest, env: Environment
) -> dict[str, str] | None:
    if not request.is_cross_account:
        return {} if simulation.specific_resources else None
    identity = tuple(evaluate_policy(source.policy, env) for source in simulation.identity)
    resource = () if simulation.resource is None else (evaluate_policy(simulation.resource.policy, env),)
    return {DETAIL_KEYS["identity"]: _side(identity), DETAIL_KEYS["resource"]: _side(resource)}


def _side(results: tuple[PolicyResult, ...]) -> str:
    if any(result.denies for result in results):
        return EXPLICIT_DENY
    return ALLOWED if any(result.allows for result in results) else IMPLICIT_DENY


def _union_matched(outcomes: list[Outcome], decision: str) -> list[dict[str, Any]]:
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for outcome in outcomes:
        if outcome.decision != decision:
            continue
        for ref in outcome.matched:
            key = (ref["SourcePolicyId"], ref["SourcePolicyType"], str(ref.get("StartPosition")))
            found.setdefault(key, ref)
    return list(found.values())


def _worst_details(details: list[dict[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for detail in details:
        for key, value in detail.items():
            if _SEVERITY[value] >= _SEVERITY[merged.get(key, ALLOWED)]:
                merged[key] = value
    return merged


def _resource_result(outcome: Outcome) -> dict[str, Any]:
    result: dict[str, Any] = {
        "EvalResourceName": outcome.resource,
        "EvalResourceDecision": outcome.decision,
        "MatchedStatements": list(outcome.matched),
        "MissingContextValues": list(outcome.missing),
    }
    if outcome.details is not None:
        result["EvalDecisionDetails"] = outcome.details
    if outcome.boundary_allows is not None:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": outcome.boundary_allows
        }
    return result
