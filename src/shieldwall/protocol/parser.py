"""Request parsing: a routed raw request becomes the typed, validated request dict of its operation.

One parser per protocol, picked from `PARSERS` by the service's protocol (acm-pca is parsed as `json`, which
botocore clients send, although its model lists Smithy RPC v2 CBOR first). The dict is keyed by the input
shape's member names as in the model; values are typed: structure → dict, list → list, map → dict, string →
str, integer/long → int, float/double → float, boolean → bool, timestamp → aware UTC datetime, blob → bytes
(base64-decoded, or raw for a payload), document → the JSON value. Every failure is a 4xx `AwsError` in the
protocol's terms; the parsers live in `protocol/parsers/`.
"""

from __future__ import annotations

from typing import Any, Protocol

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parsers.awsjson import JsonParser, serialization_error
from shieldwall.protocol.parsers.common import check_request_envelope
from shieldwall.protocol.parsers.query import QueryParser, malformed_query
from shieldwall.protocol.parsers.restjson import RestJsonParser
from shieldwall.protocol.parsers.restxml import RestXmlParser, malformed_xml
from shieldwall.protocol.router import Route
from shieldwall.protocol.validate import validate
from shieldwall.spec.loader import protocol_of

# Services that answer validation failures with their own code rather than their protocol's.
VALIDATION_CODES = {"cognito-idp": "InvalidParameterException", "apigateway": "BadRequestException"}


class RequestParser(Protocol):
    protocol: str

    def parse(self, route: Route, request: HttpRequest, body: bytes) -> dict[str, Any]: ...


PARSERS: dict[str, RequestParser] = {
    "query": QueryParser(),
    "json": JsonParser(),
    "rest-json": RestJsonParser(),
    "rest-xml": RestXmlParser(),
}


def parse_request(route: Route, request: HttpRequest, body: bytes) -> dict[str, Any]:
    """The typed request dict of `route.operation`, validated; `body` is the payload after chunk decoding."""
    protocol = protocol_of(route.service)
    check_request_envelope(protocol, request, body)
    shape = route.operation.input_shape
    try:
        params = PARSERS[protocol].parse(route, request, body)
        if shape is not None:
            validate(shape, params, protocol, code=VALIDATION_CODES.get(route.service))
    except RecursionError:
        raise _too_deep(protocol) from None
    return params


def _too_deep(protocol: str) -> AwsError:
    if protocol == "rest-xml":
        return malformed_xml()
    if protocol == "query":
        return malformed_query()
    return serialization_error("the request nests values deeper than this service reads")
