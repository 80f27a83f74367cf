"""The combining logic: one walk over AWS's evaluation steps, fed by one of two evaluators.

"Policy evaluation logic" (IAM User Guide, reference_policies_evaluation-logic.html) and its cross-account
page; "Permissions boundaries for IAM entities" and "Session policies" for what a resource-based policy that
names a principal directly can grant without them.

`Walk` asks its `Outcomes` questions per policy type (which Deny statements apply, does a level allow, which
Allow statements apply, the strongest resource-policy grant). `FastOutcomes` answers them by evaluating only
the statements of an `ActionPlan`, lazily, without reasons: that is how a request is decided. `FullOutcomes`
answers them from every statement's evaluation with its reasons: that is how the explanation is rendered, on
demand. Since both run the same walk over the same statement checks, the explanation shows exactly the walk
that decided.
"""

from __future__ import annotations

from typing import Protocol

from shieldwall.policy.evaluate import Environment, PolicyResult, principal_identity, statement_applies
from shieldwall.policy.explain import (
    Explanation,
    Step,
    explicit_deny_phrase,
    implicit_deny_phrase,
    statement_names,
)
from shieldwall.policy.match import Identity
from shieldwall.policy.plan import KINDS, ActionPlan, Candidate
from shieldwall.policy.request import AuthzRequest

# Names by which a resource-based policy grants to the caller itself, so neither an identity-based policy nor
# (within the account) a boundary or session policy is needed; `*` counts as naming the caller.
_DIRECT = frozenset({"user", "session", "federated", "other", "anonymous"})
_CEILINGS = (("scp", "service control policies"), ("rcp", "resource control policies"))


class Grant:
    """The allowing resource-policy statement that names the caller most directly: the name it matched."""

    __slots__ = ("identity",)

    def __init__(self, identity: Identity | None) -> None:
        self.identity = identity

    @property
    def kind(self) -> str:
        return self.identity.kind if self.identity is not None else ""

    @property
    def rank(self) -> int:
        kind = self.identity.kind if self.identity is not None else "account"
        return 0 if kind in _DIRECT else 1 if kind == "role" else 2


class Outcomes(Protocol):
    def present(self, kind: str) -> bool: ...
    def denying(self, kind: str) -> tuple[str, ...]: ...
    def missing_levels(self, kind: str) -> list[int]: ...
    def level_name(self, kind: str, number: int) -> str: ...
    def allows(self, kind: str) -> bool: ...
    def allowing(self, kind: str) -> tuple[str, ...]: ...
    def grant(self) -> Grant | None: ...
    def policies(self, kind: str) -> tuple[PolicyResult, ...]: ...


