"""The policy values of one condition, compiled: static values once, values with policy variables per request.

Policy variables (`${aws:username}`, `${*}` ...) are substituted one `${...}` at a time through the caller's
`resolve`, and what a variable yields is literal text: a `*` in a user's tag value, or the `*` that `${*}`
stands for, never acts as a wildcard (that is what `${*}` and `${?}` exist for). Per the IAM User Guide
("Policy variables", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html) a
variable that cannot be resolved makes its value match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shieldwall.policy.conditions.families import Family, Test
from shieldwall.policy.conditions.wildcard import Token, tokenize

Resolve = Callable[[str], str | None]

_VARIABLE = re.compile(r"\$\{[^}]*\}")


class Template:
    """A policy value holding at least one `${...}`: literal text alternating with variables."""

    __slots__ = ("parts",)

    def __init__(self, text: str) -> None:
        parts: list[tuple[str, bool]] = []
        position = 0
        for match in _VARIABLE.finditer(text):
            if match.start() > position:
                parts.append((text[position : match.start()], False))
            parts.append((match.group(), True))
            position = match.end()
        if position < len(text):
            parts.append((text[position:], False))
        self.parts = tuple(parts)

    def render(self, resolve: Resolve, wildcards: bool) -> list[Token] | None:
        tokens: list[Token] = []
        for text, is_variable in self.parts:
            if not is_variable:
                tokens.extend(tokenize(text) if wildcards else (text,))
                continue
            value = resolve(text)
            if value is None:
                return None
            tokens.append(value)
        return tokens


class ValueSet:
    __slots__ = ("family", "forms", "static_test", "templates")

    def __init__(self, family: Family, texts: tuple[str, ...]) -> None:
        """Raises ValueError when a value is malformed for the family."""
        self.family = family
        templated = {text for text in texts if family.variables and _VARIABLE.search(text)}
        self.templates = tuple(Template(text) for text in texts if text in templated)
        self.forms: list[Any] = [family.form(text) for text in texts if text not in templated]
        self.static_test = family.combine(self.forms)

    def prepare(self, resolve: Resolve) -> tuple[Test, bool]:
        """The test for this request, and whether some value had a variable that could not be resolved."""
        if not self.templates:
            return self.static_test, False
        forms = list(self.forms)
        unresolved = False
        for template in self.templates:
            tokens = template.render(resolve, self.family.wildcards)
            if tokens is None:
                unresolved = True
            else:
                forms.append(self.family.form_from_tokens(tokens))
        return self.family.combine(forms), unresolved
