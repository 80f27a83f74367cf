"""The benchmark's policy specs rendered as Cedar, as close a translation as Cedar allows.

One IAM statement becomes one Cedar policy: `Allow` → `permit`, `Deny` → `forbid` (Cedar's "forbid wins, else
a permit allows, else deny" is IAM's identity-policy logic). Where Cedar differs, the translation uses the
idiomatic Cedar form:

- Actions: Cedar has no wildcards in the scope. Each action pattern (`s3:Get*`) is an action-group entity, and
  each requested action's entity lists as parents every pattern that matches it (decided with shieldwall's
  own matcher), so `action in [Action::"s3:Get*"]` holds exactly when the IAM pattern matches. `NotAction`
  becomes `unless { action in [...] }`.
- Resources: `resource.arn like "..."`. Cedar's `*` also spans the colons of an ARN, IAM's does not in the
  first five segments; the generated ARNs never depend on the difference.
- Policy variables: Cedar has no string interpolation, so `home/${aws:username}/*` becomes `like "home/*/*"`
  plus `resource.owner == principal.name`, with the resource entity carrying that attribute.
- Condition keys: principal tags are attributes of the principal entity, resource tags of the resource
  entity, the rest are context attributes (`aws:SourceIp` an `ip` extension value, `aws:CurrentTime` epoch
  seconds as a Long). A missing key is a `has` test, with IAM's meaning per operator (negated operators and
  `...IfExists` match it, `ForAllValues` matches it).

cedarpy gets every advantage the API offers: the policy set and the entities are parsed once into handles,
and each request's context is serialized to JSON before timing.
"""

from __future__ import annotations

import json
from typing import Any

from bench.engine_workload import (
    NOW_EPOCH,
    PRINCIPAL_ARN,
    REGION,
    TEAM,
    USER,
    Cond,
    Res,
    Stmt,
    Target,
    Workload,
)
from shieldwall.policy.match import ActionPattern

# IAM key (lower-case) → (Cedar path, type); principal/resource tags are handled by prefix
CONTEXT_KEYS = {
    "aws:sourceip": ("context.sourceIp", "ip"),
    "aws:viaawsservice": ("context.viaAWSService", "bool"),
    "aws:securetransport": ("context.secureTransport", "bool"),
    "aws:requestedregion": ("context.requestedRegion", "string"),
    "aws:multifactorauthpresent": ("context.mfaPresent", "bool"),
    "aws:multifactorauthage": ("context.mfaAge", "long"),
    "aws:currenttime": ("context.now", "date"),
    "aws:requesttag/team": ("context.requestTagTeam", "string"),
    "s3:prefix": ("context.s3Prefix", "string"),
    "s3:x-amz-server-side-encryption": ("context.s3Sse", "string"),
    "kms:viaservice": ("context.kmsViaService", "string"),
    "dynamodb:attributes": ("context.dynamodbAttributes", "set"),
    "ec2:instancetype": ("context.ec2InstanceType", "string"),
}
VARIABLES = {"aws:username": "principal.name", "aws:principaltag/team": "principal.tags.team"}
DATES = {"2030-01-01T00:00:00Z": 1_893_456_000}


def cedar_policies(workload: Workload) -> str:
    return "\n".join(
        cedar_statement(statement) for policy in workload.policies for statement in policy.statements
    )


def cedar_statement(statement: Stmt) -> str:
    verb = "permit" if statement.effect == "Allow" else "forbid"
    actions = ", ".join(f'Action::"{action}"' for action in statement.actions)
    scope = "action" if statement.not_action else f"action in [{actions}]"
    clauses = [
        clause
        for clause in (_resources(statement.resources), *map(_condition, statement.conditions))
        if clause
    ]
    text = f'@id("{statement.sid}")\n{verb}(principal, {scope}, resource)'
    if clauses:
        text += " when { " + " && ".join(clauses) + " }"
    if statement.not_action:
        text += f" unless {{ action in [{actions}] }}"
    return text + ";"


def _resources(resources: tuple[Res, ...]) -> str:
    if any(resource.pattern == "*" for resource in resources):
        return ""
    return "(" + " || ".join(_resource(resource) for resource in resources) + ")"


def _resource(resource: Res) -> str:
    pattern = resource.pattern
    for _, key in resource.binds:
        pattern = pattern.replace("${" + key + "}", "*")
    parts = [f'resource.arn like "{pattern}"']
    for attribute, key in resource.binds:
        value, guard = _variable(key)
        parts.append(f"resource has {attribute} && {guard}resource.{attribute} == {value}")
    return "(" + " && ".join(parts) + ")"


