"""Test support for the serializer: typed values generated from botocore shapes, and botocore's client-side
response path (AWSResponse → response dict → protocol parser) to read our responses back.

The generator is seeded per operation, so every run checks the same values, and it only produces what the
wire can carry back unchanged: header strings are HTTP tokens, header timestamps whole seconds (HTTP dates),
flattened XML collections non-empty, raw payloads ASCII (botocore decodes them as text).
"""

from __future__ import annotations

import io
import json
import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.model
from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict
from botocore.parsers import create_parser
from urllib3 import HTTPResponse as Urllib3Response

from shieldwall.http import HttpResponse

XML_PROTOCOLS = frozenset({"query", "rest-xml"})
REST_PROTOCOLS = frozenset({"rest-json", "rest-xml"})
_BODY_ALPHABET = string.ascii_letters + string.digits + " &<>\"'\r\n\t-_/:%+.éß☃"
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_."
_KEY_ALPHABET = string.ascii_lowercase + string.digits
_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_MAX_DEPTH = 4
_FULL_DEPTH = 3
TRANSPORT_HEADERS = frozenset({"content-length", "content-type"})


class ValueGenerator:
    """Typed output values for one protocol, built from the shapes of one service."""

    def __init__(self, protocol: str, service_name: str, seed: str, fill: float = 0.6) -> None:
        self.protocol = protocol
        self.service_name = service_name
        self.rng = random.Random(seed)
        self.fill = fill

    def output(self, operation: botocore.model.OperationModel) -> dict[str, Any]:
        shape = operation.output_shape
        if shape is None:
            return {}
        if self.protocol not in REST_PROTOCOLS:
            return self.structure(shape, depth=0)
        return self.rest_output(operation, shape)

    def error_fields(
        self, operation: botocore.model.OperationModel, shape: botocore.model.Shape
    ) -> dict[str, Any]:
        """The members of error `shape` other than its message, which AwsError carries separately."""
        fields = (
            self.rest_output(operation, shape)
            if self.protocol in REST_PROTOCOLS
            else self.structure(shape, 1)
        )
        return {name: value for name, value in fields.items() if name.lower() != "message"}

    def rest_output(
        self, operation: botocore.model.OperationModel, shape: botocore.model.Shape
    ) -> dict[str, Any]:
        payload = shape.serialization.get("payload")
        value: dict[str, Any] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if location == "statusCode":
                value[name] = int(operation.http.get("responseCode", 200))
            elif name == payload:
                if self.rng.random() < max(self.fill, 0.5):
                    value[name] = self.payload(member)
            elif location in ("header", "headers"):
                if member.serialization.get("name", "").lower() == "content-length":
                    continue
                if self.rng.random() < self.fill:
                    value[name] = self.header_value(member, location)
            elif payload is None and self.rng.random() < self.fill:
                value[name] = self.value(member, depth=1)
        return value

    def payload(self, shape: botocore.model.Shape) -> Any:
        if shape.type_name == "blob":
            return self.token(0, 12).encode("ascii")
        if shape.type_name == "string":
            return self.token(0, 12)
        return self.structure(shape, depth=1)

    def header_value(self, shape: botocore.model.Shape, location: str) -> Any:
        if location == "headers":
            count = self.rng.randint(1, 2)
            return {self.key(): self.token(1, 6) for _ in range(count)}
        return self.header_scalar(shape)

    def header_scalar(self, shape: botocore.model.Shape) -> Any:
        kind = shape.type_name
        if kind == "list":
            return [self.header_scalar(shape.member) for _ in range(self.rng.randint(1, 2))]
        if kind == "string":
            if shape.serialization.get("jsonvalue"):
                return {"k": [1, "v"]}
            return self.rng.choice(shape.enum) if shape.enum else self.token(1, 8)
        if kind == "timestamp":
            return self.timestamp(shape.serialization.get("timestampFormat", "rfc822"))
        return self.value(shape, depth=_MAX_DEPTH)

    def value(self, shape: botocore.model.Shape, depth: int) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.document() if shape.is_document_type else self.structure(shape, depth)
        if kind == "list":
            flattened = self.protocol in XML_PROTOCOLS and bool(shape.serialization.get("flattened"))
            return [self.value(shape.member, depth + 1) for _ in range(self.count(depth, flattened))]
        if kind == "map":
            flattened = self.protocol in XML_PROTOCOLS and bool(shape.serialization.get("flattened"))
            return {
                self.map_key(shape.key): self.value(shape.value, depth + 1)
                for _ in range(self.count(depth, flattened))
            }
        return self.scalar(shape)

    def structure(self, shape: botocore.model.Shape, depth: int) -> dict[str, Any]:
        members = {
            name: member
            for name, member in shape.members.items()
            if member.serialization.get("location") is None and not member.serialization.get("eventstream")
        }
        if self.protocol in XML_PROTOCOLS:
            members = _one_member_per_element(members)
        if shape.is_tagged_union:
            return self.union(members, depth)
        chance = self.fill if depth < _FULL_DEPTH else 0.3 if depth < _MAX_DEPTH else 0.0
        return {
            name: self.value(member, depth + 1)
            for name, member in members.items()
            if self.rng.random() < chance
        }

    def union(self, members: dict[str, botocore.model.Shape], depth: int) -> dict[str, Any]:
        if depth >= _MAX_DEPTH:
            scalars = [
                name
                for name, member in members.items()
                if member.type_name not in ("structure", "list", "map")
            ]
            members = {name: members[name] for name in scalars} or members
        name = self.rng.choice(sorted(members))
        return {name: self.value(members[name], depth + 1)}

    def count(self, depth: int, flattened: bool) -> int:
        if depth >= _MAX_DEPTH:
            return 1 if flattened else 0
        full = self.fill >= 1.0 and depth < _FULL_DEPTH
        return self.rng.randint(1 if flattened or full else 0, 2)

    def scalar(self, shape: botocore.model.Shape) -> Any:
        kind = shape.type_name
        if kind == "string":
            return self.string(shape)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "short", "byte"):
            return self.rng.randint(-(2**31), 2**31 - 1)
        if kind == "long":
            return self.rng.randint(-(2**53), 2**53)
        if kind in ("float", "double"):
            return round(self.rng.uniform(-1e6, 1e6), 3)
        if kind == "timestamp":
            default = "iso8601" if self.protocol in XML_PROTOCOLS else "unixTimestamp"
            return self.timestamp(shape.serialization.get("timestampFormat", default))
        if kind == "blob":
            return self.rng.randbytes(self.rng.randint(0, 8))
        raise AssertionError(f"no generator for shape type `{kind}`")

    def string(self, shape: botocore.model.Shape) -> str:
        if shape.enum:
            return str(self.rng.choice(shape.enum))
        if self.service_name == "iam" and shape.name == "policyDocumentType":
            return self.policy_document()
        return "".join(self.rng.choice(_BODY_ALPHABET) for _ in range(self.rng.randint(0, 8)))

    def policy_document(self) -> str:
        resource = f"arn:aws:s3:::bucket/{self.token(1, 4)}%20+ {self.token(1, 4)}"
        return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": resource}]})

    def map_key(self, shape: botocore.model.Shape) -> str:
        if shape.enum:
            return str(self.rng.choice(shape.enum))
        return self.key()

    def key(self) -> str:
        return "".join(self.rng.choice(_KEY_ALPHABET) for _ in range(self.rng.randint(1, 6)))

    def token(self, low: int, high: int) -> str:
        return "".join(self.rng.choice(_TOKEN_ALPHABET) for _ in range(self.rng.randint(low, high)))

    def timestamp(self, timestamp_format: str) -> datetime:
        when = _EPOCH + timedelta(seconds=self.rng.randint(0, 30 * 365 * 86400))
        if timestamp_format == "rfc822":
            return when
        return when + timedelta(milliseconds=self.rng.randint(0, 999))

    def document(self) -> Any:
        return {"name": self.token(0, 4), "items": [1, 2.5, True, "x"], "nested": {"k": None}}


