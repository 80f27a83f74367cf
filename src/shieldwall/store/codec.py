"""The versioned JSON codec every stored model goes through (never pickle).

A model is a dataclass registered under a kind with `@model("cloudtrail.trail", version=2, upgrades={1: f})`.
Encoding walks the dataclass fields by their annotations and produces plain JSON: str/int/float/bool/None as
they are, datetimes as ISO 8601 UTC strings, bytes as base64, enums by value, lists, tuples, `dict[str, ...]`,
optional values and nested registered models. Every encoded model object carries its version under ``"@v"``,
so a nested model upgrades on its own. Decoding checks every value against the annotation and applies the
registered upgrade functions from the stored version up to the current one; anything it does not recognise (an
unknown kind, a version newer than the code, a missing upgrade step, a stray field, a wrong type) raises
`CodecError` rather than guessing.

The per-class field plan is built on first use, not at decoration time, so annotations may name models that
are defined later in the module.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import json
import threading
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

VERSION_KEY = "@v"

T = TypeVar("T")
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_loads = json.loads


class CodecError(Exception):
    """A model that cannot be encoded, or stored data that cannot be decoded into one."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    encode: Encoder
    decode: Decoder
    required: bool


@dataclasses.dataclass(slots=True)
class ModelSpec:
    kind: str
    version: int
    cls: type[Any]
    upgrades: dict[int, Upgrade]
    _fields: tuple[_Field, ...] | None = None

    def fields(self) -> tuple[_Field, ...]:
        if self._fields is None:
            with _plan_lock:
                if self._fields is None:
                    self._fields = _plan_fields(self.cls)
        return self._fields


_BY_KIND: dict[str, ModelSpec] = {}
_BY_CLASS: dict[type[Any], ModelSpec] = {}
_plan_lock = threading.RLock()


def model(
    kind: str, *, version: int = 1, upgrades: Mapping[int, Upgrade] | None = None
) -> Callable[[type[T]], type[T]]:
    """Register a dataclass as the stored model `kind` at `version`.

    `upgrades[n]` turns the field dict of version n into the field dict of version n + 1.
    """
    steps = dict(upgrades or {})
    if version < 1:
        raise CodecError(f"model `{kind}`: version must be at least 1, not {version}")
    for step in steps:
        if not 1 <= step < version:
            raise CodecError(
                f"model `{kind}`: upgrade from version {step} does not lead to version {version}"
            )

    def register(cls: type[T]) -> type[T]:
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise CodecError(f"model `{kind}`: only dataclasses can be registered, not `{cls!r}`")
        _check_unique(kind, cls)
        spec = ModelSpec(kind, version, cls, steps)
        _BY_KIND[kind] = spec
        _BY_CLASS[cls] = spec
        return cls

    return register


def _check_unique(kind: str, cls: type[Any]) -> None:
    existing = _BY_KIND.get(kind)
    if existing is None or _same_class(existing.cls, cls):
        return
    raise CodecError(f"model kind `{kind}` is already registered by `{existing.cls.__qualname__}`")


def _same_class(old: type[Any], new: type[Any]) -> bool:
    """A module reloaded (or re-imported under test) defines the class again; that is not a conflict."""
    return (old.__module__, old.__qualname__) == (new.__module__, new.__qualname__)


def spec_for_kind(kind: str) -> ModelSpec:
    spec = _BY_KIND.get(kind)
    if spec is None:
        raise CodecError(f"unknown model kind `{kind}`")
    return spec


def spec_for_class(cls: type[Any]) -> ModelSpec:
    spec = _BY_CLASS.get(cls)
    if spec is None:
        raise CodecError(f"`{cls.__qualname__}` is not a registered model: decorate it with @codec.model")
    return spec


def kind_of(cls: type[Any]) -> str:
    return spec_for_class(cls).kind


# -- public entry points ------------------------------------------------------------------------------------


def encode(obj: object) -> tuple[str, str]:
    """`obj` as (kind, JSON text)."""
    spec = spec_for_class(type(obj))
    return spec.kind, _dumps(_encode_model(spec, obj))


def decode(kind: str, text: str | bytes) -> object:
    try:
        data = _loads(text)
    except ValueError as exc:
        raise CodecError(f"stored `{kind}` is not valid JSON: {exc}") from exc
    return decode_data(kind, data)


