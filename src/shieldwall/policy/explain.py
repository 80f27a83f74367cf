"""The evaluation walk behind a decision, as data and as text, and the denial in AWS's words.

The walk follows AWS's order: explicit deny, then the Organizations ceilings (SCPs, RCPs), the resource-based
policy, the permissions boundary, the session policy and the identity-based policies. Each step names its
outcome and carries the per-policy statement results that produced it.

Denial phrases are AWS's ("Troubleshoot access denied error messages", IAM User Guide): an explicit deny reads
"with an explicit deny in a <type>", an implicit one "because no <type> allows the <action> action".
"""

from __future__ import annotations

from dataclasses import dataclass

from shieldwall.policy.evaluate import PolicyResult, StatementResult

POLICY_TYPES = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
    "boundary": "permissions boundary",
    "session": "session policy",
}

STEPS = (
    "explicit deny",
    "service control policies",
    "resource control policies",
    "resource-based policy",
    "permissions boundary",
    "session policy",
    "identity-based policies",
)


def explicit_deny_phrase(kind: str) -> str:
    noun = POLICY_TYPES[kind]
    article = "an" if noun[0] in "aeiou" else "a"
    return f"with an explicit deny in {article} {noun}"


def implicit_deny_phrase(kind: str, action: str) -> str:
    return f"because no {POLICY_TYPES[kind]} allows the {action} action"


def access_denied_message(principal_arn: str, action: str, resource: str, phrase: str) -> str:
    return f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource} {phrase}"


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # one of STEPS
    outcome: str  # "deny", "allow", "pass" (no objection, keep walking), "not applicable"
    detail: str
    policies: tuple[PolicyResult, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    allowed: bool
    reason: str  # the denial phrase in AWS's words, or what allowed the request
    steps: tuple[Step, ...]
    deciding: tuple[str, ...]  # "<policy name> <statement label>" of the statements that decided

    def render(self) -> str:
        lines = [f"decision: {'Allow' if self.allowed else 'Deny'}: {self.reason}"]
        for number, step in enumerate(self.steps, 1):
            lines.append(f"{number}. {step.name}: {step.outcome}: {step.detail}")
            lines.extend(_render_policy(policy) for policy in step.policies)
        return "\n".join(lines)


def _render_policy(policy: PolicyResult) -> str:
    header = f"   {policy.kind} policy `{policy.name or 'unnamed'}`"
    if policy.skipped:
        header += f" ({policy.skipped} statement(s) for other services skipped)"
    if not policy.statements:
        return header + ": no statement for this action's service"
    return "\n".join([header, *(_render_statement(s) for s in policy.statements)])


def _render_statement(result: StatementResult) -> str:
    verdict = "applies" if result.applies else "does not apply"
    if result.error:
        verdict += " (condition error)"
    return f"     - {result.effect} {result.label}: {verdict}: {'; '.join(result.reasons)}"


def statement_names(policies: tuple[PolicyResult, ...], effect: str) -> tuple[str, ...]:
    return tuple(
        f"{policy.name or policy.kind} {statement.label}"
        for policy in policies
        for statement in policy.statements
        if statement.applies and statement.effect == effect
    )
