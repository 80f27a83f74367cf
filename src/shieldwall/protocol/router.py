"""Which service and operation a raw request calls, decided from the request alone.

Evidence, strongest first:

1. `X-Amz-Target: <targetPrefix>.<Operation>` names a json-protocol service and operation outright, signed or not.
2. A signed request's credential scope names the service by its signing name (`signingName`, else
   `endpointPrefix`); within it `Action=` (query string or form body) picks a query operation, the URI template,
   method and literal query keys pick a REST operation.
3. An unsigned request is placed by its `Host` (`sts.amazonaws.com`, `kms.us-east-1.amazonaws.com`,
   `<bucket>.s3.amazonaws.com`, `s3.localhost`), then by `Action=` among the query services' operations (IAM's
   and STS's names are disjoint; an unknown action is answered by STS, the one query service with unsigned
   operations), and last it is S3, where anonymous REST access lands.

S3 is addressed path-style (`/bucket/key`) or virtual-host style (`bucket.s3.<anything>`, `bucket.localhost`);
the bucket from the host is put in `path_params["Bucket"]` as if it had been in the path, so the parser never
cares which style was used. Tables are built once per service and cached; `preload()` builds them all up front.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote, unquote_plus

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.resttable import Match, RestTable, split_path
from shieldwall.spec.loader import SERVICES, protocol_of, service_model

# Signing names the endpoint rules give some S3 operations instead of the model's `s3`.
SIGNING_ALIASES = {"s3-object-lambda": "s3", "s3express": "s3"}
HTTP_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"})

_S3_VIRTUAL_HOST = re.compile(
    r"(?P<bucket>.+)\.s3(?:-(?!object-lambda\.|accesspoint\.|control\.)[a-z0-9-]+)?\."
)
_S3_HOST = re.compile(r"s3(?:[.-]|\Z)")
_IPV4 = re.compile(r"[0-9.]+\Z")
_FORM_ACTION = re.compile(rb"(?:\A|&)Action=([^&]*)")
_RPC_V2_PATH = re.compile(r"/service/([^/]+)/operation/([^/]+)\Z")


class Route(NamedTuple):
    service: str  # botocore service name, e.g. "cognito-idp"
    operation: botocore.model.OperationModel
    path_params: dict[str, str]  # REST URI template captures, already percent-decoded


class UnknownServiceError(AwsError):
    """The credential scope names a service shieldwall does not serve (raise only once the signature verified)."""

    def __init__(self, signing_name: str) -> None:
        super().__init__(
            "UnknownService",
            f"the service `{signing_name}` named in the credential scope is not served by this endpoint",
            400,
        )
        self.signing_name = signing_name


class RoutingError(AwsError):
    """A request for a known service that names no operation of it; `service` says whose wire format to use."""

    def __init__(
        self, service: str, code: str, message: str, status: int = 400, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(code, message, status, fields=dict(fields or {}))
        self.service = service


@dataclass(frozen=True, slots=True)
class _ServiceTable:
    service: str
    protocol: str
    model: botocore.model.ServiceModel
    operations: dict[str, botocore.model.OperationModel]
    rest: RestTable | None


@dataclass(frozen=True, slots=True)
class _Index:
    by_signing_name: dict[str, str]
    by_target_prefix: dict[str, str]
    by_endpoint_prefix: dict[str, str]
    by_action: dict[str, str]


def route(request: HttpRequest, signing_service: str | None) -> Route:
    target = request.header("x-amz-target")
    if target:
        found = _route_by_target(target)
        if found is not None:
            return found
    if signing_service is not None:
        service = service_for_signing_name(signing_service)
    else:
        service = _unsigned_service(request)
    return _route_within(_table(service), request)


def service_signing_name(service: str) -> str:
    """What the SigV4 credential scope must name for `service` (e.g. `cognito-idp`, `s3`)."""
    metadata = service_model(service).metadata
    return str(metadata.get("signingName") or metadata["endpointPrefix"])


def signing_name_matches(service: str, signing_name: str) -> bool:
    """Whether a scope naming `signing_name` may call `service` (S3 also answers to its endpoint aliases)."""
    return signing_name == service_signing_name(service) or SIGNING_ALIASES.get(signing_name) == service


def service_for_signing_name(signing_name: str) -> str:
    if signing_name in SERVICES and service_signing_name(signing_name) == signing_name:
        return signing_name  # the usual case, answered without loading every service's model
    index = _index()
    service = index.by_signing_name.get(signing_name) or SIGNING_ALIASES.get(signing_name)
    if service is None:
        raise UnknownServiceError(signing_name)
    return service


def preload() -> None:
    """Build every routing table now (server start-up) rather than on each service's first request."""
    _index()
    for service in SERVICES:
        _table(service)


# -- evidence ------------------------------------------------------------------------------------------------


def _route_by_target(target: str) -> Route | None:
    prefix, _, name = target.rpartition(".")
    service = _index().by_target_prefix.get(prefix)
    if service is None:
        return None
    operation = _table(service).operations.get(name)
    if operation is None:
        raise _unknown_operation(service, name)
    return Route(service, operation, {})


def _unsigned_service(request: HttpRequest) -> str:
    by_host = _service_for_host(host_without_port(request.header("host") or ""))
    if by_host is not None:
        return by_host
    action = _action_of(request)
    if action is not None:
        return _index().by_action.get(action, "sts")
    return "s3"


