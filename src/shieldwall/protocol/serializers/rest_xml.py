"""The `rest-xml` protocol (S3): status, headers and an XML document named as S3 names it.

botocore's JSON models drop Smithy's `xmlName` on output structures, so S3's root element names are kept
here, from the S3 API reference (`ListObjectsV2` answers ``<ListBucketResult>``, `CreateMultipartUpload`
``<InitiateMultipartUploadResult>`` ...). Without an entry the root is the output shape's name, Smithy's own
default. A structure payload is its own root, named by the payload member. Every root carries S3's namespace.

Errors are S3's flat ``<Error><Code/><Message/>{details}<RequestId/><HostId/></Error>`` without a namespace
(botocore recognises the S3 form by that bare root); a HEAD response carries the status and headers only.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from shieldwall.errors import AwsError
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializers import wire
from shieldwall.protocol.serializers.base import (
    ResponseSerializer,
    error_shape,
    modelled_fields,
    reject_event_stream,
    unmodelled_fields,
    wire_code,
    xml_planner,
)
from shieldwall.protocol.serializers.rest import RestPlan, has_header, raw_body, rest_plan, write_headers
from shieldwall.protocol.serializers.xml_plan import XmlStructure, write_loose_fields

CONTENT_TYPE = "application/xml"
BLOB_CONTENT_TYPE = "application/octet-stream"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
NAMESPACES = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}

ROOT_NAMES = {
    "CompleteMultipartUploadOutput": "CompleteMultipartUploadResult",
    "CreateMultipartUploadOutput": "InitiateMultipartUploadResult",
    "CreateSessionOutput": "CreateSessionResult",
    "DeleteObjectsOutput": "DeleteResult",
    "GetBucketAccelerateConfigurationOutput": "AccelerateConfiguration",
    "GetBucketAclOutput": "AccessControlPolicy",
    "GetBucketCorsOutput": "CORSConfiguration",
    "GetBucketLifecycleOutput": "LifecycleConfiguration",
    "GetBucketLifecycleConfigurationOutput": "LifecycleConfiguration",
    "GetBucketLocationOutput": "LocationConstraint",
    "GetBucketLoggingOutput": "BucketLoggingStatus",
    "NotificationConfigurationDeprecated": "NotificationConfiguration",
    "GetBucketRequestPaymentOutput": "RequestPaymentConfiguration",
    "GetBucketTaggingOutput": "Tagging",
    "GetBucketVersioningOutput": "VersioningConfiguration",
    "GetBucketWebsiteOutput": "WebsiteConfiguration",
    "GetObjectAclOutput": "AccessControlPolicy",
    "GetObjectAttributesOutput": "GetObjectAttributesResponse",
    "GetObjectTaggingOutput": "Tagging",
    "ListBucketAnalyticsConfigurationsOutput": "ListBucketAnalyticsConfigurationResult",
    "ListBucketInventoryConfigurationsOutput": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurationsOutput": "ListMetricsConfigurationsResult",
    "ListBucketsOutput": "ListAllMyBucketsResult",
    "ListDirectoryBucketsOutput": "ListAllMyDirectoryBucketsResult",
    "ListMultipartUploadsOutput": "ListMultipartUploadsResult",
    "ListObjectVersionsOutput": "ListVersionsResult",
    "ListObjectsOutput": "ListBucketResult",
    "ListObjectsV2Output": "ListBucketResult",
    "ListPartsOutput": "ListPartsResult",
}

# GetBucketLocation answers `<LocationConstraint xmlns="...">eu-west-1</LocationConstraint>`: the member's text
# is the root's text (botocore parses it with a dedicated handler for that reason).
TEXT_ROOTS = {"GetBucketLocationOutput": "LocationConstraint"}


@dataclass(frozen=True, slots=True)
class _RestXmlPlan:
    rest: RestPlan
    root_open: str
    root_close: str
    structure: XmlStructure | None
    text_member: str | None
    text: wire.Text
    raw_content_type: str


def host_id(request_id: str) -> str:
    """S3's `x-amz-id-2`/`HostId`: opaque base64, derived from the request id so both name one request."""
    return base64.b64encode(hashlib.sha256(request_id.encode("utf-8")).digest()).decode("ascii")