class Walk:
    """One pass over the evaluation steps in AWS's order; records the steps only when explaining."""

    def __init__(
        self,
        request: AuthzRequest,
        caller_kind: str,
        outcomes: Outcomes,
        explain: bool,
        resource_required: bool = False,
    ) -> None:
        self.request = request
        self.caller_kind = caller_kind
        self.outcomes = outcomes
        self.explain = explain
        self.resource_required = resource_required
        self.steps: list[Step] = []

    def run(self) -> Explanation:
        denial = self._explicit_deny() or self._ceilings()
        if denial is not None:
            return denial
        return self._grants()

    def _step(self, name: str, outcome: str, detail: str, kind: str = "") -> None:
        if self.explain:
            self.steps.append(Step(name, outcome, detail, self.outcomes.policies(kind) if kind else ()))

    def _deny(self, reason: str, deciding: tuple[str, ...]) -> Explanation:
        return Explanation(False, reason, tuple(self.steps), deciding)

    def _allow(self, reason: str, deciding: tuple[str, ...]) -> Explanation:
        return Explanation(True, reason, tuple(self.steps), deciding)

    def _explicit_deny(self) -> Explanation | None:
        for kind in KINDS:
            denying = self.outcomes.denying(kind)
            if denying:
                if self.explain:
                    self._step("explicit deny", "deny", f"denied by {', '.join(denying)}", kind)
                return self._deny(explicit_deny_phrase(kind), denying)
        self._step("explicit deny", "pass", "no applicable Deny statement")
        return None

    def _ceilings(self) -> Explanation | None:
        for kind, name in _CEILINGS:
            if not self.outcomes.present(kind):
                self._step(name, "not applicable", "none in scope")
                continue
            missing = self.outcomes.missing_levels(kind)
            if missing:
                if self.explain:
                    levels = "; ".join(self.outcomes.level_name(kind, number) for number in missing)
                    self._step(name, "deny", f"no Allow at organization level(s) {levels}", kind)
                return self._deny(implicit_deny_phrase(kind, self.request.action), ())
            self._step(name, "pass", "every level allows", kind)
        return None

    def _grants(self) -> Explanation:
        grant = self.outcomes.grant()
        cross = self.request.is_cross_account and self.caller_kind not in ("anonymous", "other")
        if not self.outcomes.present("resource"):
            self._step("resource-based policy", "not applicable", "no resource-based policy")
        if cross:
            return self._cross_account(grant)
        return self._same_account(grant)

    def _same_account(self, grant: Grant | None) -> Explanation:
        kind = grant.kind if grant is not None else ""
        if kind in _DIRECT:
            value = grant.identity.value if grant is not None and grant.identity is not None else ""
            self._step("resource-based policy", "allow", f"grants to `{value}` directly", "resource")
            return self._allow("allowed by a resource-based policy", self.outcomes.allowing("resource"))
        if kind == "role":
            detail = "grants to the session's role: boundary and session policy still apply"
            self._step("resource-based policy", "allow", detail, "resource")
            denial = self._boundary() or self._session()
            deciding = self.outcomes.allowing("resource")
            return denial or self._allow("allowed by a resource-based policy naming the role", deciding)
        if self.resource_required and not kind:
            self._step("resource-based policy", "deny", "it must allow, and no Allow applies", "resource")
            return self._deny(implicit_deny_phrase("resource", self.request.action), ())
        if self.outcomes.present("resource"):
            detail = "grants to the account (delegates to its policies)" if kind else "no applicable Allow"
            self._step("resource-based policy", "pass", detail, "resource")
        return self._identity_path(())

    def _cross_account(self, grant: Grant | None) -> Explanation:
        if grant is None:
            if self.outcomes.present("resource"):
                self._step("resource-based policy", "deny", "cross-account: no applicable Allow", "resource")
            return self._deny(implicit_deny_phrase("resource", self.request.action), ())
        self._step("resource-based policy", "allow", "cross-account: the resource's side allows", "resource")
        return self._identity_path(self.outcomes.allowing("resource"))

    def _identity_path(self, also_deciding: tuple[str, ...]) -> Explanation:
        denial = self._boundary() or self._session()
        if denial is not None:
            return denial
        if self.caller_kind == "root":
            self._step("identity-based policies", "allow", "the root user of the account", "identity")
            return self._allow("the root user of the account", (*also_deciding, "root"))
        allowing = self.outcomes.allowing("identity")
        if not allowing:
            self._step("identity-based policies", "deny", "no applicable Allow", "identity")
            if self.caller_kind in ("anonymous", "other"):
                return self._deny(implicit_deny_phrase("resource", self.request.action), ())
            return self._deny(implicit_deny_phrase("identity", self.request.action), ())
        if self.explain:
            self._step("identity-based policies", "allow", f"allowed by {', '.join(allowing)}", "identity")
        return self._allow("allowed by an identity-based policy", (*also_deciding, *allowing))

    def _boundary(self) -> Explanation | None:
        return self._limit("boundary", "permissions boundary")

    def _session(self) -> Explanation | None:
        return self._limit("session", "session policy")

    def _limit(self, kind: str, name: str) -> Explanation | None:
        if not self.outcomes.present(kind):
            self._step(name, "not applicable", "none in scope")
            return None
        if self.outcomes.allows(kind):
            self._step(name, "pass", "allows the action", kind)
            return None
        self._step(name, "deny", "no applicable Allow", kind)
        return self._deny(implicit_deny_phrase(kind, self.request.action), ())


