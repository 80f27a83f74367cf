"""Input validation against the model: walk the whole typed request, collect every problem, raise one error.

What AWS checks and reports is what is checked here: required members (`Value null at 'keyId' ... Member must
not be null`), string/blob/list/map lengths, number ranges and value types. Enums and patterns are not checked:
AWS's front ends mostly leave them to the service, and a pattern mismatch would reject input AWS accepts.

Paths are written as AWS writes them: member names with their first letter lower-cased (`sAMLOptions`), list
items as `tags.1.member`, and constraint failures of map keys or values reported once for the whole map
(`Map value must satisfy constraint: [...]`). Values are shown the way AWS's Java services print them, a blob as
`java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]`; values of sensitive members are never shown, blobs included
(KMS Encrypt over 4,096 bytes: "Value at 'plaintext' failed to satisfy constraint: ...").

The message format is shared by `json` (ValidationException), `query` (ValidationError) and `rest-json`
(ValidationException); S3 (`rest-xml`) answers one problem at a time with its own codes. Checkers are compiled
once per input shape and cached.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.protocol.parsers.scalars import INT32, INT64, TYPE_NAMES

VALIDATION_CODES = {
    "json": "ValidationException",
    "query": "ValidationError",
    "rest-json": "ValidationException",
}
MISSING = "Member must not be null"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    value: Any
    constraint: str
    sensitive: bool = False
    top: str = ""

    def text(self) -> str:
        if self.value is None:
            shown = " null"
        elif self.sensitive:
            shown = ""  # AWS never shows a sensitive member's value, not even a blob's length
        else:
            shown = f" '{java_text(self.value)}'"
        return f"Value{shown} at '{self.path}' failed to satisfy constraint: {self.constraint}"


Checker = Callable[[Any, str, list[Problem]], None]


def validate(
    shape: botocore.model.Shape, value: dict[str, Any], protocol: str, *, code: str | None = None
) -> None:
    """Raise one AwsError listing every problem of `value` against `shape`, worded for `protocol`.

    `code` overrides the protocol's error code for services that answer validation failures with their own
    (Cognito's `InvalidParameterException`, API Gateway's `BadRequestException`).
    """
    problems = find_problems(shape, value)
    if not problems:
        return
    if protocol == "rest-xml":
        raise s3_error(shape, problems[0])
    raise AwsError(code or VALIDATION_CODES.get(protocol, "ValidationException"), summary(problems), 400)


def find_problems(shape: botocore.model.Shape, value: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(shape, botocore.model.StructureShape):
        _top_level_checker(shape)(value, problems)
    return problems


def summary(problems: list[Problem]) -> str:
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(problem.text() for problem in problems)


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def java_text(value: Any) -> str:
    """`value` as AWS's Java services print it in validation messages."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, bytes | bytearray):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, list):
        return "[" + ", ".join(java_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_text(key)}={java_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, datetime):
        return value.strftime("%a %b %d %H:%M:%S UTC %Y")
    return str(value)


# -- S3 ------------------------------------------------------------------------------------------------------


def s3_error(shape: botocore.model.Shape, problem: Problem) -> AwsError:
    """S3 reports the first problem only, with a code that depends on where the member lives."""
    assert isinstance(shape, botocore.model.StructureShape)
    member = shape.members.get(problem.top)
    location = member.serialization.get("location") if member is not None else None
    if location is None:
        is_payload = problem.top == shape.serialization.get("payload") and problem.path == lower_first(
            problem.top
        )
        if problem.value is None and is_payload:
            return AwsError("MissingRequestBodyError", "Request Body is empty", 400)
        return AwsError(
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
            400,
        )
    assert member is not None
    wire = str(member.serialization.get("name", problem.top))
    if problem.value is None:
        what = "header" if location == "header" else "parameter"
        return AwsError("InvalidRequest", f"Missing required {what} for this request: {wire}", 400)
    fields = {"ArgumentName": wire}
    if not problem.sensitive:
        fields["ArgumentValue"] = java_text(problem.value)
    return AwsError("InvalidArgument", problem.text(), 400, fields=fields)


