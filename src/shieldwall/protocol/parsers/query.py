"""The AWS query protocol (IAM, STS): form-encoded `Action=...&Version=...&Name.member.1=...` parameters.

Parameters are read from the query string and, for form-encoded bodies, from the body (AWS accepts both; the
body wins on a clash). Their dotted keys are first folded into a tree (`Tags.member.1.Key` becomes
`{"Tags": {"member": {"1": {"Key": ...}}}}`), then a decoder compiled once per shape walks the tree: structures by
member wire name, lists as `member.N` (or `N` when flattened), maps as `entry.N.key/value`. An empty list
arrives as the bare key with an empty value (`Tags=`), as botocore sends it.
"""

from __future__ import annotations

from typing import Any

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parsers.common import (
    MalformedForm,
    Plan,
    PlanCache,
    content_type,
    decode_form,
    is_form,
    unsupported_media_type,
)
from shieldwall.protocol.parsers.scalars import TYPE_NAMES, Decoder, InvalidValue, text_decoder
from shieldwall.protocol.router import Route

Tree = dict[str, Any]
_RESERVED = frozenset({"Action", "Version"})


class QueryParser:
    protocol = "query"

    def __init__(self) -> None:
        self._plans = PlanCache(self._compile)

    def parse(self, route: Route, request: HttpRequest, body: bytes) -> dict[str, Any]:
        plan = self._plans.get(route)
        tree = build_tree(read_parameters(request, body))
        if plan.decode is None:
            return {}
        try:
            return plan.decode(tree)  # type: ignore[no-any-return]
        except InvalidValue as exc:
            raise invalid_parameter(exc) from None

    def _compile(self, operation: botocore.model.OperationModel) -> Plan:
        shape = operation.input_shape
        if shape is None:
            return Plan(None)
        return Plan(QueryDecoders().decoder(shape))


def read_parameters(request: HttpRequest, body: bytes) -> list[tuple[str, str]]:
    pairs = read_form(request.query_string)
    if body:
        if not is_form(content_type(request)):
            raise unsupported_media_type(content_type(request), "application/x-www-form-urlencoded")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise malformed_query() from None
        pairs.extend(read_form(text))
    return [(key, value) for key, value in pairs if key not in _RESERVED]


def read_form(text: str) -> list[tuple[str, str]]:
    try:
        return decode_form(text)
    except MalformedForm:
        raise malformed_query() from None


def malformed_query() -> AwsError:
    # AWS documents MalformedQueryString with status 404 among the common errors of query APIs.
    return AwsError("MalformedQueryString", "The query string contains a syntax error.", 404)


def invalid_parameter(error: InvalidValue) -> AwsError:
    where = error.where or "request"
    shown = error.value[:256] if isinstance(error.value, str) else "(a nested parameter)"
    return AwsError(
        "InvalidParameterValue",
        f"Value ({shown}) for parameter {where} is invalid. Expected a value of type {error.expected}",
        400,
    )


def build_tree(pairs: list[tuple[str, str]]) -> Tree:
    root: Tree = {}
    for key, value in pairs:
        parts = key.split(".")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                if child:
                    raise InvalidValue(child, "a nested parameter").at(key)
                child = node[part] = {}
            node = child
        leaf = parts[-1]
        existing = node.get(leaf)
        if isinstance(existing, dict):
            if value:
                raise InvalidValue(value, "a nested parameter").at(key)
            continue
        node[leaf] = value
    return root


