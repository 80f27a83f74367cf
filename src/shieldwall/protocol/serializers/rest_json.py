"""The `rest-json` protocol (Lambda, API Gateway): status, headers and a JSON body, errors by header.

The error code travels in the ``x-amzn-ErrorType`` header; the body holds the message under the key the error
shape uses (Lambda says `Message`, API Gateway `message`) plus any other fields of the shape, whose `header`
members (``Retry-After``) go out as headers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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
    wire_code,
)
from shieldwall.protocol.serializers.json_rpc import dumps, dumps_loose, error_fields
from shieldwall.protocol.serializers.memo import cached
from shieldwall.protocol.serializers.rest import (
    HeaderField,
    RestPlan,
    has_header,
    header_fields,
    raw_body,
    rest_plan,
    write_headers,
)

CONTENT_TYPE = "application/json"
BLOB_CONTENT_TYPE = "application/octet-stream"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"

_error_headers: dict[tuple[str, str], tuple[HeaderField, ...]] = {}


@dataclass(frozen=True, slots=True)
class _RestJsonPlan:
    rest: RestPlan
    encode: Callable[[Any], Any] | None
    raw_content_type: str


def _error_header_fields(service: ServiceModel, shape: Shape) -> tuple[HeaderField, ...]:
    return cached(_error_headers, (service.service_name, shape.name), lambda: header_fields(shape))


class RestJsonSerializer(ResponseSerializer[_RestJsonPlan]):
    protocol = "rest-json"

    def serialize(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        plan = self.plan_for(operation)
        rest = plan.rest
        status = rest.status_of(output)
        headers = [(REQUEST_ID_HEADER, request_id)]
        write_headers(headers, rest.headers, rest.prefixed, output)
        body = b""
        content_type = CONTENT_TYPE
        if rest.sends_body(status):
            if rest.payload is not None:
                value = output.get(rest.payload)
                if value is not None and rest.raw_payload:
                    body, content_type = raw_body(value), plan.raw_content_type
                elif value is not None:
                    body = dumps(plan.encode(value) if plan.encode is not None else value)
            elif rest.has_body_members and plan.encode is not None:
                body = dumps(plan.encode(output))
        if not has_header(headers, "content-type"):
            headers.append(("Content-Type", content_type))
        return HttpResponse(status, headers, body)

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
    ) -> HttpResponse:
        shape = error_shape(service, error.code)
        code = wire_code(shape, error.code)
        body: dict[str, Any] = {message_key(shape): error.message}
        for name, value in error_fields(service, shape, error.fields).items():
            body.setdefault(name, value)
        headers = [
            ("Content-Type", CONTENT_TYPE),
            (REQUEST_ID_HEADER, request_id),
            ("x-amzn-ErrorType", code),
        ]
        if service is not None and shape is not None:
            write_headers(
                headers, _error_header_fields(service, shape), (), modelled_fields(shape, error.fields)
            )
        headers.extend(error.headers)
        return HttpResponse(error.status, headers, dumps_loose(body))

    def build_plan(self, operation: OperationModel) -> _RestJsonPlan:
        reject_event_stream(operation)
        rest = rest_plan(operation)
        planner = json_planner(operation.service_model)
        encode: Callable[[Any], Any] | None = None
        if rest.payload_shape is not None and not rest.raw_payload:
            encode = planner.encoder(rest.payload_shape)
        elif rest.has_body_members and operation.output_shape is not None:
            encode = planner.structure(operation.output_shape).encode
        blob = rest.payload_shape is not None and rest.payload_shape.type_name == "blob"
        return _RestJsonPlan(rest, encode, BLOB_CONTENT_TYPE if blob else TEXT_CONTENT_TYPE)
