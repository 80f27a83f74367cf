"""The condition context keys a compiled policy refers to, spelled as the policy spells them.

A statement refers to a key through a `Condition` (the key it tests) and through a policy variable
(`${aws:username}`) in its `Resource`/`NotResource` or in a condition value. Variables count only in policies
that have them (Version 2012-10-17); `${*}`, `${?}` and `${$}` are escapes, not keys. Keys are compared
without regard to case, as IAM compares them; the first spelling met is the one reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from shieldwall.policy.document import Policy, Statement

_VARIABLE = re.compile(r"\$\{\s*([^}\s,']+)")
_ESCAPES = frozenset({"*", "?", "$"})


def policy_keys(policies: Iterable[Policy]) -> list[str]:
    """Every key the policies refer to, in document order, each once."""
    return unique(key for policy in policies for s in policy.statements for key in statement_keys(s, policy))


def statement_keys(statement: Statement, policy: Policy) -> list[str]:
    keys: list[str] = []
    if policy.variables:
        keys.extend(variables_in(pattern.text for pattern in statement.resources or ()))
    for condition in statement.conditions:
        keys.append(condition.key)
        if policy.variables:
            keys.extend(variables_in(condition.values))
    return keys


def variables_in(texts: Iterable[str]) -> list[str]:
    return [key for text in texts for key in _VARIABLE.findall(text) if key not in _ESCAPES]


def unique(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for key in keys:
        folded = key.lower()
        if folded not in seen:
            seen.add(folded)
            out.append(key)
    return out
