"""Matching a policy element against a request: actions, resource ARNs, principals, policy variables.

Everything here is compiled once when a policy is parsed. Wildcards use the bounded-time matchers of
`conditions.wildcard` (no regex is ever built from policy text). A pattern that holds policy variables is kept as
a template of tokens; at evaluation the variables are substituted as *literal* text (a username holding `*` does
not become a wildcard) and the resolved pattern is compiled through a bounded cache. A variable that cannot be
resolved makes its pattern match nothing, as AWS documents.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from shieldwall.policy.conditions.wildcard import STAR, Matcher, Token, Wild, compile_pattern, tokenize

# ${*}, ${?} and ${$} stand for the literal characters (so a policy can name a file called `*`)
_SPECIALS = {"*": "*", "?": "?", "$": "$"}
_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Var:
    """A policy variable `${key}` or `${key, 'default'}`; key lower-cased like context keys."""

    key: str
    default: str | None = None


Part = Token | Var
Lookup = Callable[[Var], "str | None"]


def parse_template(text: str, variables: bool) -> tuple[Part, ...]:
    """Split policy text into wildcard tokens and variables (Version 2008-10-17 has no variables)."""
    if not variables or "${" not in text:
        return tuple(tokenize(text))
    parts: list[Part] = []
    position = 0
    while position < len(text):
        start = text.find("${", position)
        if start < 0:
            parts.extend(tokenize(text[position:]))
            break
        parts.extend(tokenize(text[position:start]))
        var, end = _read_variable(text, start)
        if var is None:
            parts.extend(tokenize(text[start : start + 2]))
            position = start + 2
            continue
        parts.append(_SPECIALS.get(var.key, var) if var.default is None else var)
        position = end
    return tuple(parts)


def _read_variable(text: str, start: int) -> tuple[Var | None, int]:
    position = start + 2
    close = text.find("}", position)
    comma = text.find(",", position, close if close >= 0 else len(text))
    if comma < 0:
        key = text[position:close].strip() if close >= 0 else ""
        return (Var(key.lower()), close + 1) if key else (None, start)
    key = text[position:comma].strip()
    quote = _skip_spaces(text, comma + 1)
    end_quote = text.find("'", quote + 1) if text.startswith("'", quote) else -1
    brace = _skip_spaces(text, end_quote + 1) if end_quote >= 0 else -1
    if not key or brace < 0 or not text.startswith("}", brace):
        return None, start
    return Var(key.lower(), text[quote + 1 : end_quote]), brace + 1


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] == " ":
        position += 1
    return position


def has_variables(parts: Iterable[Part]) -> bool:
    return any(isinstance(part, Var) for part in parts)


def variable_keys(text: str) -> frozenset[str]:
    """The (lower-case) context keys the policy variables in `text` read."""
    if "${" not in text:
        return frozenset()
    return frozenset(part.key for part in parse_template(text, True) if isinstance(part, Var))


def context_lookup(context: Mapping[str, tuple[str, ...]]) -> Lookup:
    """Resolve a variable from the request context: single-valued keys only, else the default, else None."""

    def lookup(var: Var) -> str | None:
        values = context.get(var.key)
        if values is not None and len(values) == 1:
            return values[0]
        if not values and var.default is not None:
            return var.default
        return None

    return lookup


def make_resolver(
    context: Mapping[str, tuple[str, ...]], variables: bool, lookup: Lookup | None = None
) -> Callable[[str], str | None]:
    """The `resolve` passed to conditions: substitute variables in one condition value, None if unresolvable."""
    if not variables:
        return _identity
    if lookup is None:
        lookup = context_lookup(context)

    def resolve(value: str) -> str | None:
        if "${" not in value:
            return value
        out: list[str] = []
        for part in _template(value):
            if isinstance(part, Var):
                resolved = lookup(part)
                if resolved is None:
                    return None
                out.append(resolved)
            else:
                out.append(part.value if isinstance(part, Wild) else part)
        return "".join(out)

    return resolve


def _identity(value: str) -> str | None:
    return value


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _template(value: str) -> tuple[Part, ...]:
    return parse_template(value, True)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compile_resolved(tokens: tuple[Token, ...]) -> Matcher:
    return compile_pattern(tokens)


class Pattern:
    """One wildcard pattern, possibly holding variables.

    A pattern with variables keeps the matchers it compiled, keyed by the values its variables took (a bounded
    memo per pattern), so a request for a user already seen costs one tuple lookup.
    """

    __slots__ = ("_parts", "_resolved", "_static", "_vars", "literal", "text")

    def __init__(self, text: str, parts: tuple[Part, ...]) -> None:
        self.text = text
        self._parts = parts
        self._vars = tuple(part for part in parts if isinstance(part, Var))
        self._static = None if self._vars else compile_pattern(parts)  # type: ignore[arg-type]
        plain = self._static is not None and all(isinstance(part, str) for part in parts)
        self.literal = "".join(parts) if plain else None  # type: ignore[arg-type]
        self._resolved: dict[tuple[str, ...], Matcher] = {}

    @property
    def is_any(self) -> bool:
        return self._parts == (STAR,)

    def matches(self, value: str, lookup: Lookup) -> bool:
        if self._static is not None:
            return self._static.matches(value)
        values = []
        for var in self._vars:
            resolved = lookup(var)
            if resolved is None:
                return False
            values.append(resolved)
        key = tuple(values)
        matcher = self._resolved.get(key)
        if matcher is None:
            matcher = self._compile(key)
        return matcher.matches(value)

    def _compile(self, values: tuple[str, ...]) -> Matcher:
        substituted = iter(values)
        tokens = tuple(next(substituted) if isinstance(part, Var) else part for part in self._parts)
        matcher = _compile_resolved(tokens)
        if len(self._resolved) >= _CACHE_SIZE:
            self._resolved.clear()
        self._resolved[values] = matcher
        return matcher


class ArnPattern:
    """A Resource/NotResource entry: each colon-separated ARN segment matched on its own.

    A wildcard never spans the colons between partition, service, region and account; the sixth segment (the
    resource) takes the rest of the ARN, colons included. A pattern with fewer segments lets its last segment
    take the rest, so `*` matches every resource including `*`.
    """

    __slots__ = ("_checks", "_count", "_last", "_prefix", "keys", "text")

    def __init__(self, text: str, variables: bool) -> None:
        self.text = text
        template = parse_template(text, variables)
        self.keys = frozenset(part.key for part in template if isinstance(part, Var))  # context keys read
        segments = [Pattern(text, parts) for parts in _split_segments(template)]
        self._count = len(segments)
        # segments that are `*` need no check; literal segments are compared without calling a matcher
        self._checks = tuple((index, seg) for index, seg in enumerate(segments) if not seg.is_any)
        # the usual ARN pattern names partition, service, region and account literally: then one prefix
        # comparison replaces splitting the ARN (a literal segment holds no colon)
        literals = [segment.literal for segment in segments[:5]]
        self._prefix: str | None = None
        self._last: Pattern | None = None
        if self._count == 6 and all(literal is not None for literal in literals):
            self._prefix = ":".join(literals) + ":"  # type: ignore[arg-type]
            self._last = None if segments[5].is_any else segments[5]

    def matches(self, resource: str, lookup: Lookup) -> bool:
        prefix = self._prefix
        if prefix is not None:
            if not resource.startswith(prefix):
                return False
            last = self._last
            return last is None or last.matches(resource[len(prefix) :], lookup)
        if self._count == 1:
            return not self._checks or self._checks[0][1].matches(resource, lookup)
        pieces = resource.split(":", self._count - 1)
        if len(pieces) != self._count:
            return False
        for index, segment in self._checks:
            literal = segment.literal
            if literal is not None:
                if pieces[index] != literal:
                    return False
            elif not segment.matches(pieces[index], lookup):
                return False
        return True


def _split_segments(parts: tuple[Part, ...]) -> list[tuple[Part, ...]]:
    segments: list[list[Part]] = [[]]
    for part in parts:
        if not isinstance(part, str) or ":" not in part or len(segments) == 6:
            segments[-1].append(part)
            continue
        pieces = part.split(":", 6 - len(segments))
        segments[-1].append(pieces[0])
        segments.extend([piece] for piece in pieces[1:])
    return [tuple(segment) for segment in segments]


class ActionPattern:
    """An Action/NotAction entry: case-insensitive, `*` and `?` only (no variables)."""

    __slots__ = ("_matcher", "service", "text")

    def __init__(self, text: str) -> None:
        lowered = text.lower()
        self.text = text
        prefix, colon, _ = lowered.partition(":")
        self.service = prefix if colon and "*" not in prefix and "?" not in prefix else "*"
        self._matcher = compile_pattern(tokenize(lowered))

    def matches(self, action_lower: str) -> bool:
        return self._matcher.matches(action_lower)


@dataclass(frozen=True, slots=True)
class Identity:
    """One name the caller goes by; kind is anonymous, account, root, user, role, session, federated or other."""

    kind: str
    value: str


def principal_chain(principal_arn: str, account: str, role_arn: str = "") -> tuple[Identity, ...]:
    """Every name a Principal element may use for the caller, most specific first.

    An assumed-role session is also its role (a resource policy naming the role matches its sessions) and every
    IAM identity is also its account (naming the account delegates to the account's own policies).
    """
    return _chain(principal_arn, account, role_arn)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _chain(principal_arn: str, account: str, role_arn: str) -> tuple[Identity, ...]:
    if principal_arn == "*":
        return (Identity("anonymous", "*"),)
    parts = principal_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
        return (Identity("other", principal_arn),)
    partition, service, resource = parts[1], parts[2], parts[5]
    kind = _identity_kind(service, resource)
    if kind == "other":
        return (Identity("other", principal_arn),)
    chain = [Identity(kind, principal_arn)]
    if kind == "session":
        role_name = resource.split("/")[1] if resource.count("/") >= 2 else ""
        chain.append(Identity("role", role_arn or f"arn:{partition}:iam::{parts[4]}:role/{role_name}"))
    chain.append(Identity("account", account or parts[4]))
    return tuple(chain)


def _identity_kind(service: str, resource: str) -> str:
    head = resource.split("/", 1)[0]
    if service == "iam":
        return {"root": "root", "user": "user", "role": "role"}.get(head, "other")
    return {"assumed-role": "session", "federated-user": "federated"}.get(head, "other")


class PrincipalMatcher:
    """A compiled Principal/NotPrincipal element."""

    __slots__ = ("_accounts", "_arns", "_others", "any", "text")

    def __init__(self, text: str, any_principal: bool, aws: Iterable[str], others: Iterable[str]) -> None:
        self.text = text
        self.any = any_principal
        accounts: set[str] = set()
        arns: set[str] = set()
        for value in aws:
            account = _account_of(value)
            (accounts if account else arns).add(account or value)
        self._accounts = frozenset(accounts)
        self._arns = frozenset(arns)
        self._others = frozenset(others)

    def match(self, chain: tuple[Identity, ...]) -> Identity | None:
        """The most specific name of the caller this element lists, or None."""
        if self.any:
            return chain[0]
        for identity in chain:
            if self._lists(identity):
                return identity
        return None

    def excludes(self, chain: tuple[Identity, ...]) -> bool:
        """NotPrincipal: the caller is exempt only when every name it goes by is listed."""
        return self.any or all(self._lists(identity) for identity in chain)

    def _lists(self, identity: Identity) -> bool:
        kind, value = identity.kind, identity.value
        if kind == "account":
            return value in self._accounts
        if kind == "other":
            return value in self._others or value in self._arns
        if kind == "root":
            return value in self._arns or value.split(":")[4] in self._accounts
        return kind != "anonymous" and value in self._arns


def _account_of(value: str) -> str:
    """`123456789012` and `arn:aws:iam::123456789012:root` both name the account."""
    if len(value) == 12 and value.isdigit():
        return value
    parts = value.split(":")
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[5] == "root":
        return parts[4]
    return ""
