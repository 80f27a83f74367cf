"""The REST protocols (rest-json: Lambda, API Gateway; rest-xml: S3): members bound to the URI, query string,
headers, host and body as each member's `location` says.

`RestParser` binds everything outside the body from a plan compiled once per operation; the two subclasses read
the body (JSON or XML, or the raw bytes of a blob/string payload) and word errors the way their services do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parsers.common import MalformedForm, PlanCache, decode_form
from shieldwall.protocol.parsers.scalars import (
    Decoder,
    InvalidValue,
    json_value_header,
    split_header_list,
    text_decoder,
)
from shieldwall.protocol.router import Route, host_without_port

Binding = tuple[str, str, Decoder]  # member name, wire name, decoder


@dataclass(slots=True)
class RestPlan:
    uri: list[Binding] = field(default_factory=list)
    query: dict[str, tuple[str, Decoder, bool]] = field(default_factory=dict)
    query_map: tuple[str, Decoder, bool] | None = None
    literal_keys: frozenset[str] = frozenset()
    headers: dict[str, tuple[str, Decoder]] = field(default_factory=dict)
    header_maps: list[Binding] = field(default_factory=list)
    host_pattern: re.Pattern[str] | None = None
    host_members: list[tuple[str, Decoder]] = field(default_factory=list)
    payload: str | None = None
    payload_raw: bool = False
    payload_text: bool = False
    body: Decoder | None = None
    body_root: str | None = None


class RestParser:
    protocol = "rest"

    def __init__(self) -> None:
        self._plans = PlanCache(self._compile)

    def parse(self, route: Route, request: HttpRequest, body: bytes) -> dict[str, Any]:
        plan = self._plans.get(route)
        result: dict[str, Any] = {}
        self._bind_uri(plan, route, result)
        self._bind_query(plan, request, result)
        self._bind_headers(plan, request, result)
        self._bind_host(plan, request, result)
        if body and plan.payload_raw:
            assert plan.payload is not None
            result[plan.payload] = self._raw_payload(body, plan.payload_text)
        elif plan.body is not None and body.strip():
            self.read_body(plan, request, body, result)
        return result

    # -- what the subclasses provide --------------------------------------------------------------------------

    def read_body(self, plan: RestPlan, request: HttpRequest, body: bytes, result: dict[str, Any]) -> None:
        raise NotImplementedError

    def compile_body(self, plan: RestPlan, shape: botocore.model.StructureShape, members: list[str]) -> None:
        raise NotImplementedError

    def location_error(self, wire_name: str, raw: str, error: InvalidValue) -> AwsError:
        raise NotImplementedError

    def body_error(self, message: str) -> AwsError:
        raise NotImplementedError

    # -- binding ----------------------------------------------------------------------------------------------

    def _bind_uri(self, plan: RestPlan, route: Route, result: dict[str, Any]) -> None:
        for name, label, decode in plan.uri:
            raw = route.path_params.get(label)
            if raw is not None:
                result[name] = self._decode_location(decode, label, raw)

    def _bind_query(self, plan: RestPlan, request: HttpRequest, result: dict[str, Any]) -> None:
        if not request.query_string:
            return
        try:
            pairs = decode_form(request.query_string)
        except MalformedForm:
            raise self.location_error(
                "query string", request.query_string, InvalidValue("", "text")
            ) from None
        leftovers: list[tuple[str, str]] = []
        for key, raw in pairs:
            entry = plan.query.get(key)
            if entry is None:
                leftovers.append((key, raw))
                continue
            name, decode, is_list = entry
            value = self._decode_location(decode, key, raw)
            if is_list:
                result.setdefault(name, []).append(value)
            else:
                result[name] = value
        if plan.query_map is not None:
            self._bind_query_map(plan, plan.query_map, leftovers, result)

    def _bind_query_map(
        self,
        plan: RestPlan,
        binding: tuple[str, Decoder, bool],
        pairs: list[tuple[str, str]],
        result: dict[str, Any],
    ) -> None:
        name, decode, multi = binding
        values: dict[str, Any] = {}
        for key, raw in pairs:
            if key in plan.literal_keys or key.startswith("X-Amz-"):
                continue  # the URI's own literals and a presigned URL's SigV4 parameters are not map entries
            value = self._decode_location(decode, key, raw)
            if multi:
                values.setdefault(key, []).append(value)
            else:
                values[key] = value
        if values:
            result[name] = values

    def _bind_headers(self, plan: RestPlan, request: HttpRequest, result: dict[str, Any]) -> None:
        """Walks the request's headers (a handful) rather than the plan's (S3's PutObject knows some forty)."""
        if not plan.headers and not plan.header_maps:
            return
        for header, raw in request.header_map.items():
            binding = plan.headers.get(header)
            if binding is not None:
                name, decode = binding
                value = self._decode_location(decode, header, raw)
                if value is not _ABSENT:
                    result[name] = value
            for name, prefix, decode in plan.header_maps:
                if header.startswith(prefix):
                    result.setdefault(name, {})[header[len(prefix) :]] = self._decode_location(
                        decode, header, raw
                    )

    def _bind_host(self, plan: RestPlan, request: HttpRequest, result: dict[str, Any]) -> None:
        if plan.host_pattern is None:
            return
        match = plan.host_pattern.match(host_without_port(request.header("host") or ""))
        if match is None:
            return
        for name, decode in plan.host_members:
            result[name] = self._decode_location(decode, name, match.group(name))

    def _decode_location(self, decode: Decoder, wire_name: str, raw: str) -> Any:
        try:
            return decode(raw)
        except InvalidValue as exc:
            raise self.location_error(wire_name, raw, exc) from None

    def _raw_payload(self, body: bytes, as_text: bool) -> bytes | str:
        if not as_text:
            return body
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise self.body_error("the request body is not valid UTF-8") from None

    # -- compiling --------------------------------------------------------------------------------------------

    def _compile(self, operation: botocore.model.OperationModel) -> RestPlan:
        plan = RestPlan(literal_keys=_literal_query_keys(operation.http.get("requestUri", "/")))
        shape = operation.input_shape
        if not isinstance(shape, botocore.model.StructureShape):
            return plan
        body_members: list[str] = []
        for name, member in shape.members.items():
            if not _bind_member(plan, name, member):
                body_members.append(name)
        _compile_host(plan, operation, shape)
        self._compile_payload(plan, shape, body_members)
        return plan

    def _compile_payload(
        self, plan: RestPlan, shape: botocore.model.StructureShape, body_members: list[str]
    ) -> None:
        payload = shape.serialization.get("payload")
        if payload is None:
            if body_members:
                self.compile_body(plan, shape, body_members)
            return
        plan.payload = str(payload)
        member = shape.members[plan.payload]
        if member.type_name in ("blob", "string"):
            plan.payload_raw = True
            plan.payload_text = member.type_name == "string"
            return
        self.compile_body(plan, shape, [plan.payload])


_ABSENT = object()


def _bind_member(plan: RestPlan, name: str, member: botocore.model.Shape) -> bool:
    """Adds `member` to the plan's URI/query/header bindings; False when it lives in the body."""
    location = member.serialization.get("location")
    wire = str(member.serialization.get("name", name))
    if location == "uri":
        plan.uri.append((name, wire, text_decoder(member, "iso8601")))
    elif location == "querystring":
        _bind_query_member(plan, name, wire, member)
    elif location == "header":
        plan.headers[wire.lower()] = (name, _header_decoder(member, wire.lower()))
    elif location == "headers":
        value = member.value if isinstance(member, botocore.model.MapShape) else member
        plan.header_maps.append((name, wire.lower(), text_decoder(value, "rfc822")))
    elif member.serialization.get("hostLabel"):
        return True
    else:
        return location is not None
    return True


def _bind_query_member(plan: RestPlan, name: str, wire: str, member: botocore.model.Shape) -> None:
    if isinstance(member, botocore.model.MapShape):
        value = member.value
        multi = isinstance(value, botocore.model.ListShape)
        item = value.member if isinstance(value, botocore.model.ListShape) else value
        plan.query_map = (name, text_decoder(item, "iso8601"), multi)
    elif isinstance(member, botocore.model.ListShape):
        plan.query[wire] = (name, text_decoder(member.member, "iso8601"), True)
    else:
        plan.query[wire] = (name, text_decoder(member, "iso8601"), False)


def _header_decoder(member: botocore.model.Shape, header: str) -> Decoder:
    if isinstance(member, botocore.model.ListShape):
        item = text_decoder(member.member, "rfc822")
        return lambda raw: [item(part) for part in split_header_list(raw)]
    if member.serialization.get("jsonvalue"):
        return json_value_header
    decode = text_decoder(member, "rfc822")
    if header == "content-encoding":
        return _without_aws_chunked(decode)
    return decode


def _without_aws_chunked(decode: Decoder) -> Decoder:
    """`aws-chunked` describes SigV4 streaming, not the object: AWS drops it from the stored Content-Encoding."""

    def strip(raw: str) -> Any:
        kept = [part.strip() for part in raw.split(",") if part.strip().lower() != "aws-chunked"]
        return decode(",".join(kept)) if kept else _ABSENT

    return strip


def _compile_host(
    plan: RestPlan, operation: botocore.model.OperationModel, shape: botocore.model.Shape
) -> None:
    endpoint = operation.endpoint or {}
    template = endpoint.get("hostPrefix")
    if not template or not isinstance(shape, botocore.model.StructureShape):
        return
    pattern = ""
    for literal, label in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
        pattern += re.escape(literal)
        if label:
            pattern += f"(?P<{label}>[A-Za-z0-9](?:[A-Za-z0-9.-]*?))"
    plan.host_pattern = re.compile(pattern)
    for name, member in shape.members.items():
        if member.serialization.get("hostLabel"):
            plan.host_members.append((name, text_decoder(member, "iso8601")))


def _literal_query_keys(request_uri: str) -> frozenset[str]:
    _, _, query = request_uri.partition("?")
    keys = {part.split("=", 1)[0] for part in query.split("&") if part}
    return frozenset(keys | {"x-id"})