def _service_for_host(host: str) -> str | None:
    if not host or _IPV4.match(host) or host.startswith("["):
        return None
    if _S3_VIRTUAL_HOST.match(host) or _S3_HOST.match(host):
        return "s3"
    first, dot, _ = host.partition(".")
    if dot and first in _index().by_endpoint_prefix:
        return _index().by_endpoint_prefix[first]
    if host.endswith(".localhost"):
        return "s3"
    return None


def host_without_port(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.partition(":")[0]


def s3_bucket_from_host(host: str) -> str | None:
    """The bucket of a virtual-hosted S3 request (`bucket.s3.amazonaws.com`, `bucket.localhost`), else None."""
    match = _S3_VIRTUAL_HOST.match(host)
    if match is not None:
        return match.group("bucket")
    if host.endswith(".localhost"):
        prefix = host[: -len(".localhost")]
        if not _S3_HOST.match(prefix):
            return prefix
    return None


def _action_of(request: HttpRequest) -> str | None:
    content_type = (request.header("content-type") or "").lower()
    if request.body and content_type.startswith("application/x-www-form-urlencoded"):
        found = _FORM_ACTION.search(request.body)
        if found is not None:
            return unquote_plus(found.group(1).decode("utf-8", errors="replace"))
    return request.query_param("Action")


# -- within a service ----------------------------------------------------------------------------------------


def _route_within(table: _ServiceTable, request: HttpRequest) -> Route:
    if table.protocol == "query":
        return _route_query(table, request)
    if table.rest is not None:
        return _route_rest(table, table.rest, request)
    return _route_rpc_v2(table, request)


def _route_query(table: _ServiceTable, request: HttpRequest) -> Route:
    action = _action_of(request)
    if not action:
        raise RoutingError(table.service, "MissingAction", "Missing Action")
    operation = table.operations.get(action)
    if operation is None:
        version = table.model.metadata.get("apiVersion", "")
        raise RoutingError(
            table.service, "InvalidAction", f"Could not find operation {action} for version {version}"
        )
    return Route(table.service, operation, {})


def _route_rpc_v2(table: _ServiceTable, request: HttpRequest) -> Route:
    """A json service reached without X-Amz-Target: only Smithy RPC v2's `/service/<prefix>/operation/<op>`."""
    found = _RPC_V2_PATH.match(request.raw_path)
    prefix = table.model.metadata.get("targetPrefix")
    if found is not None and found.group(1) == prefix and found.group(2) in table.operations:
        return Route(table.service, table.operations[found.group(2)], {})
    target = request.header("x-amz-target")
    raise _unknown_operation(table.service, target.rpartition(".")[2] if target else None)


def _route_rest(table: _ServiceTable, rest: RestTable, request: HttpRequest) -> Route:
    host = host_without_port(request.header("host") or "")
    query = dict(request.query_params)
    path = request.raw_path
    try:
        match: Match | None = None
        if table.service == "s3":
            match = rest.match(request.method, path, query, request.header_map, host, host_prefixed_only=True)
            bucket = s3_bucket_from_host(host)
            if match is None and bucket is not None:
                path = "/" + quote(bucket, safe="") + path
        if match is None:
            match = rest.match(request.method, path, query, request.header_map, host)
    except UnicodeDecodeError:
        raise _bad_uri(table.service) from None
    if match is None:
        raise _no_rest_operation(table, rest, request.method, path)
    return Route(table.service, match.operation, match.path_params)


def _unknown_operation(service: str, name: str | None) -> RoutingError:
    if name:
        message = f"operation `{name}` is not an operation of service `{service}`"
    else:
        message = f"service `{service}` needs the operation in the X-Amz-Target header"
    return RoutingError(service, "UnknownOperationException", message, 400)


def _bad_uri(service: str) -> RoutingError:
    if service == "s3":
        return RoutingError(service, "InvalidURI", "Couldn't parse the specified URI.", 400)
    return RoutingError(
        service, "SerializationException", "the request path is not valid percent-encoded UTF-8"
    )


def _no_rest_operation(table: _ServiceTable, rest: RestTable, method: str, path: str) -> RoutingError:
    if table.protocol != "rest-xml":
        return RoutingError(
            table.service, "UnknownOperationException", f"no operation answers {method} {path}", 404
        )
    if method not in HTTP_METHODS:
        return RoutingError(
            table.service,
            "NotImplemented",
            "A header you provided implies functionality that is not implemented",
            501,
        )
    depth = len([segment for segment in split_path(path) if segment])
    resource = "SERVICE" if depth == 0 else "BUCKET" if depth == 1 else "OBJECT"
    return RoutingError(
        table.service,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
        {"Method": method, "ResourceType": resource},
    )


# -- tables --------------------------------------------------------------------------------------------------


@functools.cache
def _table(service: str) -> _ServiceTable:
    model = service_model(service)
    protocol = protocol_of(service)
    operations = {name: model.operation_model(name) for name in model.operation_names}
    rest = RestTable(list(operations.values())) if protocol.startswith("rest-") else None
    return _ServiceTable(service, protocol, model, operations, rest)


@functools.cache
def _index() -> _Index:
    by_signing_name: dict[str, str] = {}
    by_target_prefix: dict[str, str] = {}
    by_endpoint_prefix: dict[str, str] = {}
    by_action: dict[str, str] = {}
    for service, protocol in SERVICES.items():
        metadata = service_model(service).metadata
        by_signing_name[service_signing_name(service)] = service
        by_endpoint_prefix[str(metadata["endpointPrefix"])] = service
        if protocol == "json":
            by_target_prefix[str(metadata["targetPrefix"])] = service
        if protocol == "query":
            by_action.update(dict.fromkeys(service_model(service).operation_names, service))
    return _Index(by_signing_name, by_target_prefix, by_endpoint_prefix, by_action)