# -- compiling checkers --------------------------------------------------------------------------------------

_cache: dict[int, tuple[botocore.model.Shape, Callable[[Any, list[Problem]], None]]] = {}
_cache_lock = threading.Lock()


def _top_level_checker(shape: botocore.model.StructureShape) -> Callable[[Any, list[Problem]], None]:
    cached = _cache.get(id(shape))
    if cached is not None and cached[0] is shape:
        return cached[1]
    members = _Compiler().members(shape)

    def check(value: Any, problems: list[Problem]) -> None:
        if type(value) is not dict:
            problems.append(Problem("", value, "Member must be a structure"))
            return
        members(value, "", problems, True)

    with _cache_lock:
        _cache[id(shape)] = (shape, check)  # the shape is kept alive, so its id is never reused
    return check


MembersChecker = Callable[[dict[str, Any], str, list[Problem], bool], None]


def _tagged(problem: Problem, top: str, is_top: bool) -> Problem:
    return dataclasses.replace(problem, top=top) if is_top else problem


def _sensitive(shape: botocore.model.Shape) -> bool:
    return bool(shape.metadata.get("sensitive"))


class _Compiler:
    def __init__(self) -> None:
        self._memo: dict[tuple[str, str, bool], Checker] = {}

    def checker(self, shape: botocore.model.Shape) -> Checker:
        key = (shape.name, shape.type_name, bool(shape.serialization.get("jsonvalue")))
        found = self._memo.get(key)
        if found is not None:
            return found
        if isinstance(shape, botocore.model.StructureShape):
            return self._structure(shape, key)
        if isinstance(shape, botocore.model.ListShape):
            return self._list(shape, key)
        if isinstance(shape, botocore.model.MapShape):
            return self._map(shape, key)
        checker = _scalar_checker(shape)
        self._memo[key] = checker
        return checker

    def _structure(self, shape: botocore.model.StructureShape, key: tuple[str, str, bool]) -> Checker:
        if shape.is_document_type:
            self._memo[key] = _anything
            return _anything
        cell: list[MembersChecker] = []

        def check(value: Any, path: str, problems: list[Problem]) -> None:
            if type(value) is not dict:
                problems.append(Problem(path, value, "Member must be a structure"))
                return
            cell[0](value, path + ".", problems, False)

        self._memo[key] = check
        cell.append(self.members(shape))
        return check

    def members(self, shape: botocore.model.StructureShape) -> MembersChecker:
        """Checks a structure's present members, then its missing required ones; problems come out in model
        order. Only the members present are visited: a forty-member S3 input with three set costs three checks."""
        table: dict[str, tuple[int, str, Checker]] = {}
        required: list[tuple[int, str, str, bool]] = []
        for order, (name, member) in enumerate(shape.members.items()):
            table[name] = (order, lower_first(name), self.checker(member))
            if name in shape.required_members:
                required.append((order, name, lower_first(name), _sensitive(member)))

        def check(value: dict[str, Any], prefix: str, problems: list[Problem], top: bool) -> None:
            found: list[tuple[int, list[Problem]]] = []
            for name, child in value.items():
                entry = table.get(name)
                if entry is None or child is None:
                    continue
                order, camel, checker = entry
                before = len(problems)
                checker(child, prefix + camel, problems)
                if len(problems) != before:
                    added = problems[before:]
                    del problems[before:]
                    found.append((order, [_tagged(problem, name, top) for problem in added]))
            for order, name, camel, sensitive in required:
                if value.get(name) is None:
                    missing = Problem(prefix + camel, None, MISSING, sensitive, name if top else "")
                    found.append((order, [missing]))
            if found:
                found.sort(key=lambda pair: pair[0])
                for _, added in found:
                    problems.extend(added)

        return check

    def _list(self, shape: botocore.model.ListShape, key: tuple[str, str, bool]) -> Checker:
        cell: list[Checker] = []
        length = _length_constraints(shape)
        sensitive = _sensitive(shape.member)

        def check(value: Any, path: str, problems: list[Problem]) -> None:
            if type(value) is not list:
                problems.append(Problem(path, value, "Member must be a list"))
                return
            length(value, path, problems)
            item = cell[0]
            for index, child in enumerate(value, 1):
                if child is None:
                    problems.append(Problem(f"{path}.{index}.member", None, MISSING, sensitive))
                else:
                    item(child, f"{path}.{index}.member", problems)

        self._memo[key] = check
        cell.append(self.checker(shape.member))
        return check

    def _map(self, shape: botocore.model.MapShape, key: tuple[str, str, bool]) -> Checker:
        cell: list[Checker] = []
        length = _length_constraints(shape)
        nested = shape.value.type_name in ("structure", "list", "map")

        def check(value: Any, path: str, problems: list[Problem]) -> None:
            if type(value) is not dict:
                problems.append(Problem(path, value, "Member must be a map"))
                return
            length(value, path, problems)
            key_problems: list[Problem] = []
            value_problems: list[Problem] = []
            for map_key, child in value.items():
                cell[0](map_key, path, key_problems)
                if child is None:
                    value_problems.append(Problem(path, None, MISSING))
                elif nested:
                    cell[1](child, f"{path}.{map_key}", problems)
                else:
                    cell[1](child, path, value_problems)
            _report_map_entries(value, path, "Map keys", key_problems, problems)
            _report_map_entries(value, path, "Map value", value_problems, problems)

        self._memo[key] = check
        cell.append(self.checker(shape.key))
        cell.append(self.checker(shape.value))
        return check