class FastOutcomes:
    """Answers from an `ActionPlan`: only candidate statements, evaluated when a step asks, no reasons."""

    __slots__ = ("_env", "_plan", "_resource")

    def __init__(self, plan: ActionPlan, env: Environment) -> None:
        self._plan = plan
        self._env = env
        self._resource: list[Candidate] | None = None

    def present(self, kind: str) -> bool:
        return self._plan.kinds[kind].present

    def denying(self, kind: str) -> tuple[str, ...]:
        denies = self._plan.kinds[kind].denies
        if not denies:
            return ()
        env = self._env
        return tuple(
            name for statement, variables, name in denies if statement_applies(statement, env, variables)
        )

    def missing_levels(self, kind: str) -> list[int]:
        env = self._env
        return [
            number
            for number, group in enumerate(self._plan.kinds[kind].allows)
            if not any(statement_applies(statement, env, variables) for statement, variables, _ in group)
        ]

    def level_name(self, kind: str, number: int) -> str:
        return str(number)

    def allows(self, kind: str) -> bool:
        env = self._env
        return any(
            statement_applies(statement, env, variables)
            for group in self._plan.kinds[kind].allows
            for statement, variables, _ in group
        )

    def allowing(self, kind: str) -> tuple[str, ...]:
        if kind == "resource":
            return tuple(candidate.name for candidate in self._resource_allows())
        env = self._env
        return tuple(
            name
            for group in self._plan.kinds[kind].allows
            for statement, variables, name in group
            if statement_applies(statement, env, variables)
        )

    def grant(self) -> Grant | None:
        best: Grant | None = None
        for candidate in self._resource_allows():
            grant = Grant(principal_identity(candidate.statement, self._env))
            if best is None or grant.rank < best.rank:
                best = grant
        return best

    def policies(self, kind: str) -> tuple[PolicyResult, ...]:
        return ()

    def _resource_allows(self) -> list[Candidate]:
        if self._resource is None:
            env = self._env
            self._resource = [
                candidate
                for group in self._plan.kinds["resource"].allows
                for candidate in group
                if statement_applies(candidate.statement, env, candidate.variables)
            ]
        return self._resource


class FullOutcomes:
    """Answers from every statement's evaluation (with reasons), per policy type and level."""

    __slots__ = ("_levels", "_results")

    def __init__(
        self,
        results: dict[str, tuple[PolicyResult, ...]],
        levels: dict[str, tuple[tuple[PolicyResult, ...], ...]],
    ) -> None:
        self._results = results  # every kind, SCP/RCP levels flattened
        self._levels = levels  # "scp"/"rcp": one tuple per level; empty when not in scope

    def present(self, kind: str) -> bool:
        return bool(self._levels[kind] if kind in self._levels else self._results[kind])

    def denying(self, kind: str) -> tuple[str, ...]:
        return statement_names(self._results[kind], "Deny")

    def level_name(self, kind: str, number: int) -> str:
        """A level by the policies attached there (their names say where: root, OU, account)."""
        level = self._levels[kind][number]
        return (
            f"{number} ({', '.join(result.name for result in level)})"
            if level
            else f"{number} (no policy attached)"
        )

    def missing_levels(self, kind: str) -> list[int]:
        levels = self._levels[kind]
        return [number for number, level in enumerate(levels) if not any(r.allows for r in level)]

    def allows(self, kind: str) -> bool:
        return any(result.allows for result in self._results[kind])

    def allowing(self, kind: str) -> tuple[str, ...]:
        return statement_names(self._results[kind], "Allow")

    def grant(self) -> Grant | None:
        best: Grant | None = None
        for result in self._results["resource"]:
            for statement in result.allowing:
                grant = Grant(statement.principal)
                if best is None or grant.rank < best.rank:
                    best = grant
        return best

    def policies(self, kind: str) -> tuple[PolicyResult, ...]:
        return self._results[kind]
