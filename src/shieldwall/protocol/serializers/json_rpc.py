"""The `json` protocol (AWS JSON 1.0/1.1): the whole output as one JSON document, errors by `__type`."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from botocore.model import OperationModel, ServiceModel, Shape

from shieldwall.errors import AwsError
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializers.base import (
    REQUEST_ID_HEADER,
    ResponseSerializer,
    error_shape,
    json_planner,
    message_key,
    modelled_fields,
    reject_event_stream,
    unmodelled_fields,
    wire_code,
)

_ENCODER = json.JSONEncoder(separators=(",", ":"))
_LOOSE_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)
_DEFAULT_CONTENT_TYPE = "application/x-amz-json-1.1"


def dumps(value: Any) -> bytes:
    """The document as compact UTF-8 JSON (orjson; the standard encoder for what orjson refuses, such as an
    integer beyond 64 bits)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return _ENCODER.encode(value).encode("ascii")


def dumps_loose(value: Any) -> bytes:
    """For error bodies, whose unmodelled fields may hold values JSON has no type for."""
    return _LOOSE_ENCODER.encode(value).encode("ascii")


def content_type(service: ServiceModel | None) -> str:
    if service is None:
        return _DEFAULT_CONTENT_TYPE
    return f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"


def error_fields(
    service: ServiceModel | None, shape: Shape | None, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The error's extra members: modelled ones encoded through the error shape, the rest as given."""
    encoded: dict[str, Any] = {}
    if service is not None and shape is not None:
        encoded = json_planner(service).structure(shape).encode(modelled_fields(shape, fields))
    for name, value in unmodelled_fields(shape, fields).items():
        encoded.setdefault(name, value)
    return encoded


@dataclass(frozen=True, slots=True)
class _JsonPlan:
    encode: Callable[[Mapping[str, Any]], dict[str, Any]] | None
    content_type: str


class JsonSerializer(ResponseSerializer[_JsonPlan]):
    protocol = "json"

    def serialize(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        plan = self.plan_for(operation)
        body = dumps(plan.encode(output) if plan.encode is not None else {})
        return HttpResponse(200, [("Content-Type", plan.content_type), (REQUEST_ID_HEADER, request_id)], body)

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
    ) -> HttpResponse:
        shape = error_shape(service, error.code)
        code = wire_code(shape, error.code)
        body: dict[str, Any] = {"__type": code, message_key(shape): error.message}
        for name, value in error_fields(service, shape, error.fields).items():
            body.setdefault(name, value)
        headers = [
            ("Content-Type", content_type(service)),
            (REQUEST_ID_HEADER, request_id),
            ("x-amzn-ErrorType", code),
            *error.headers,
        ]
        return HttpResponse(error.status, headers, dumps_loose(body))

    def build_plan(self, operation: OperationModel) -> _JsonPlan:
        reject_event_stream(operation)
        service = operation.service_model
        shape = operation.output_shape
        encode = json_planner(service).structure(shape).encode if shape is not None else None
        return _JsonPlan(encode, content_type(service))
