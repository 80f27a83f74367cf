"""Every operation of every served service: botocore serializes generated input, shieldwall routes and parses it
back, and the parsed dict equals the input.

Three examples per operation: only the required members (signed request), every member down to a small depth
(unsigned, addressed by the service's own host name), and a random subset (S3: virtual-host addressed).
"""

from __future__ import annotations

from typing import Any

import botocore.model
import pytest
from botocore_wire import every_operation, generate_input, wire_request

from shieldwall.protocol.parser import parse_request
from shieldwall.protocol.router import route, service_signing_name
from shieldwall.spec.loader import service_model

CASES = every_operation()


def _wire_twins(operation: botocore.model.OperationModel) -> set[str]:
    """Operations with the same method and URI template: the wire cannot tell them apart."""
    model = operation.service_model
    http = operation.http
    return {
        name
        for name in model.operation_names
        if model.operation_model(name).http.get("requestUri") == http.get("requestUri")
        and model.operation_model(name).http.get("method") == http.get("method")
    }


def _wire_equivalent(
    operation: botocore.model.OperationModel, params: dict[str, Any], parsed: dict[str, Any]
) -> Any:
    """`parsed` with only what the wire cannot carry normalised: an absent rest-json payload arrives as `{}`, and
    an HTTP request always frames its body with a Content-Length."""
    shape = operation.input_shape
    if "ContentLength" not in params:
        parsed = {key: value for key, value in parsed.items() if key != "ContentLength"}
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload and payload not in params and parsed.get(payload) == {}:
        parsed = {key: value for key, value in parsed.items() if key != payload}
    return parsed


def _assert_round_trip(
    service: str,
    operation: botocore.model.OperationModel,
    params: dict[str, Any],
    request: Any,
    signing: str | None,
) -> None:
    routed = route(request, signing)
    assert routed.service == service
    if routed.operation.name != operation.name:
        assert routed.operation.name in _wire_twins(operation), f"routed to {routed.operation.name}"
        routed = type(routed)(service, operation, routed.path_params)
    parsed = parse_request(routed, request, request.body)
    assert _wire_equivalent(operation, params, parsed) == params


@pytest.mark.parametrize(("service", "name"), CASES, ids=[f"{service}.{name}" for service, name in CASES])
def test_botocore_request_routes_and_parses_back_to_its_input(service: str, name: str) -> None:
    model = service_model(service)
    operation = model.operation_model(name)
    host_name = f"{model.metadata['endpointPrefix']}.us-east-1.amazonaws.com"

    required_only = generate_input(operation, seed=1)
    request = wire_request(service, operation, required_only)
    _assert_round_trip(service, operation, required_only, request, service_signing_name(service))

    full = generate_input(operation, seed=2, full=True)
    endpoint = "http://localhost:4566" if service == "s3" else f"https://{host_name}"
    request = wire_request(service, operation, full, endpoint)
    _assert_round_trip(service, operation, full, request, None)

    some = generate_input(operation, seed=3)
    request = wire_request(service, operation, some)
    if service == "s3" and "Bucket" in some:
        request = _virtual_hosted(request, some["Bucket"])
    _assert_round_trip(service, operation, some, request, service_signing_name(service))


def _virtual_hosted(request: Any, bucket: str) -> Any:
    from shieldwall.http import HttpRequest

    prefix = "/" + bucket
    assert request.raw_path.startswith(prefix)
    path = request.raw_path[len(prefix) :] or "/"
    headers = [(name, value) for name, value in request.headers if name != "host"]
    return HttpRequest(
        request.method,
        path,
        request.query_string,
        [("Host", f"{bucket}.s3.us-east-1.amazonaws.com"), *headers],
        request.body,
    )
