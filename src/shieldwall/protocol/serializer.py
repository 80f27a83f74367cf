"""Responses and errors in each service's wire protocol, driven by botocore's models.

`serialize_response` turns a provider's typed output (a dict keyed by the output shape's member names:
structure → dict, list → list, map → dict, timestamp → aware datetime, blob → bytes) into the
`HttpResponse` AWS would send; `serialize_error` does the same for an `AwsError`. One serializer class per
protocol, picked from `SERIALIZERS` by protocol name, mirrors the parser family in parser.py:

    query      IAM, STS              XML in <OperationResponse><OperationResult>, <ErrorResponse>
    json       KMS, Cognito, ...     one JSON document, errors by `__type`
    rest-json  Lambda, API Gateway   status + headers + JSON body, errors by `x-amzn-ErrorType`
    rest-xml   S3                    status + headers + XML body, S3's flat <Error>

The first response of an operation builds its plan (member names, element names, header formats, the text
function of every scalar); later responses only walk the values. Nothing here ever loads a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.model import OperationModel, ServiceModel

from shieldwall.errors import AwsError
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializers.base import ResponseSerializer
from shieldwall.protocol.serializers.json_rpc import JsonSerializer
from shieldwall.protocol.serializers.query import QuerySerializer
from shieldwall.protocol.serializers.rest_json import RestJsonSerializer
from shieldwall.protocol.serializers.rest_xml import RestXmlSerializer
from shieldwall.spec.loader import SERVICES

SERIALIZERS: dict[str, ResponseSerializer[Any]] = {
    serializer.protocol: serializer
    for serializer in (QuerySerializer(), JsonSerializer(), RestJsonSerializer(), RestXmlSerializer())
}


def protocol_of(service: ServiceModel) -> str:
    """The protocol shieldwall speaks for `service`: the one its botocore clients use (acm-pca's model lists
    `smithy-rpc-v2-cbor` first, yet boto3 talks `json` to it)."""
    protocol = SERVICES.get(service.service_name)
    if protocol is None:
        resolved: str = service.resolved_protocol
        return resolved
    return protocol


def serialize_response(operation: OperationModel, output: Mapping[str, Any], request_id: str) -> HttpResponse:
    """The success response of `operation`. Raises a 501 `AwsError` for event-stream outputs."""
    return SERIALIZERS[protocol_of(operation.service_model)].serialize(operation, output, request_id)


def serialize_error(
    protocol: str,
    operation: OperationModel | None,
    error: AwsError,
    request_id: str,
    *,
    service: ServiceModel | None = None,
) -> HttpResponse:
    """The error response for `error` in `protocol`.

    With `operation` (or, when routing found the service but not the operation, `service`) the error is
    rendered through the service's modelled error shape for its code; with neither, from the protocol alone.
    """
    if operation is not None:
        service = operation.service_model
    serializer = SERIALIZERS.get(protocol)
    if serializer is None:
        serializer = SERIALIZERS[protocol_of(service) if service is not None else "json"]
    return serializer.serialize_error(service, operation, error, request_id)
