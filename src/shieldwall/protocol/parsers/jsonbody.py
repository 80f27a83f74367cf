"""JSON request bodies (the `json` protocol and rest-json's body) decoded into typed request dicts.

A decoder is compiled once per shape: a structure decoder holds a table from wire name to (member name, member
decoder), so the hot path is one dict lookup and one call per member. Recursive shapes (WAFv2 statements) are
handled by registering each container's decoder before compiling its members. `null` members are treated as
absent, unknown members are ignored (as AWS does); list items that are `null` are kept so validation can report
them.
"""

from __future__ import annotations

from typing import Any

import botocore.model
import orjson

from shieldwall.protocol.parsers.scalars import Decoder, InvalidValue, json_scalar_decoder, timestamp_format

MemberTable = dict[str, tuple[str, Decoder]]


class JsonSyntaxError(Exception):
    """The body is not a JSON document (bad syntax, not UTF-8, too deep, non-finite number literal)."""


def load_json(body: bytes) -> Any:
    """The document in `body`, parsed by orjson: strict JSON (no NaN/Infinity literals, no lone surrogates, at
    most 1024 levels deep); an integer beyond 64 bits reads as a float, which typed members then refuse."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonSyntaxError("the request body is not valid UTF-8") from exc
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise JsonSyntaxError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc


class JsonDecoders:
    """Compiles decoders for the shapes of one operation; shared shapes are compiled once."""

    def __init__(self, default_timestamp: str = "unixtimestamp") -> None:
        self._default_timestamp = default_timestamp
        self._memo: dict[tuple[str, str, str], Decoder] = {}

    def decoder(self, shape: botocore.model.Shape) -> Decoder:
        key = (shape.name, shape.type_name, timestamp_format(shape, self._default_timestamp))
        found = self._memo.get(key)
        if found is not None:
            return found
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, key)
        if kind == "list":
            return self._list(shape, key)
        if kind == "map":
            return self._map(shape, key)
        decoder = json_scalar_decoder(shape, self._default_timestamp)
        self._memo[key] = decoder
        return decoder

    def structure(self, shape: botocore.model.StructureShape, members: list[str]) -> Decoder:
        """A decoder for `shape` restricted to `members` (rest-json: the members that live in the body)."""
        table: MemberTable = {}
        decode = _structure_decoder(table)
        for name in members:
            member = shape.members[name]
            table[member.serialization.get("name", name)] = (name, self.decoder(member))
        return decode

    def _structure(self, shape: botocore.model.Shape, key: tuple[str, str, str]) -> Decoder:
        assert isinstance(shape, botocore.model.StructureShape)
        if shape.is_document_type:
            self._memo[key] = _document
            return _document
        table: MemberTable = {}
        decode = _structure_decoder(table)
        self._memo[key] = decode
        for name, member in shape.members.items():
            table[member.serialization.get("name", name)] = (name, self.decoder(member))
        return decode

    def _list(self, shape: botocore.model.Shape, key: tuple[str, str, str]) -> Decoder:
        assert isinstance(shape, botocore.model.ListShape)
        cell: list[Decoder] = []
        decode = _list_decoder(cell)
        self._memo[key] = decode
        cell.append(self.decoder(shape.member))
        return decode

    def _map(self, shape: botocore.model.Shape, key: tuple[str, str, str]) -> Decoder:
        assert isinstance(shape, botocore.model.MapShape)
        cell: list[Decoder] = []
        decode = _map_decoder(cell)
        self._memo[key] = decode
        cell.append(self.decoder(shape.key))
        cell.append(self.decoder(shape.value))
        return decode


def _document(value: Any) -> Any:
    return value


def _structure_decoder(table: MemberTable) -> Decoder:
    def decode(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise InvalidValue(value, "Structure")
        result: dict[str, Any] = {}
        for wire_name, raw in value.items():
            entry = table.get(wire_name)
            if entry is None or raw is None:
                continue
            name, member = entry
            try:
                result[name] = member(raw)
            except InvalidValue as exc:
                raise exc.at(name) from None
        return result

    return decode


def _list_decoder(cell: list[Decoder]) -> Decoder:
    def decode(value: Any) -> list[Any]:
        if type(value) is not list:
            raise InvalidValue(value, "List")
        item = cell[0]
        result: list[Any] = []
        for index, raw in enumerate(value, 1):
            try:
                result.append(None if raw is None else item(raw))
            except InvalidValue as exc:
                raise exc.at(str(index)) from None
        return result

    return decode


def _map_decoder(cell: list[Decoder]) -> Decoder:
    def decode(value: Any) -> dict[Any, Any]:
        if type(value) is not dict:
            raise InvalidValue(value, "Map")
        key_decoder, value_decoder = cell
        result: dict[Any, Any] = {}
        for raw_key, raw in value.items():
            if raw is None:
                continue
            try:
                result[key_decoder(raw_key)] = value_decoder(raw)
            except InvalidValue as exc:
                raise exc.at(raw_key) from None
        return result

    return decode
