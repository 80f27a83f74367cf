"""Operator families: how policy values are compiled and how one request value is compared with them.

A family turns each policy value into a *form* once (a parsed number, a date in microseconds, a network, a
wildcard matcher), reads request values into the same type, and combines the forms into one test answering
"does this request value match any policy value" (values within one operator are OR'ed).

Malformed policy values, decided per family from the IAM User Guide ("IAM JSON policy elements: Condition
operators", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
- Numeric, Date, IpAddress and Binary values must be a number, an ISO 8601 date or epoch seconds, an IPv4/IPv6
  address or CIDR block, and base64. The guide says these values *must* be in those formats and that policy
  variables are not allowed there, so a value that does not parse can never become valid: it is rejected when
  the policy is compiled (`ValueError` here, `ConditionError` to the caller, MalformedPolicyDocument on the wire)
  rather than silently never matching.
- Bool accepts any text: the operators page allows policy variables in Bool values (the "Policy variables" page
  says otherwise; substituting only where a value holds `${...}` makes the difference moot for plain values),
  so a value can only be read after substitution; one that is not `true`/`false` (any case) never matches.
- String and ARN values are any text. An ARN pattern without six colon-separated parts is matched against the
  whole ARN as a `StringLike` pattern would be, since there are no segments to compare.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from shieldwall.policy.conditions import values as v
from shieldwall.policy.conditions.wildcard import Matcher, Token, compile_pattern, tokenize

Test = Callable[[Any], bool]


class Family:
    """Base family: forms are compared one by one with `compare`."""

    variables = False  # policy variables are substituted in values of this family
    wildcards = False  # `*` and `?` in literal policy text are wildcards

    def __init__(self, positive: str, negative: str) -> None:
        self.positive = positive
        self.negative = negative

    def form(self, text: str) -> Any:
        return text

    def form_from_tokens(self, tokens: list[Token]) -> Any:
        return self.form("".join(str(token) for token in tokens))

    def read(self, text: str) -> Any:
        return text

    def compare(self, value: Any, form: Any) -> bool:
        return bool(value == form)

    def combine(self, forms: list[Any]) -> Test:
        compare = self.compare
        if len(forms) == 1:
            only = forms[0]
            return lambda value: compare(value, only)
        return lambda value: any(compare(value, form) for form in forms)


class SetFamily(Family):
    """Equality families: the forms go in a set, so a long value list costs one hash lookup."""

    def combine(self, forms: list[Any]) -> Test:
        return frozenset(form for form in forms if form is not None).__contains__


class StringEquals(SetFamily):
    variables = True


class StringEqualsIgnoreCase(SetFamily):
    variables = True

    def form(self, text: str) -> Any:
        return text.lower()

    def read(self, text: str) -> Any:
        return text.lower()


class StringLike(Family):
    variables = True
    wildcards = True

    def form(self, text: str) -> Any:
        return compile_pattern(tokenize(text))

    def form_from_tokens(self, tokens: list[Token]) -> Any:
        return compile_pattern(tokens)

    def compare(self, value: Any, form: Any) -> bool:
        matcher: Matcher = form
        return matcher.matches(value)


class ArnPattern:
    """Each of the six colon-separated ARN parts is matched separately; the last one keeps its colons."""

    __slots__ = ("segments", "whole")

    def __init__(self, tokens: list[Token]) -> None:
        parts = _split_tokens(tokens, ":", 5)
        self.segments = tuple(compile_pattern(part) for part in parts) if len(parts) == 6 else None
        self.whole = compile_pattern(tokens) if self.segments is None else None

    def matches(self, arn: str) -> bool:
        if self.whole is not None:
            return self.whole.matches(arn)
        parts = arn.split(":", 5)
        if len(parts) != 6 or self.segments is None:
            return False
        return all(segment.matches(part) for segment, part in zip(self.segments, parts, strict=True))


def _split_tokens(tokens: Iterable[Token], separator: str, limit: int) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if not isinstance(token, str) or len(parts) > limit or separator not in token:
            parts[-1].append(token)
            continue
        pieces = token.split(separator, limit + 1 - len(parts))
        parts[-1].append(pieces[0])
        parts.extend([piece] for piece in pieces[1:])
    return parts


class Arn(StringLike):
    def form(self, text: str) -> Any:
        return ArnPattern(tokenize(text))

    def form_from_tokens(self, tokens: list[Token]) -> Any:
        return ArnPattern(tokens)


class Numeric(Family):
    def __init__(self, compare: Callable[[Decimal, Decimal], bool], positive: str, negative: str) -> None:
        super().__init__(positive, negative)
        self._compare = compare

    def form(self, text: str) -> Any:
        return v.parse_number(text)

    def read(self, text: str) -> Any:
        return v.parse_number(text)

    def compare(self, value: Any, form: Any) -> bool:
        return self._compare(value, form)


class Date(Numeric):
    def form(self, text: str) -> Any:
        return v.parse_date(text)

    def read(self, text: str) -> Any:
        return v.parse_context_date(text)


class Bool(SetFamily):
    variables = True

    def form(self, text: str) -> Any:
        lowered = text.lower()
        return lowered if lowered in ("true", "false") else None

    def read(self, text: str) -> Any:
        return text.lower()


class Binary(SetFamily):
    def form(self, text: str) -> Any:
        return v.parse_binary(text)

    def read(self, text: str) -> Any:
        return v.parse_binary(text)


class IpAddress(Family):
    def form(self, text: str) -> Any:
        return v.parse_network(text)

    def read(self, text: str) -> Any:
        return v.parse_address(text)

    def compare(self, value: Any, form: Any) -> bool:
        network: v.Network = form
        return network.contains(value)


def _comparisons(family: type[Numeric], prefix: str, nouns: dict[str, tuple[str, str]]) -> dict[str, Family]:
    tests: dict[str, Callable[[Any, Any], bool]] = {
        "Equals": operator.eq,
        "LessThan": operator.lt,
        "LessThanEquals": operator.le,
        "GreaterThan": operator.gt,
        "GreaterThanEquals": operator.ge,
    }
    return {prefix + suffix: family(tests[suffix], *nouns[suffix]) for suffix in tests}


_NUMERIC_PHRASES = {
    "Equals": ("equals", "does not equal"),
    "LessThan": ("is less than", "is not less than"),
    "LessThanEquals": ("is at most", "is not at most"),
    "GreaterThan": ("is greater than", "is not greater than"),
    "GreaterThanEquals": ("is at least", "is not at least"),
}
_DATE_PHRASES = {
    "Equals": ("is", "is not"),
    "LessThan": ("is before", "is not before"),
    "LessThanEquals": ("is at or before", "is not at or before"),
    "GreaterThan": ("is after", "is not after"),
    "GreaterThanEquals": ("is at or after", "is not at or after"),
}

_STRING_EQUALS = StringEquals("is", "is not")
_STRING_EQUALS_IGNORE_CASE = StringEqualsIgnoreCase("is (ignoring case)", "is not (ignoring case)")
_STRING_LIKE = StringLike("matches", "does not match")
_ARN = Arn("matches", "does not match")
_NUMERIC = _comparisons(Numeric, "Numeric", _NUMERIC_PHRASES)
_DATE = _comparisons(Date, "Date", _DATE_PHRASES)
_BINARY = Binary("equals", "does not equal")
_IP = IpAddress("is in", "is not in")

OPERATORS: dict[str, tuple[Family, bool]] = {
    "StringEquals": (_STRING_EQUALS, False),
    "StringNotEquals": (_STRING_EQUALS, True),
    "StringEqualsIgnoreCase": (_STRING_EQUALS_IGNORE_CASE, False),
    "StringNotEqualsIgnoreCase": (_STRING_EQUALS_IGNORE_CASE, True),
    "StringLike": (_STRING_LIKE, False),
    "StringNotLike": (_STRING_LIKE, True),
    **{name: (family, False) for name, family in _NUMERIC.items()},
    "NumericNotEquals": (_NUMERIC["NumericEquals"], True),
    **{name: (family, False) for name, family in _DATE.items()},
    "DateNotEquals": (_DATE["DateEquals"], True),
    "Bool": (Bool("is", "is not"), False),
    "BinaryEquals": (_BINARY, False),
    "IpAddress": (_IP, False),
    "NotIpAddress": (_IP, True),
    "ArnEquals": (_ARN, False),
    "ArnLike": (_ARN, False),
    "ArnNotEquals": (_ARN, True),
    "ArnNotLike": (_ARN, True),
}
"""Base operator name → (family, negated). A negated operator matches a request value that matches none of
the policy values; `ArnEquals`/`ArnLike` (and their negations) behave identically, as the guide states."""
