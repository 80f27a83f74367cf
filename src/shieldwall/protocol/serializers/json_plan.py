"""JSON encoders compiled from botocore shapes, once per shape.

`JsonPlanner.encoder(shape)` returns a function turning a typed value (the provider's dict, list, datetime,
bytes ...) into the JSON-ready value the wire carries, or ``None`` when the value already is JSON-ready
(strings, integers, booleans and collections of them), so the hot path skips a call per scalar. Structures
keep only their modelled members, under their wire names, and drop absent (``None``) members: nothing a
provider keeps for itself reaches a client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import Shape

from shieldwall.protocol.serializers import wire
from shieldwall.protocol.serializers.memo import StructureMemo

JsonEncode = Callable[[Any], Any]
BODY_LOCATIONS = frozenset({"header", "headers", "statusCode"})


class JsonStructure:
    """The members of one structure shape: (member name, JSON key, encoder or None)."""

    __slots__ = ("fields",)

    def __init__(self) -> None:
        self.fields: tuple[tuple[str, str, JsonEncode | None], ...] = ()

    def encode(self, value: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, key, encode in self.fields:
            item = value.get(name)
            if item is not None:
                out[key] = item if encode is None else encode(item)
        return out


class JsonPlanner:
    """Compiles and remembers the encoders of one service's shapes (shape names are unique per service)."""

    def __init__(self, timestamp_format: str = "unixTimestamp") -> None:
        self._timestamp_format = timestamp_format
        self._structures: StructureMemo[JsonStructure] = StructureMemo()

    def structure(self, shape: Shape) -> JsonStructure:
        return self._structures.plan(shape.name, JsonStructure, lambda plan: self._fill(plan, shape))

    def _fill(self, plan: JsonStructure, shape: Shape) -> None:
        plan.fields = tuple(
            (name, member.serialization.get("name", name), self.encoder(member))
            for name, member in shape.members.items()
            if member.serialization.get("location") not in BODY_LOCATIONS
        )

    def encoder(self, shape: Shape) -> JsonEncode | None:
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return None
            return self.structure(shape).encode
        if kind == "list":
            return _list_encoder(self.encoder(shape.member))
        if kind == "map":
            return _map_encoder(self.encoder(shape.value))
        if kind == "timestamp":
            return wire.TIMESTAMP_JSON[shape.serialization.get("timestampFormat", self._timestamp_format)]
        if kind == "blob":
            return wire.blob_text
        if kind in ("float", "double"):
            return wire.float_json
        return None


def _list_encoder(item: JsonEncode | None) -> JsonEncode | None:
    if item is None:
        return None

    def encode_list(value: list[Any]) -> list[Any]:
        return [None if element is None else item(element) for element in value]

    return encode_list


def _map_encoder(item: JsonEncode | None) -> JsonEncode | None:
    if item is None:
        return None

    def encode_map(value: Mapping[str, Any]) -> dict[str, Any]:
        return {key: None if element is None else item(element) for key, element in value.items()}

    return encode_map