def encode_data(obj: object) -> dict[str, Any]:
    """`obj` as a JSON-ready dict (with its version), e.g. for a state export."""
    return _encode_model(spec_for_class(type(obj)), obj)


def decode_data(kind: str, data: Any) -> object:
    return _decode_model(spec_for_kind(kind), data)


# -- models -------------------------------------------------------------------------------------------------


def _encode_model(spec: ModelSpec, obj: object) -> dict[str, Any]:
    out: dict[str, Any] = {VERSION_KEY: spec.version}
    for field in spec.fields():
        try:
            out[field.name] = field.encode(getattr(obj, field.name))
        except CodecError as exc:
            raise CodecError(f"cannot encode `{spec.kind}`.{field.name}: {exc}") from None
    return out


def _decode_model(spec: ModelSpec, data: Any) -> object:
    if not isinstance(data, dict):
        raise CodecError(f"stored `{spec.kind}` is not a JSON object")
    fields = _upgrade(spec, dict(data))
    kwargs: dict[str, Any] = {}
    for field in spec.fields():
        if field.name in fields:
            try:
                kwargs[field.name] = field.decode(fields.pop(field.name))
            except CodecError as exc:
                raise CodecError(f"cannot decode `{spec.kind}`.{field.name}: {exc}") from None
        elif field.required:
            raise CodecError(f"stored `{spec.kind}` lacks field `{field.name}`")
    if fields:
        raise CodecError(f"stored `{spec.kind}` has unknown fields: {', '.join(sorted(fields))}")
    return spec.cls(**kwargs)


def _upgrade(spec: ModelSpec, data: dict[str, Any]) -> dict[str, Any]:
    stored = data.pop(VERSION_KEY, None)
    if type(stored) is not int:
        raise CodecError(f"stored `{spec.kind}` has no version")
    if stored > spec.version:
        raise CodecError(
            f"stored `{spec.kind}` is version {stored}, newer than this shieldwall knows ({spec.version})"
        )
    for step in range(stored, spec.version):
        upgrade = spec.upgrades.get(step)
        if upgrade is None:
            raise CodecError(f"no upgrade for `{spec.kind}` from version {step} to {step + 1}")
        data = upgrade(data)
    return data


def _plan_fields(cls: type[Any]) -> tuple[_Field, ...]:
    try:
        hints = get_type_hints(cls)
    except NameError as exc:
        raise CodecError(f"cannot resolve the annotations of `{cls.__qualname__}`: {exc}") from exc
    plan = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        try:
            encoder, decoder = _codec_for(hints[field.name])
        except CodecError as exc:
            raise CodecError(f"`{cls.__qualname__}`.{field.name}: {exc}") from None
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        plan.append(_Field(field.name, encoder, decoder, required))
    return tuple(plan)


# -- values -------------------------------------------------------------------------------------------------


