"""A `PolicySet` compiled for deciding fast: statements indexed by action, plans and decisions cached.

A `Plan` is built once per set of policy objects. A `Policy` is immutable and a new version of a document is a
new object, so the identities of the objects are their versions: the plan cache is keyed by them, and holds the
objects so that an identity cannot be reused while its entry lives. Within a plan, an `ActionPlan` is built once
per (lower-cased) action: for each policy type, the statements whose Action/NotAction lets them apply to that
action, with the names the decision reports. Deciding then evaluates only those statements' resources,
principals and conditions; statements for other actions are never visited.

A decision depends on nothing but the policies, the request's principal, action, resource and accounts, and
the context keys its candidate statements read (condition keys, and the keys policy variables read). The
decision cache is keyed by exactly those, so a request that differs only in keys no candidate reads (another
`aws:SourceIp` when no statement tests it) reuses the decision. A decision that can read `aws:CurrentTime` or
`aws:EpochTime` is never cached: those keys change every second.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from shieldwall.policy.document import Policy, Statement
from shieldwall.policy.evaluate import action_matches
from shieldwall.policy.match import variable_keys
from shieldwall.policy.request import AuthzRequest

if TYPE_CHECKING:
    from shieldwall.policy.authorizer import PolicySet

KINDS = ("scp", "rcp", "resource", "boundary", "session", "identity")
"""The policy types in the order the explicit-deny step reads them."""

TIME_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
_ALWAYS_READ = ("aws:principalarn",)  # an assumed-role session's role ARN, read to name the caller
PLAN_LIMIT = 512
ACTION_LIMIT = 4096
DECISION_LIMIT = 16384

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Candidate(NamedTuple):
    statement: Statement
    variables: bool  # the policy's Version allows policy variables
    name: str  # "<policy name> <statement label>", as decisions and explanations name statements


class KindPlan(NamedTuple):
    """One policy type's statements for one action: every Deny, and the Allows grouped by level."""

    present: bool  # the type is in play (an SCP/RCP level exists; a resource policy or boundary is given)
    denies: tuple[Candidate, ...]
    allows: tuple[tuple[Candidate, ...], ...]  # one group per SCP/RCP level; a single group otherwise


class ActionPlan:
    __slots__ = ("cacheable", "keys", "kinds")

    def __init__(self, kinds: dict[str, KindPlan]) -> None:
        self.kinds = kinds
        self.keys = _keys_read(kinds)
        self.cacheable = not TIME_KEYS.intersection(self.keys)

    def read_context(self, request: AuthzRequest) -> tuple[object, ...]:
        """The values of every key a candidate statement can read.

        Reading them all up front also loads, before the caller is done with the request, every lazy part of
        its context (`policy.context.ConditionContext`) that rendering the explanation later could need.
        """
        get = request.context.get
        return tuple([get(key) for key in self.keys])

    def cache_key(self, request: AuthzRequest, values: tuple[object, ...]) -> tuple[object, ...] | None:
        """What a decision for `request` depends on, or None when it must not be cached."""
        if not self.cacheable:
            return None
        return (
            self,
            request.principal_arn,
            request.principal_account,
            request.action,
            request.resource,
            request.resource_account,
            values,
        )


class Plan:
    """Every policy of one `PolicySet`, grouped by type and level, with a memo of `ActionPlan`s."""

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies  # holds the policy objects whose identities key this plan
        self.has_boundary = policies.boundary is not None
        self._levels = _levels(policies)
        self._actions: dict[str, ActionPlan] = {}

    def for_action(self, action_lower: str) -> ActionPlan:
        found = self._actions.get(action_lower)
        if found is None:
            found = ActionPlan(
                {kind: _kind_plan(kind, levels, action_lower) for kind, levels in self._levels.items()}
            )
            remember(self._actions, action_lower, found, ACTION_LIMIT)
        return found


def _levels(policies: PolicySet) -> dict[str, tuple[tuple[Policy, ...], ...] | None]:
    """Each type's policies by level; None when the type is not in play (an exempt SCP/RCP is not)."""

    def single(items: tuple[Policy, ...]) -> tuple[tuple[Policy, ...], ...] | None:
        return (items,) if items else None

    return {
        "scp": None if policies.scp_exempt or not policies.scps else policies.scps,
        "rcp": None if policies.rcp_exempt or not policies.rcps else policies.rcps,
        "resource": single(() if policies.resource is None else (policies.resource,)),
        "boundary": single(() if policies.boundary is None else (policies.boundary,)),
        "session": single(policies.session),
        "identity": single(policies.identity),
    }