def _report_map_entries(
    value: dict[Any, Any], path: str, what: str, found: list[Problem], problems: list[Problem]
) -> None:
    if not found:
        return
    constraints = list(dict.fromkeys(problem.constraint for problem in found))
    problems.append(Problem(path, value, f"{what} must satisfy constraint: [{', '.join(constraints)}]"))


def _anything(value: Any, path: str, problems: list[Problem]) -> None:
    return None


def _length_constraints(shape: botocore.model.Shape) -> Checker:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    sensitive = _sensitive(shape)
    if low is None and high is None:
        return _anything

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        size = len(value)
        if low is not None and size < low:
            problems.append(
                Problem(path, value, f"Member must have length greater than or equal to {low}", sensitive)
            )
        if high is not None and size > high:
            problems.append(
                Problem(path, value, f"Member must have length less than or equal to {high}", sensitive)
            )

    return check


def _scalar_checker(shape: botocore.model.Shape) -> Checker:
    kind = shape.type_name
    accepts = _is_anything if shape.serialization.get("jsonvalue") else _TYPE_TESTS.get(kind, _is_anything)
    expected = f"Member must be of type {TYPE_NAMES.get(kind, kind)}"
    bounds = _range_constraints(shape) if kind in _NUMERIC else _length_constraints(shape)
    sensitive = _sensitive(shape)

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        if not accepts(value):
            problems.append(Problem(path, value, expected, sensitive))
            return
        bounds(value, path, problems)

    return check


def _range_constraints(shape: botocore.model.Shape) -> Checker:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    sensitive = _sensitive(shape)
    if low is None and high is None:
        return _anything

    def check(value: Any, path: str, problems: list[Problem]) -> None:
        if low is not None and value < low:
            problems.append(
                Problem(path, value, f"Member must have value greater than or equal to {low}", sensitive)
            )
        if high is not None and value > high:
            problems.append(
                Problem(path, value, f"Member must have value less than or equal to {high}", sensitive)
            )

    return check


def _is_int_in(bounds: tuple[int, int]) -> Callable[[Any], bool]:
    low, high = bounds
    return lambda value: type(value) is int and low <= value <= high


def _is_anything(value: Any) -> bool:
    return True


_NUMERIC = frozenset({"integer", "long", "float", "double"})
_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: type(value) is str,
    "integer": _is_int_in(INT32),
    "long": _is_int_in(INT64),
    "float": lambda value: type(value) in (float, int),
    "double": lambda value: type(value) in (float, int),
    "boolean": lambda value: type(value) is bool,
    "timestamp": lambda value: isinstance(value, datetime) and value.tzinfo is not None,
    "blob": lambda value: isinstance(value, bytes | bytearray),
}