def _codec_for(tp: Any) -> tuple[Encoder, Decoder]:
    simple = _SIMPLE.get(tp)
    if simple is not None:
        return simple
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return _optional_codec(tp)
    if origin in (list, tuple, dict):
        return _container_codec(tp, origin)
    if origin is Literal:
        return _literal_codec(get_args(tp))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_codec(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _nested_codec(tp)
    raise CodecError(f"type `{tp!r}` has no JSON codec")


def _check_str(value: Any) -> str:
    if not isinstance(value, str):
        raise CodecError(f"expected str, got {type(value).__name__}")
    return value


def _check_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodecError(f"expected int, got {type(value).__name__}")
    return value


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise CodecError(f"expected bool, got {type(value).__name__}")
    return value


def _encode_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CodecError(f"expected float, got {type(value).__name__}")
    return float(value)


def _encode_none(value: Any) -> None:
    if value is not None:
        raise CodecError(f"expected None, got {type(value).__name__}")
    return None


def _encode_datetime(value: Any) -> str:
    if not isinstance(value, datetime):
        raise CodecError(f"expected datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        raise CodecError("naive datetime: give it a time zone (shieldwall.clock gives UTC)")
    when: datetime = value.astimezone(UTC) if value.utcoffset() else value
    return when.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _decode_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise CodecError(f"expected an ISO 8601 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CodecError(f"not an ISO 8601 time: `{value}`") from exc
    if parsed.tzinfo is None:
        raise CodecError(f"stored time `{value}` has no time zone")
    return parsed.astimezone(UTC)


def _encode_bytes(value: Any) -> str:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise CodecError(f"expected bytes, got {type(value).__name__}")
    return base64.b64encode(value).decode("ascii")


def _decode_bytes(value: Any) -> bytes:
    if not isinstance(value, str):
        raise CodecError(f"expected base64 text, got {type(value).__name__}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CodecError("invalid base64") from exc


def _any(value: Any) -> Any:
    return value


_SIMPLE: dict[Any, tuple[Encoder, Decoder]] = {
    str: (_check_str, _check_str),
    int: (_check_int, _check_int),
    bool: (_check_bool, _check_bool),
    float: (_encode_float, _encode_float),
    type(None): (_encode_none, _encode_none),
    None: (_encode_none, _encode_none),
    datetime: (_encode_datetime, _decode_datetime),
    bytes: (_encode_bytes, _decode_bytes),
    Any: (_any, _any),
    object: (_any, _any),
}


def _optional_codec(tp: Any) -> tuple[Encoder, Decoder]:
    members = [arg for arg in get_args(tp) if arg is not type(None)]
    if len(members) != 1 or len(get_args(tp)) != 2:
        raise CodecError(f"only `X | None` unions are supported, not `{tp!r}`")
    inner_encode, inner_decode = _codec_for(members[0])

    def encode_optional(value: Any) -> Any:
        return None if value is None else inner_encode(value)

    def decode_optional(value: Any) -> Any:
        return None if value is None else inner_decode(value)

    return encode_optional, decode_optional


def _container_codec(tp: Any, origin: Any) -> tuple[Encoder, Decoder]:
    args = get_args(tp)
    if origin is dict:
        if not args or args[0] is not str:
            raise CodecError(f"dict keys must be str, not `{tp!r}`")
        return _dict_codec(_codec_for(args[1]))
    if origin is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            raise CodecError(f"only `tuple[X, ...]` is supported, not `{tp!r}`")
        return _sequence_codec(_codec_for(args[0]), tuple)
    if not args:
        raise CodecError("a list needs its item type: `list[X]`")
    return _sequence_codec(_codec_for(args[0]), list)


def _sequence_codec(item: tuple[Encoder, Decoder], build: Callable[[Any], Any]) -> tuple[Encoder, Decoder]:
    item_encode, item_decode = item

    def encode_sequence(value: Any) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise CodecError(f"expected a sequence, got {type(value).__name__}")
        return [item_encode(entry) for entry in value]

    def decode_sequence(value: Any) -> Any:
        if not isinstance(value, list):
            raise CodecError(f"expected a JSON array, got {type(value).__name__}")
        return build(item_decode(entry) for entry in value)

    return encode_sequence, decode_sequence


def _dict_codec(item: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    item_encode, item_decode = item

    def encode_dict(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise CodecError(f"expected a dict, got {type(value).__name__}")
        out = {}
        for key, entry in value.items():
            if not isinstance(key, str):
                raise CodecError(f"dict key {key!r} is not a str")
            out[key] = item_encode(entry)
        return out

    def decode_dict(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise CodecError(f"expected a JSON object, got {type(value).__name__}")
        return {key: item_decode(entry) for key, entry in value.items()}

    return encode_dict, decode_dict


def _literal_codec(allowed: tuple[Any, ...]) -> tuple[Encoder, Decoder]:
    def check(value: Any) -> Any:
        if value not in allowed or type(value) not in {type(option) for option in allowed}:
            raise CodecError(f"{value!r} is not one of {', '.join(map(repr, allowed))}")
        return value

    return check, check


def _enum_codec(cls: type[enum.Enum]) -> tuple[Encoder, Decoder]:
    def encode_enum(value: Any) -> Any:
        if not isinstance(value, cls):
            raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
        return value.value

    def decode_enum(value: Any) -> Any:
        try:
            return cls(value)
        except ValueError as exc:
            raise CodecError(f"{value!r} is not a {cls.__name__}") from exc

    return encode_enum, decode_enum


def _nested_codec(cls: type[Any]) -> tuple[Encoder, Decoder]:
    if cls not in _BY_CLASS:
        raise CodecError(f"nested dataclass `{cls.__qualname__}` is not registered with @codec.model")
    spec = _BY_CLASS[cls]

    def encode_nested(value: Any) -> dict[str, Any]:
        if type(value) is not cls:
            raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
        return _encode_model(spec, value)

    def decode_nested(value: Any) -> object:
        return _decode_model(spec, value)

    return encode_nested, decode_nested