class QueryDecoders:
    def __init__(self) -> None:
        self._memo: dict[tuple[str, str, str], Decoder] = {}

    def decoder(self, shape: botocore.model.Shape) -> Decoder:
        key = (shape.name, shape.type_name, str(shape.serialization.get("timestampFormat", "")))
        found = self._memo.get(key)
        if found is not None:
            return found
        if isinstance(shape, botocore.model.StructureShape):
            return self._structure(shape, key)
        if isinstance(shape, botocore.model.ListShape):
            return self._list(shape, key)
        if isinstance(shape, botocore.model.MapShape):
            return self._map(shape, key)
        decoder = _leaf(text_decoder(shape, "iso8601"), TYPE_NAMES.get(shape.type_name, shape.type_name))
        self._memo[key] = decoder
        return decoder

    def _structure(self, shape: botocore.model.StructureShape, key: tuple[str, str, str]) -> Decoder:
        table: dict[str, tuple[str, Decoder]] = {}

        def decode(node: Any) -> dict[str, Any]:
            if not isinstance(node, dict):
                if node == "":
                    return {}
                raise InvalidValue(node, "Structure")
            result: dict[str, Any] = {}
            for wire_name, child in node.items():
                entry = table.get(wire_name)
                if entry is None:
                    continue
                name, member = entry
                try:
                    result[name] = member(child)
                except InvalidValue as exc:
                    raise exc.at(name) from None
            return result

        self._memo[key] = decode
        for name, member in shape.members.items():
            table[_wire_name(name, member)] = (name, self.decoder(member))
        return decode

    def _list(self, shape: botocore.model.ListShape, key: tuple[str, str, str]) -> Decoder:
        cell: list[Decoder] = []
        flattened = bool(shape.serialization.get("flattened"))
        member_name = str(shape.member.serialization.get("name", "member"))

        def decode(node: Any) -> list[Any]:
            if node == "":
                return []
            if not isinstance(node, dict):
                raise InvalidValue(node, "List")
            items = node if flattened else node.get(member_name, {})
            if not isinstance(items, dict):
                raise InvalidValue(items, "List")
            return [_at_index(cell[0], index, child) for index, child in _indexed(items)]

        self._memo[key] = decode
        cell.append(self.decoder(shape.member))
        return decode

    def _map(self, shape: botocore.model.MapShape, key: tuple[str, str, str]) -> Decoder:
        cell: list[Decoder] = []
        flattened = bool(shape.serialization.get("flattened"))
        key_name = str(shape.key.serialization.get("name", "key"))
        value_name = str(shape.value.serialization.get("name", "value"))

        def decode(node: Any) -> dict[Any, Any]:
            if node == "":
                return {}
            if not isinstance(node, dict):
                raise InvalidValue(node, "Map")
            entries = node if flattened else node.get("entry", {})
            if not isinstance(entries, dict):
                raise InvalidValue(entries, "Map")
            result: dict[Any, Any] = {}
            for index, entry in _indexed(entries):
                if not isinstance(entry, dict) or key_name not in entry:
                    raise InvalidValue(entry, "Map").at(str(index))
                result[_at_index(cell[0], index, entry[key_name])] = _at_index(
                    cell[1], index, entry.get(value_name, "")
                )
            return result

        self._memo[key] = decode
        cell.append(self.decoder(shape.key))
        cell.append(self.decoder(shape.value))
        return decode


def _wire_name(name: str, member: botocore.model.Shape) -> str:
    """A flattened list whose member has its own name is keyed by that name (`Name.1`, not `Member.1`)."""
    if isinstance(member, botocore.model.ListShape) and member.serialization.get("flattened"):
        inner = member.member.serialization.get("name")
        if inner:
            return str(inner)
    return str(member.serialization.get("name", name))


def _leaf(decode: Decoder, type_name: str) -> Decoder:
    def leaf(node: Any) -> Any:
        if not isinstance(node, str):
            raise InvalidValue(node, type_name)
        return decode(node)

    return leaf


def _indexed(items: dict[str, Any]) -> list[tuple[int, Any]]:
    indexed: list[tuple[int, Any]] = []
    for index, child in items.items():
        if not index.isdigit() or not index.isascii() or int(index) < 1:
            raise InvalidValue(index, "a list index")
        indexed.append((int(index), child))
    indexed.sort(key=lambda pair: pair[0])
    return indexed


def _at_index(decode: Decoder, index: int, node: Any) -> Any:
    try:
        return decode(node)
    except InvalidValue as exc:
        raise exc.at(str(index)) from None
