"""One condition (operator, key, values) compiled once, evaluated against a request context per request.

Missing keys, set operators and `...IfExists` follow the IAM User Guide:
- "Condition operators" (reference_policies_elements_condition_operators.html): a key absent from the request
  context does not match, except that negated operators (StringNotEquals, NotIpAddress, ArnNotLike ...) match;
  `...IfExists` matches when the key is absent and may suffix every operator but `Null`; `Null` tests presence.
- "Single-valued vs. multivalued context keys" (reference_policies_condition-single-vs-multi-valued-context-keys
  .html): `ForAllValues:` is true when every request value matches some policy value, and also when the key is
  missing or its values are an empty set (an empty string counts as one); `ForAnyValue:` is false then.
  Negated operators are applied per request value: `ForAllValues:StringNotLike` requires every request value to
  match none of the policy values.
- Without a set operator, a request value list is tested as a whole: a positive operator matches when some
  request value matches some policy value, a negated one when none does.
- "Policy variables": a variable that cannot be resolved makes the statement unusable; a negated operator
  holding such a value therefore does not match (it must not turn an unknown value into "is not equal").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shieldwall.policy.conditions.families import OPERATORS
from shieldwall.policy.conditions.valueset import ValueSet

_SET_PREFIXES = ("ForAnyValue", "ForAllValues")
_IF_EXISTS = "IfExists"
_SHOWN_VALUES = 5
_SHOWN_CHARS = 80


class ConditionError(ValueError):
    """An unknown operator or values the operator cannot take: raised when the policy is compiled."""


@dataclass(frozen=True, slots=True)
class ConditionResult:
    matched: bool
    reason: str
    error: bool = False


class CompiledCondition:
    __slots__ = (
        "_every",
        "_family",
        "_if_exists",
        "_label",
        "_lookup",
        "_negated",
        "_null",
        "_phrases",
        "_read",
        "_set",
        "_values",
        "key",
        "operator",
        "values",
    )
    operator: str
    key: str
    values: tuple[str, ...]

    def __init__(self, operator: str, key: str, values: tuple[str, ...]) -> None:
        self.operator = operator
        self.key = key
        self.values = values
        self._lookup = key.lower()
        self._label = f"{operator} {key}"
        self._set, base, self._if_exists = _parse_operator(operator)
        self._null: frozenset[bool] | None = None
        if base == "Null":
            self._null = frozenset(_null_values(values))
            return
        self._family, self._negated = OPERATORS[base]
        self._read = self._family.read
        self._every = self._set == "ForAllValues" or (self._set is None and self._negated)
        self._phrases = (
            f" {self._family.negative} {_show_policy_values(values, False)}",
            f" {self._family.positive} {_show_policy_values(values, True)}",
        )
        try:
            self._values = ValueSet(self._family, values)
        except ValueError as exc:
            raise ConditionError(f"invalid value for condition `{operator}` on key `{key}`: {exc}") from None

    def evaluate(
        self, context: Mapping[str, tuple[str, ...]], resolve: Callable[[str], str | None]
    ) -> ConditionResult:
        found = context.get(self._lookup)
        if self._null is not None:
            return self._evaluate_null(found)
        if not found or (self._set and found == ("",)):
            return self._evaluate_missing(found is None)
        value_set = self._values
        test = value_set.static_test
        if value_set.templates:
            test, unresolved = value_set.prepare(resolve)
            if unresolved and self._negated:
                return ConditionResult(
                    False, f"{self._label}: a policy variable in the values could not be resolved"
                )
        read = self._read
        try:
            if len(found) == 1:
                positive = test(read(found[0]))
                return ConditionResult(positive != self._negated, self._describe(found[0], positive))
            readings = [(text, test(read(text))) for text in found]
        except ValueError as exc:
            return ConditionResult(
                False, f"{self._label}: request value cannot be compared: {exc}", error=True
            )
        return self._aggregate(readings)

    def holds(
        self, context: Mapping[str, tuple[str, ...]], resolve: Callable[[str], str | None]
    ) -> bool | None:
        """`evaluate(...).matched` without building the reason; None when it could not be evaluated.

        The decision path calls this. The common case (one request value, no policy variable in the values) is
        answered here exactly as `evaluate` answers it; every other case is `evaluate`'s own answer.
        """
        found = context.get(self._lookup)
        if (
            self._null is None
            and found is not None
            and len(found) == 1
            and not self._values.templates
            and (not self._set or found[0])
        ):
            try:
                return self._values.static_test(self._read(found[0])) != self._negated
            except ValueError:
                return None
        result = self.evaluate(context, resolve)
        return None if result.error else result.matched

    def _evaluate_null(self, found: tuple[str, ...] | None) -> ConditionResult:
        is_null = not found or found == ("",)
        state = "absent" if is_null else "present"
        return ConditionResult(is_null in (self._null or ()), f"{self._label}: key is {state}")

    def _evaluate_missing(self, absent: bool) -> ConditionResult:
        state = "absent from the request context" if absent else "present with no values"
        if self._if_exists:
            return ConditionResult(True, f"{self._label}: key is {state} (IfExists matches)")
        if self._set == "ForAllValues":
            return ConditionResult(True, f"{self._label}: key is {state} (ForAllValues matches an empty set)")
        if self._set == "ForAnyValue":
            return ConditionResult(False, f"{self._label}: key is {state} (ForAnyValue needs a value)")
        return ConditionResult(self._negated, f"{self._label}: key is {state}")

    def _aggregate(self, readings: list[tuple[str, bool]]) -> ConditionResult:
        negated = self._negated
        every = self._every
        for text, positive in readings:
            satisfied = positive != negated
            if satisfied != every:
                return ConditionResult(satisfied, self._describe(text, positive))
        shown = ", ".join(_show(text) for text, _ in readings[:_SHOWN_VALUES])
        verdict = "every request value satisfies it" if every else "no request value satisfies it"
        return ConditionResult(every, f"{self._label}: {verdict} ({shown})")

    def _describe(self, text: str, positive: bool) -> str:
        shown = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."
        return f"{self._label}: `{shown}`{self._phrases[positive]}"


def compile_condition(
    operator: str, key: str, values: Sequence[object] | str | int | float | bool
) -> CompiledCondition:
    if not isinstance(key, str) or not key:
        raise ConditionError(f"condition `{operator}` needs a non-empty key name")
    return CompiledCondition(operator, key, _stringify_values(operator, key, values))


def _parse_operator(operator: object) -> tuple[str | None, str, bool]:
    if not isinstance(operator, str):
        raise ConditionError(f"condition operator `{operator!r}` is not a string")
    prefix, separator, base = operator.rpartition(":")
    if separator and prefix not in _SET_PREFIXES:
        raise ConditionError(
            f"unknown set operator `{prefix}` in `{operator}` (use ForAnyValue or ForAllValues)"
        )
    if_exists = base.endswith(_IF_EXISTS) and base != _IF_EXISTS
    if if_exists:
        base = base[: -len(_IF_EXISTS)]
    if base == "Null" and (if_exists or prefix):
        raise ConditionError(
            f"condition operator `{operator}` is not valid: Null takes no IfExists or set operator"
        )
    if base != "Null" and base not in OPERATORS:
        raise ConditionError(f"unknown condition operator `{operator}`")
    return prefix or None, base, if_exists


def _null_values(values: tuple[str, ...]) -> list[bool]:
    out = []
    for text in values:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ConditionError(f"condition `Null` takes `true` or `false`, not {_show(text)}")
        out.append(lowered == "true")
    return out


def _stringify_values(operator: str, key: str, values: object) -> tuple[str, ...]:
    """AWS reads JSON numbers and booleans in condition values as their text (`true`, `10`)."""
    items = list(values) if isinstance(values, list | tuple) else [values]
    if not items:
        raise ConditionError(f"condition `{operator}` on key `{key}` has no values")
    return tuple(_stringify(operator, key, item) for item in items)


def _stringify(operator: str, key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return repr(value)
    raise ConditionError(
        f"condition `{operator}` on key `{key}` has a value that is not a string, number or boolean"
    )


def _show(text: str) -> str:
    return f"`{text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + '...'}`"


def _show_policy_values(values: tuple[str, ...], positive: bool) -> str:
    if len(values) == 1:
        return _show(values[0])
    shown = ", ".join(_show(value) for value in values[:_SHOWN_VALUES])
    more = f" (and {len(values) - _SHOWN_VALUES} more)" if len(values) > _SHOWN_VALUES else ""
    return f"{'one of' if positive else 'any of'} {shown}{more}"
