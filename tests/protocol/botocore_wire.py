"""Test helpers: valid inputs generated from botocore shapes, and the wire request a botocore client would send.

`InputGenerator` is a seeded generator (not hypothesis: a few deterministic examples per operation keep the
every-operation round trip fast) that respects required members, min/max lengths and ranges, enums and unions,
and picks characters each location can carry verbatim (header values are ASCII without commas, URI labels avoid
`.` segments, S3 buckets are DNS-safe, timestamps are whole seconds because RFC 822 headers carry no fraction).
"""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import botocore.model
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.serialize import create_serializer

from shieldwall.http import HttpRequest
from shieldwall.spec.loader import SERVICES, protocol_of, service_model

BODY_ALPHABET = string.ascii_letters + string.digits + " -_.:/+=&?%#@!é日ß"
HEADER_ALPHABET = string.ascii_letters + string.digits + "-_."
URI_ALPHABET = string.ascii_letters + string.digits + "-_~é"
LOWER_ALPHABET = string.ascii_lowercase + string.digits
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def every_operation() -> list[tuple[str, str]]:
    """(service, operation) for every operation of every served service."""
    return [(service, name) for service in SERVICES for name in service_model(service).operation_names]


class InputGenerator:
    def __init__(self, seed: int, *, full: bool = False) -> None:
        self._rng = random.Random(seed)
        self._full = full
        self._open: list[str] = []

    def operation_input(self, operation: botocore.model.OperationModel) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        value = self._structure(shape, "body", 0, top_level=True)
        if operation.service_model.service_name == "s3" and "Bucket" in value:
            value["Bucket"] = self._bucket()
        return value

    def value(self, shape: botocore.model.Shape, where: str, depth: int) -> Any:
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return {"name": "doc", "items": [1, True, "x"]}
            return self._structure(shape, where, depth)
        if kind == "list":
            return [self.value(shape.member, where, depth + 1) for _ in range(self._size(shape))]
        if kind == "map":
            return self._map(shape, where, depth)
        return self._scalar(shape, where)

    def _structure(
        self, shape: botocore.model.Shape, where: str, depth: int, top_level: bool = False
    ) -> dict[str, Any]:
        assert isinstance(shape, botocore.model.StructureShape)
        members = shape.members
        if not members:
            return {}
        required = set(shape.required_members)
        if shape.is_tagged_union:
            chosen = [self._rng.choice(self._union_choices(shape, depth))]
        else:
            chosen = [name for name in members if name in required or self._include(depth)]
            if not chosen:
                chosen = [self._rng.choice(sorted(members))]
        if where == "body":
            chosen = _without_wire_clashes(shape, chosen)
        result: dict[str, Any] = {}
        self._open.append(shape.name)
        for name in chosen:
            member = members[name]
            location = _location(member, where) if top_level else where
            if member.serialization.get("hostLabel"):
                location = "hostlabel"
            result[name] = self.value(member, location, depth + 1)
        self._open.pop()
        return result

    def _union_choices(self, shape: botocore.model.StructureShape, depth: int) -> list[str]:
        """Deep inside a recursive union, only members that do not lead back into an open structure."""
        names = sorted(shape.members)
        if depth <= 3:
            return names
        closing = [name for name in names if not self._reopens(shape.members[name])]
        return closing or names

    def _reopens(self, shape: botocore.model.Shape) -> bool:
        if isinstance(shape, botocore.model.ListShape):
            return self._reopens(shape.member)
        return shape.name in self._open or shape.name == self._open[-1]

    def _include(self, depth: int) -> bool:
        if depth > 3:
            return False
        if self._full:
            return depth <= 2
        return self._rng.random() < 0.5

    def _size(self, shape: botocore.model.Shape) -> int:
        low = max(int(shape.metadata.get("min", 1)), 1)
        high = int(shape.metadata.get("max", 2))
        return min(max(low, self._rng.randint(1, 2)), max(high, low))

    def _map(self, shape: botocore.model.Shape, where: str, depth: int) -> dict[Any, Any]:
        assert isinstance(shape, botocore.model.MapShape)
        key_where = "mapkey" if where in ("header", "querystring") else where
        result: dict[Any, Any] = {}
        for _ in range(self._size(shape)):
            result[self._scalar(shape.key, key_where)] = self.value(shape.value, where, depth + 1)
        return result

    def _scalar(self, shape: botocore.model.Shape, where: str) -> Any:
        kind = shape.type_name
        if kind == "string":
            return self.string_value(shape, where)
        if kind in ("integer", "long"):
            low = int(shape.metadata.get("min", 0))
            return self._rng.randint(low, int(shape.metadata.get("max", low + 1000)))
        if kind in ("float", "double"):
            low = float(shape.metadata.get("min", 0))
            high = float(shape.metadata.get("max", low + 100))
            return round(self._rng.uniform(low, high), 2)
        if kind == "boolean":
            return self._rng.random() < 0.5
        if kind == "timestamp":
            return _EPOCH + timedelta(seconds=self._rng.randint(0, 30 * 365 * 86400))
        if kind == "blob":
            size = max(int(shape.metadata.get("min", 1)), self._rng.randint(1, 12))
            return bytes(self._rng.randrange(256) for _ in range(size))
        raise AssertionError(f"no generator for {kind}")

    def string_value(self, shape: botocore.model.Shape, where: str) -> str:
        enum = shape.metadata.get("enum")
        if enum and where not in ("mapkey",):
            return str(self._rng.choice(enum))
        low = max(int(shape.metadata.get("min", 0)), 1 if where != "body" else 0)
        high = int(shape.metadata.get("max", 12))
        size = min(max(low, self._rng.randint(1, 10)), max(high, low))
        alphabet = {
            "header": HEADER_ALPHABET,
            "uri": URI_ALPHABET,
            "greedy": URI_ALPHABET + "/",
            "hostlabel": LOWER_ALPHABET,
            "mapkey": string.ascii_lowercase,
        }.get(where, BODY_ALPHABET)
        text = "".join(self._rng.choice(alphabet) for _ in range(size))
        if where == "greedy":
            text = "/".join(part or "p" for part in text.split("/"))
        if where == "mapkey":
            text = "k" + text[1:]
        return text

    def _bucket(self) -> str:
        return "b" + "".join(self._rng.choice(LOWER_ALPHABET + "-") for _ in range(8)) + "z"


