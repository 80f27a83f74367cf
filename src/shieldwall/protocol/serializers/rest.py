"""The HTTP-level part of rest-json and rest-xml responses: status code, header members and the payload.

`RestPlan` sorts an output shape's members once: the `statusCode` member sets the status, `header` members
become headers (timestamps as HTTP dates unless the model says otherwise, lists comma-joined, `jsonvalue`
strings base64 JSON), a `headers` map becomes prefixed headers (S3's ``x-amz-meta-``), a `payload` member is
the whole body, and every other member goes into the protocol's document body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, Shape

from shieldwall.protocol.serializers import wire

HeaderText = Callable[[Any], str]
HeaderField = tuple[str, str, HeaderText]
NO_BODY_STATUSES = frozenset({204, 304})


@dataclass(frozen=True, slots=True)
class RestPlan:
    status: int
    status_member: str | None
    headers: tuple[HeaderField, ...]
    prefixed: tuple[HeaderField, ...]
    payload: str | None
    payload_shape: Shape | None
    raw_payload: bool
    has_body_members: bool
    head: bool

    def status_of(self, output: Mapping[str, Any]) -> int:
        if self.status_member is not None:
            status = output.get(self.status_member)
            if isinstance(status, int) and 100 <= status <= 599:
                return status
        return self.status

    def sends_body(self, status: int) -> bool:
        return not self.head and status not in NO_BODY_STATUSES


def rest_plan(operation: OperationModel) -> RestPlan:
    shape = operation.output_shape
    members: Mapping[str, Shape] = shape.members if shape is not None else {}
    payload = shape.serialization.get("payload") if shape is not None else None
    payload_shape = members[payload] if payload is not None else None
    return RestPlan(
        status=int(operation.http.get("responseCode", 200)),
        status_member=next((n for n, m in members.items() if _location(m) == "statusCode"), None),
        headers=header_fields(shape),
        prefixed=prefixed_fields(shape),
        payload=payload,
        payload_shape=payload_shape,
        raw_payload=payload_shape is not None and payload_shape.type_name in ("blob", "string"),
        has_body_members=payload is None and any(_location(m) is None for m in members.values()),
        head=operation.http.get("method") == "HEAD",
    )


def header_fields(shape: Shape | None) -> tuple[HeaderField, ...]:
    if shape is None:
        return ()
    return tuple(
        (name, member.serialization.get("name", name), header_text_for(member))
        for name, member in shape.members.items()
        if _location(member) == "header"
    )


def prefixed_fields(shape: Shape | None) -> tuple[HeaderField, ...]:
    if shape is None:
        return ()
    return tuple(
        (name, member.serialization.get("name", ""), header_text_for(member.value))
        for name, member in shape.members.items()
        if _location(member) == "headers"
    )


def write_headers(
    headers: list[tuple[str, str]],
    fields: tuple[HeaderField, ...],
    prefixed: tuple[HeaderField, ...],
    value: Mapping[str, Any],
) -> None:
    for name, header, text in fields:
        item = value.get(name)
        if item is not None:
            headers.append((header, text(item)))
    for name, prefix, text in prefixed:
        entries = value.get(name)
        if entries:
            headers.extend((prefix + key, text(item)) for key, item in entries.items() if item is not None)


def header_text_for(shape: Shape) -> HeaderText:
    kind = shape.type_name
    if kind == "string":
        return wire.json_header_text if shape.serialization.get("jsonvalue") else _string_header
    if kind == "timestamp":
        return wire.TIMESTAMP_TEXT[shape.serialization.get("timestampFormat", "rfc822")]
    if kind == "list":
        return _list_header(header_text_for(shape.member))
    if kind == "boolean":
        return wire.boolean_text
    if kind in ("integer", "long", "short", "byte"):
        return wire.integer_text
    if kind in ("float", "double"):
        return wire.float_text
    if kind == "blob":
        return wire.blob_text
    return _string_header


def raw_body(value: Any) -> bytes:
    """A blob or string payload as sent: bytes as they are, text as UTF-8."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def has_header(headers: list[tuple[str, str]], lowered: str) -> bool:
    return any(name.lower() == lowered for name, _ in headers)


def _string_header(value: Any) -> str:
    return wire.header_text(value if isinstance(value, str) else str(value))


def _list_header(item: HeaderText) -> HeaderText:
    def list_header(value: list[Any]) -> str:
        return ", ".join(item(element) for element in value if element is not None)

    return list_header


def _location(member: Shape) -> str | None:
    location: str | None = member.serialization.get("location")
    return location
