"""The `query` protocol (IAM, STS): XML wrapped in ``<OperationResponse><OperationResult>``.

A success reads ``<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult>...
</GetUserResult><ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></GetUserResponse>``; an error
is an ``<ErrorResponse>`` whose ``<Error>`` carries Type (Sender or Receiver), Code, Message and any modelled
fields, followed by the RequestId.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, ServiceModel

from shieldwall.errors import AwsError
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializers import wire
from shieldwall.protocol.serializers.base import (
    REQUEST_ID_HEADER,
    ResponseSerializer,
    error_shape,
    modelled_fields,
    reject_event_stream,
    unmodelled_fields,
    wire_code,
    xml_planner,
)
from shieldwall.protocol.serializers.xml_plan import XmlStructure, write_loose_fields

CONTENT_TYPE = "text/xml"


@dataclass(frozen=True, slots=True)
class _QueryPlan:
    open_tag: str
    result_open: str
    result_close: str
    structure: XmlStructure | None
    close_tag: str


def _namespace(service: ServiceModel | None) -> str:
    if service is None:
        return ""
    return wire.namespace_attribute(service.metadata.get("xmlNamespace"))


def _request_id_element(request_id: str) -> str:
    return f"<RequestId>{wire.escape_text(request_id)}</RequestId>"


class QuerySerializer(ResponseSerializer[_QueryPlan]):
    protocol = "query"

    def serialize(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        plan = self.plan_for(operation)
        parts = [plan.open_tag]
        if plan.structure is not None:
            parts.append(plan.result_open)
            plan.structure.write_children(parts, output)
            parts.append(plan.result_close)
        parts.append(f"<ResponseMetadata>{_request_id_element(request_id)}</ResponseMetadata>")
        parts.append(plan.close_tag)
        body = "".join(parts).encode("utf-8")
        return HttpResponse(200, [("Content-Type", CONTENT_TYPE), (REQUEST_ID_HEADER, request_id)], body)

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
    ) -> HttpResponse:
        shape = error_shape(service, error.code)
        parts = [
            f"<ErrorResponse{_namespace(service)}><Error>",
            f"<Type>{'Sender' if error.sender else 'Receiver'}</Type>",
            f"<Code>{wire.escape_text(wire_code(shape, error.code))}</Code>",
            f"<Message>{wire.escape_text(error.message)}</Message>",
        ]
        if service is not None and shape is not None:
            xml_planner(service).structure(shape).write_children(parts, modelled_fields(shape, error.fields))
        write_loose_fields(parts, unmodelled_fields(shape, error.fields))
        parts.append(f"</Error>{_request_id_element(request_id)}</ErrorResponse>")
        headers = [("Content-Type", CONTENT_TYPE), (REQUEST_ID_HEADER, request_id), *error.headers]
        return HttpResponse(error.status, headers, "".join(parts).encode("utf-8"))

    def build_plan(self, operation: OperationModel) -> _QueryPlan:
        reject_event_stream(operation)
        service = operation.service_model
        shape = operation.output_shape
        name = operation.name
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result") if shape is not None else ""
        return _QueryPlan(
            open_tag=f"<{name}Response{_namespace(service)}>",
            result_open=f"<{wrapper}>",
            result_close=f"</{wrapper}>",
            structure=xml_planner(service).structure(shape) if shape is not None else None,
            close_tag=f"</{name}Response>",
        )