def _without_wire_clashes(shape: botocore.model.StructureShape, chosen: list[str]) -> list[str]:
    """Members sharing one XML element name (S3's deprecated `Event` and flattened `Events`) cannot both be
    carried: keep the last, the one a reader binds the element to."""
    by_wire: dict[str, str] = {}
    for name, member in shape.members.items():
        by_wire[str(member.serialization.get("name", name))] = name
    return [
        name for name in chosen if by_wire[str(shape.members[name].serialization.get("name", name))] == name
    ]


def _location(member: botocore.model.Shape, default: str) -> str:
    location = member.serialization.get("location")
    if location == "uri":
        return "uri"
    if location in ("header", "headers"):
        return "header"
    if location == "querystring":
        return "querystring"
    return default


def greedy_members(operation: botocore.model.OperationModel) -> set[str]:
    uri = str(operation.http.get("requestUri", ""))
    return {label[1:-2] for label in _labels(uri) if label.endswith("+}")}


def _labels(uri: str) -> list[str]:
    return ["{" + part.split("}")[0] + "}" for part in uri.split("{")[1:]]


def generate_input(
    operation: botocore.model.OperationModel, seed: int, *, full: bool = False
) -> dict[str, Any]:
    generator = InputGenerator(seed, full=full)
    value = generator.operation_input(operation)
    shape = operation.input_shape
    for name in greedy_members(operation):
        if shape is not None and name in value:
            value[name] = generator.string_value(shape.members[name], "greedy")
    _frame_content_length(operation, value)
    return value


def _frame_content_length(operation: botocore.model.OperationModel, value: dict[str, Any]) -> None:
    """A client's Content-Length is the length of the body it sends; any other value is a broken request."""
    shape = operation.input_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if "ContentLength" in value and payload:
        body = value.get(payload, b"")
        value["ContentLength"] = len(body) if isinstance(body, bytes) else len(str(body).encode())


def wire_request(
    service: str,
    operation: botocore.model.OperationModel,
    params: dict[str, Any],
    endpoint: str = "http://localhost:4566",
    *,
    check: bool = True,
) -> HttpRequest:
    """The request a botocore client sends for `params`, as shieldwall's server would receive it; with
    `check=False` botocore's client-side validation is skipped, as other SDKs and hand-made requests do."""
    serializer = create_serializer(protocol_of(service), include_validation=check)
    request_dict = serializer.serialize_to_request(params, operation)
    request_dict["context"] = {}
    prepare_request_dict(request_dict, endpoint_url=endpoint)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = [("Host", url.netloc), *((name, str(value)) for name, value in prepared.headers.items())]
    return HttpRequest(prepared.method, url.path, url.query, headers, body)