def _request_headers(request_id: str) -> list[tuple[str, str]]:
    return [("x-amz-request-id", request_id), ("x-amz-id-2", host_id(request_id))]


def _root_namespace(service: ServiceModel, shape: Shape) -> str:
    own = shape.serialization.get("xmlNamespace")
    if own and (isinstance(own, str) or not own.get("prefix")):
        return wire.namespace_attribute(own)
    default = service.metadata.get("xmlNamespace") or NAMESPACES.get(service.service_name)
    return wire.namespace_attribute(default) + wire.namespace_attribute(own)


class RestXmlSerializer(ResponseSerializer[_RestXmlPlan]):
    protocol = "rest-xml"

    def serialize(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        plan = self.plan_for(operation)
        rest = plan.rest
        status = rest.status_of(output)
        headers = _request_headers(request_id)
        write_headers(headers, rest.headers, rest.prefixed, output)
        body, content_type = b"", None
        if rest.sends_body(status):
            if rest.payload is not None:
                value = output.get(rest.payload)
                if value is not None and rest.raw_payload:
                    body, content_type = raw_body(value), plan.raw_content_type
                elif value is not None:
                    body, content_type = self._document(plan, value), CONTENT_TYPE
            elif rest.has_body_members:
                body, content_type = self._document(plan, output), CONTENT_TYPE
        if content_type is not None and not has_header(headers, "content-type"):
            headers.append(("Content-Type", content_type))
        return HttpResponse(status, headers, body)

    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
    ) -> HttpResponse:
        headers = [*_request_headers(request_id), ("Content-Type", CONTENT_TYPE), *error.headers]
        if operation is not None and operation.http.get("method") == "HEAD":
            return HttpResponse(error.status, headers, b"")
        shape = error_shape(service, error.code)
        parts = [
            XML_DECLARATION,
            f"<Error><Code>{wire.escape_text(wire_code(shape, error.code))}</Code>",
            f"<Message>{wire.escape_text(error.message)}</Message>",
        ]
        if service is not None and shape is not None:
            xml_planner(service).structure(shape).write_children(parts, modelled_fields(shape, error.fields))
        write_loose_fields(parts, unmodelled_fields(shape, error.fields))
        parts.append(f"<RequestId>{wire.escape_text(request_id)}</RequestId>")
        parts.append(f"<HostId>{host_id(request_id)}</HostId></Error>")
        return HttpResponse(error.status, headers, "".join(parts).encode("utf-8"))

    def build_plan(self, operation: OperationModel) -> _RestXmlPlan:
        reject_event_stream(operation)
        rest = rest_plan(operation)
        service = operation.service_model
        planner = xml_planner(service)
        shape = rest.payload_shape if rest.payload is not None else operation.output_shape
        blob = rest.payload_shape is not None and rest.payload_shape.type_name == "blob"
        raw_type = BLOB_CONTENT_TYPE if blob else TEXT_CONTENT_TYPE
        if shape is None or rest.raw_payload or shape.type_name != "structure":
            return _RestXmlPlan(rest, "", "", None, None, wire.string_text, raw_type)
        if rest.payload is not None:
            root = shape.serialization.get("name") or shape.name
        else:
            root = ROOT_NAMES.get(shape.name, shape.name)
        text_member = TEXT_ROOTS.get(shape.name)
        text = planner.text(shape.members[text_member]) if text_member else wire.string_text
        structure = None if text_member else planner.structure(shape)
        root_open = f"<{root}{_root_namespace(service, shape)}"
        return _RestXmlPlan(rest, root_open, f"</{root}>", structure, text_member, text, raw_type)

    def _document(self, plan: _RestXmlPlan, value: Mapping[str, Any]) -> bytes:
        parts = [XML_DECLARATION, plan.root_open]
        if plan.structure is not None:
            parts.append(plan.structure.attribute_text(value) + ">")
            plan.structure.write_children(parts, value)
        else:
            parts.append(">")
            text = value.get(plan.text_member) if plan.text_member else None
            if text is not None:
                parts.append(plan.text(text))
        parts.append(plan.root_close)
        return "".join(parts).encode("utf-8")