def _variable(key: str) -> tuple[str, str]:
    """(expression, guard) for an IAM policy variable."""
    expression = VARIABLES[key.lower()]
    owner, _, tag = expression.rpartition(".")
    guard = f"{owner} has {tag} && " if owner == "principal.tags" else ""
    return expression, guard


def _path(key: str) -> tuple[str, str, str]:
    """(path, presence test, type) of an IAM condition key."""
    lowered = key.lower()
    for prefix, entity in (("aws:principaltag/", "principal"), ("aws:resourcetag/", "resource")):
        if lowered.startswith(prefix):
            tag = lowered[len(prefix) :]
            return f"{entity}.tags.{tag}", f"{entity}.tags has {tag}", "string"
    path, kind = CONTEXT_KEYS[lowered]
    return path, f"context has {path.split('.', 1)[1]}", kind


def _condition(condition: Cond) -> str:
    path, present, kind = _path(condition.key)
    op = condition.op
    set_op, _, op = op.rpartition(":")
    if op == "Null":
        return f"!({present})" if condition.values == ("true",) else present
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    negated = op.startswith(("StringNot", "NotIp"))
    test = _test(op, path, kind, condition.values, set_op)
    if negated or set_op == "ForAllValues" or if_exists:
        body = f"!({test})" if negated else test
        return f"(!({present}) || {body})"
    return f"({present} && {test})"


def _test(op: str, path: str, kind: str, values: tuple[str, ...], set_op: str) -> str:
    if set_op == "ForAllValues":
        return f"[{', '.join(json.dumps(v) for v in values)}].containsAll({path})"
    if op in ("StringEquals", "StringNotEquals"):
        return " || ".join(_equals(path, value) for value in values)
    if op == "StringLike":
        return " || ".join(f"{path} like {json.dumps(value)}" for value in values)
    if op in ("IpAddress", "NotIpAddress"):
        return " || ".join(f'{path}.isInRange(ip("{value}"))' for value in values)
    if op == "Bool":
        return f"{path} == {values[0].lower()}"
    comparisons = {"GreaterThan": ">", "LessThan": "<"}
    for suffix, symbol in comparisons.items():
        if op.endswith(suffix):
            number = DATES[values[0]] if kind == "date" else int(values[0])
            return f"{path} {symbol} {number}"
    raise ValueError(f"no Cedar translation for `{op}`")


def _equals(path: str, value: str) -> str:
    if value.startswith("${"):
        expression, guard = _variable(value[2:-1])
        return f"({guard}{path} == {expression})"
    return f"{path} == {json.dumps(value)}"


# --- entities and requests ---------------------------------------------------------------------------------


def cedar_entities(workload: Workload) -> list[dict[str, Any]]:
    principal = {
        "uid": {"type": "User", "id": USER},
        "attrs": {"name": USER, "arn": PRINCIPAL_ARN, "tags": {"team": TEAM, "costcenter": "cc-42"}},
        "parents": [],
    }
    entities = [principal, *_action_entities(workload)]
    seen: set[str] = set()
    for target in (*workload.hit, *workload.miss):
        if target.arn not in seen:
            seen.add(target.arn)
            attrs: dict[str, Any] = {"arn": target.arn, "tags": dict(target.tags), **target.attrs}
            entities.append({"uid": {"type": "Resource", "id": target.arn}, "attrs": attrs, "parents": []})
    return entities


def _action_entities(workload: Workload) -> list[dict[str, Any]]:
    patterns = {a for p in workload.policies for s in p.statements for a in s.actions}
    requested = {target.action for target in (*workload.hit, *workload.miss)}
    entities: list[dict[str, Any]] = [
        {"uid": _action(p), "attrs": {}, "parents": []} for p in sorted(patterns - requested)
    ]
    for action in sorted(requested):
        lowered = action.lower()
        parents = [_action(p) for p in sorted(patterns) if p != action and ActionPattern(p).matches(lowered)]
        entities.append({"uid": _action(action), "attrs": {}, "parents": parents})
    return entities


def _action(name: str) -> dict[str, str]:
    return {"type": "Action", "id": name}


def cedar_request(target: Target) -> dict[str, Any]:
    context: dict[str, Any] = {
        "sourceIp": {"__extn": {"fn": "ip", "arg": target.source_ip}},
        "viaAWSService": False,
        "secureTransport": True,
        "requestedRegion": REGION,
        "mfaPresent": True,
        "mfaAge": 300,
        "now": NOW_EPOCH,
    }
    for key, value in target.extra.items():
        path, _ = CONTEXT_KEYS[key.lower()]
        context[path.split(".", 1)[1]] = value
    return {
        "principal": f'User::"{USER}"',
        "action": f'Action::"{target.action}"',
        "resource": f'Resource::"{target.arn}"',
        "context": json.dumps(context),
    }