def _one_member_per_element(members: dict[str, botocore.model.Shape]) -> dict[str, botocore.model.Shape]:
    """S3's deprecated notification shapes give two members one element name (`Event` and the flattened
    `Events`); XML cannot tell such members apart, so neither is generated."""
    tags = {name: _element_name(name, member) for name, member in members.items()}
    taken = [tag for tag in tags.values()]
    return {name: member for name, member in members.items() if taken.count(tags[name]) == 1}


def _element_name(name: str, member: botocore.model.Shape) -> str:
    tag: str = member.serialization.get("name", name)
    if member.type_name == "list" and member.serialization.get("flattened"):
        tag = member.member.serialization.get("name", tag)
    return tag


def botocore_response(response: HttpResponse, operation: botocore.model.OperationModel) -> dict[str, Any]:
    """Our response as botocore's endpoint hands it to the parser (streaming bodies included), with the
    Content-Length the HTTP server adds."""
    headers = list(response.headers)
    if not any(name.lower() == "content-length" for name, _ in headers):
        headers.append(("Content-Length", str(len(response.body))))
    raw = Urllib3Response(
        body=io.BytesIO(response.body), headers=dict(headers), status=response.status, preload_content=False
    )
    aws_response = AWSResponse("https://example.amazonaws.com/", response.status, headers, raw)
    result: dict[str, Any] = convert_to_response_dict(aws_response, operation)
    return result


def parse_with_botocore(
    protocol: str, response: HttpResponse, operation: botocore.model.OperationModel
) -> dict[str, Any]:
    parsed: dict[str, Any] = create_parser(protocol).parse(
        botocore_response(response, operation), operation.output_shape
    )
    return parsed


def parse_error_with_botocore(
    protocol: str, response: HttpResponse, operation: botocore.model.OperationModel
) -> dict[str, Any]:
    """An error response parsed the way botocore's endpoint does: the generic parse, then the fields of the
    modelled error shape for the parsed code merged in."""
    parser = create_parser(protocol)
    response_dict = botocore_response(response, operation)
    parsed: dict[str, Any] = parser.parse(response_dict, operation.output_shape)
    shape = operation.service_model.shape_for_error_code(parsed.get("Error", {}).get("Code"))
    if shape is not None:
        parsed.update(parser.parse(response_dict, shape))
    return parsed
