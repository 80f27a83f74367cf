"""IAM condition operators: compile a condition block's (operator, key, values) once, evaluate it per request.

`compile_condition` raises `ConditionError` for an unknown operator or values the operator cannot take;
`CompiledCondition.evaluate` answers a `ConditionResult` whose reason names the operator, the key and the
values compared. Modules: `compiled` (operators, missing keys, set operators), `families` (per-type
comparison), `valueset` (policy variables), `values` (typed parsing), `wildcard` (`*`/`?` matching).
"""

from shieldwall.policy.conditions.compiled import (
    CompiledCondition,
    ConditionError,
    ConditionResult,
    compile_condition,
)

__all__ = ["CompiledCondition", "ConditionError", "ConditionResult", "compile_condition"]