def _kind_plan(kind: str, levels: tuple[tuple[Policy, ...], ...] | None, action: str) -> KindPlan:
    if levels is None:
        return KindPlan(False, (), ())
    service = action.partition(":")[0]
    denies: list[Candidate] = []
    allows: list[tuple[Candidate, ...]] = []
    for level in levels:
        group: list[Candidate] = []
        for policy in level:
            for statement in policy.statements_for(service):
                if action_matches(statement, action):
                    name = f"{policy.name or policy.kind} {statement.label}"
                    candidate = Candidate(statement, policy.variables, name)
                    (denies if statement.effect == "Deny" else group).append(candidate)
        allows.append(tuple(group))
    return KindPlan(True, tuple(denies), tuple(allows))


def _keys_read(kinds: dict[str, KindPlan]) -> tuple[str, ...]:
    read: set[str] = set(_ALWAYS_READ)
    for plan in kinds.values():
        for candidate in _all_candidates(plan):
            read.update(_statement_keys(candidate.statement))
    return tuple(sorted(read))


def _all_candidates(plan: KindPlan) -> Iterable[Candidate]:
    yield from plan.denies
    for group in plan.allows:
        yield from group


def _statement_keys(statement: Statement) -> set[str]:
    """Every context key evaluating `statement` can read: condition keys and the keys variables name."""
    keys: set[str] = set()
    for pattern in statement.resources or ():
        keys.update(pattern.keys)
    for condition in statement.conditions:
        keys.add(condition.key.lower())
        for value in condition.values:
            keys.update(variable_keys(value))
    return keys


# --- caches ------------------------------------------------------------------------------------------------

_PLANS_BY_SET: dict[int, tuple[PolicySet, Plan]] = {}
_PLANS_BY_POLICIES: dict[tuple[object, ...], Plan] = {}


def plan_for(policies: PolicySet) -> Plan:
    """The plan of `policies`: O(1) when the same `PolicySet` comes back, else keyed by its policies' ids."""
    entry = _PLANS_BY_SET.get(id(policies))
    if entry is not None and entry[0] is policies:
        return entry[1]
    signature = _signature(policies)
    plan = _PLANS_BY_POLICIES.get(signature)
    if plan is None:
        plan = Plan(policies)
        remember(_PLANS_BY_POLICIES, signature, plan, PLAN_LIMIT)
    remember(_PLANS_BY_SET, id(policies), (policies, plan), PLAN_LIMIT)
    return plan


def _signature(policies: PolicySet) -> tuple[object, ...]:
    return (
        tuple(map(id, policies.identity)),
        id(policies.resource),
        id(policies.boundary),
        tuple(map(id, policies.session)),
        tuple(tuple(map(id, level)) for level in policies.scps),
        tuple(tuple(map(id, level)) for level in policies.rcps),
        policies.scp_exempt,
        policies.rcp_exempt,
        policies.resource_required,
    )


Verdict = tuple[bool, str, tuple[str, ...]]  # allowed, reason, deciding statements
_DECISIONS: dict[tuple[object, ...], Verdict] = {}
_decision_limit = DECISION_LIMIT


def recall(key: tuple[object, ...]) -> Verdict | None:
    try:
        return _DECISIONS.get(key)
    except TypeError:  # a context value that is not hashable: decide without the cache
        return None


def store(key: tuple[object, ...], verdict: Verdict) -> None:
    with contextlib.suppress(TypeError):
        remember(_DECISIONS, key, verdict, _decision_limit)


def set_decision_cache_limit(limit: int) -> None:
    """Bound the decision cache (0 turns it off, e.g. to measure evaluation); clears it."""
    global _decision_limit
    _decision_limit = max(0, limit)
    _DECISIONS.clear()


def clear_caches() -> None:
    _PLANS_BY_SET.clear()
    _PLANS_BY_POLICIES.clear()
    _DECISIONS.clear()


def remember(cache: dict[K, V], key: K, value: V, limit: int) -> None:
    """Insert, evicting the oldest entries beyond `limit` (first in, first out: no bookkeeping on a hit)."""
    if limit <= 0:
        return
    cache[key] = value
    while len(cache) > limit:
        try:
            del cache[next(iter(cache))]
        except (KeyError, RuntimeError, StopIteration):  # another thread evicted it first
            break
