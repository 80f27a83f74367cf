"""A policy document parsed once, when it is written, into an immutable compiled form.

`parse_policy` checks the size, reads the JSON, checks AWS's grammar (`validate`), and compiles every statement:
action patterns pre-lowered, resource patterns pre-split into ARN segments, principals normalised into sets,
conditions compiled by the condition-operator registry. Nothing is parsed or compiled again per request.
Statements are indexed by the service prefix of their actions, so evaluating `kms:Decrypt` only visits
statements that can name a KMS action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shieldwall.policy import validate
from shieldwall.policy.conditions import CompiledCondition, compile_condition
from shieldwall.policy.match import ActionPattern, ArnPattern, PrincipalMatcher

_INDEX_LIMIT = 1024  # services remembered per policy (bounded even if callers send odd action names)


class PolicyError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str
    effect: str  # "Allow" | "Deny"
    actions: tuple[ActionPattern, ...]
    not_action: bool
    resources: tuple[ArnPattern, ...] | None  # None when the element is absent (trust policies)
    not_resource: bool
    principal: PrincipalMatcher | None
    not_principal: bool
    conditions: tuple[CompiledCondition, ...]

    @property
    def label(self) -> str:
        return self.sid or f"#{self.index}"

    @property
    def services(self) -> frozenset[str]:
        if self.not_action:
            return frozenset({"*"})
        return frozenset(action.service for action in self.actions)


@dataclass(frozen=True, slots=True)
class Policy:
    kind: str
    version: str
    statements: tuple[Statement, ...]
    name: str = ""  # how explanations refer to it: a policy ARN, "inline:alice/AllowS3", a bucket name
    document_id: str = ""  # the document's own `Id` element
    _index: dict[str, tuple[Statement, ...]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def variables(self) -> bool:
        """Policy variables exist only from Version 2012-10-17; older documents read `${...}` literally."""
        return self.version == "2012-10-17"

    def statements_for(self, service: str) -> tuple[Statement, ...]:
        """Statements whose actions can match an action of `service` (lower-case prefix), in document order."""
        found = self._index.get(service)
        if found is None:
            found = tuple(s for s in self.statements if "*" in s.services or service in s.services)
            if len(self._index) < _INDEX_LIMIT:
                self._index[service] = found
        return found


def parse_policy(text: str | bytes, kind: str, *, name: str = "", limit: int | None = None) -> Policy:
    """Parse and compile a policy of one kind (see `validate.KINDS`), or raise `PolicyError` with every problem."""
    if kind not in validate.KINDS:
        raise ValueError(f"unknown policy kind `{kind}`")
    text = _decode(text)
    problems = validate.check_size(text, kind, limit)
    document, json_problems = validate.load_json(text)
    problems.extend(json_problems)
    if document is not None:
        problems.extend(validate.check_document(document, kind))
    if problems or document is None:
        raise PolicyError(problems or ["policy document could not be read"])
    return compile_document(document, kind, name)


def _decode(text: str | bytes) -> str:
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(["policy document is not valid UTF-8"]) from None


def compile_document(document: dict[str, Any], kind: str, name: str = "") -> Policy:
    """Compile a document `validate.check_document` accepted."""
    version = document.get("Version", "2008-10-17")
    raw = document["Statement"]
    statements = tuple(
        compile_statement(index, statement, version == "2012-10-17")
        for index, statement in enumerate([raw] if isinstance(raw, dict) else raw)
    )
    return Policy(kind, version, statements, name, str(document.get("Id", "")))


def compile_statement(index: int, raw: dict[str, Any], variables: bool) -> Statement:
    not_action = "NotAction" in raw
    actions = _strings(raw["NotAction" if not_action else "Action"])
    not_resource = "NotResource" in raw
    resource_value = raw.get("NotResource" if not_resource else "Resource")
    resources = None
    if resource_value is not None:
        resources = tuple(ArnPattern(text, variables) for text in _strings(resource_value))
    not_principal = "NotPrincipal" in raw
    principal_value = raw.get("NotPrincipal" if not_principal else "Principal")
    return Statement(
        index=index,
        sid=raw.get("Sid", ""),
        effect=raw["Effect"],
        actions=tuple(ActionPattern(text) for text in actions),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principal=None if principal_value is None else compile_principal(principal_value),
        not_principal=not_principal,
        conditions=compile_conditions(raw.get("Condition", {})),
    )


def compile_principal(value: Any) -> PrincipalMatcher:
    text = value if isinstance(value, str) else str(value)
    if value == "*":
        return PrincipalMatcher(text, True, (), ())
    aws = _strings(value.get("AWS", []))
    others = [
        item for key in ("Service", "Federated", "CanonicalUser") for item in _strings(value.get(key, []))
    ]
    return PrincipalMatcher(text, "*" in aws, aws, others)


def compile_conditions(block: dict[str, Any]) -> tuple[CompiledCondition, ...]:
    return tuple(
        compile_condition(operator, key, values if isinstance(values, list) else [values])
        for operator, keys in block.items()
        for key, values in keys.items()
    )


def _strings(value: Any) -> Iterable[str]:
    return [value] if isinstance(value, str) else list(value)
