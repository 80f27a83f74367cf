"""Every operation of every service: our serializer writes a response, botocore's own parser reads it back,
and the client sees exactly the output the provider returned."""

from __future__ import annotations

import copy
import json
from typing import Any

import botocore.model
import pytest
from botocore.handlers import json_decode_policies
from botocore.response import StreamingBody
from serializer_support import TRANSPORT_HEADERS, ValueGenerator, parse_with_botocore

from shieldwall.protocol.serializer import protocol_of, serialize_response
from shieldwall.spec.loader import SERVICES, service_model

# How many members each example fills: one full, one half, one sparse, so every member is written at least
# once down to three levels and absent members are exercised too.
FILLS = (1.0, 0.5, 0.2)
REQUEST_ID = "5d1b7c3e-0f6a-4d57-9c9a-2f1e8b7a6c01"


def _operations() -> list[Any]:
    cases = []
    for service in SERVICES:
        model = service_model(service)
        for name in model.operation_names:
            operation = model.operation_model(name)
            if operation.has_event_stream_output:
                continue
            cases.append(pytest.param(service, name, id=f"{service}.{name}"))
    return cases


def _client_view(
    operation: botocore.model.OperationModel, parsed: dict[str, Any], sent: dict[str, Any]
) -> dict[str, Any]:
    """What a boto3 user reads, minus what only the transport adds."""
    view = {key: value for key, value in parsed.items() if key != "ResponseMetadata"}
    shape = operation.output_shape
    assert shape is not None
    for name, member in shape.members.items():
        if name in sent or name not in view:
            continue
        if _transport_only(member, view[name]):
            del view[name]
    payload = shape.serialization.get("payload")
    if payload in view:
        view[payload] = _payload_bytes(view[payload], shape.members[payload])
        if payload not in sent and not view[payload]:
            del view[payload]
    return view


def _transport_only(member: botocore.model.Shape, value: Any) -> bool:
    """Members botocore fills from the transport even when the provider left them out: an empty prefix-header
    map, and the Content-Type/Content-Length every HTTP response has."""
    location = member.serialization.get("location")
    if location == "headers":
        return bool(value == {})
    return location == "header" and member.serialization.get("name", "").lower() in TRANSPORT_HEADERS


def _payload_bytes(value: Any, member: botocore.model.Shape) -> Any:
    """botocore hands streaming payloads over as a stream and other blob payloads decoded as text; an
    absent payload reads back as an empty one."""
    if isinstance(value, StreamingBody):
        return value.read()
    if member.type_name == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    return value


def _request_id_of(parsed: dict[str, Any]) -> str:
    request_id: str = parsed["ResponseMetadata"]["RequestId"]
    return request_id


def _bucket_location(body: bytes) -> dict[str, Any]:
    """botocore reads GetBucketLocation's root text with a dedicated after-call handler; do the same."""
    from xml.etree import ElementTree

    text = ElementTree.fromstring(body).text
    return {} if text is None else {"LocationConstraint": text}


def _policies_as_dicts(value: Any, shape: botocore.model.Shape) -> Any:
    """The output as boto3 shows IAM's policy documents: parsed JSON, where its after-call handler looks."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            name: json.loads(item)
            if shape.members[name].name == "policyDocumentType"
            else _policies_as_dicts(item, shape.members[name])
            for name, item in value.items()
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [_policies_as_dicts(item, shape.member) for item in value]
    return value


@pytest.mark.parametrize(("service", "operation_name"), _operations())
def test_botocore_reads_back_what_the_provider_returned(service: str, operation_name: str) -> None:
    model = service_model(service)
    operation = model.operation_model(operation_name)
    protocol = protocol_of(model)
    for example, fill in enumerate(FILLS):
        generator = ValueGenerator(protocol, service, f"{service}.{operation_name}.{example}", fill)
        output = generator.output(operation)
        response = serialize_response(operation, copy.deepcopy(output), REQUEST_ID)
        assert isinstance(response.body, bytes)
        if operation.output_shape is None:
            assert 200 <= response.status < 300
            continue
        parsed = parse_with_botocore(protocol, response, operation)
        assert _request_id_of(parsed) == REQUEST_ID
        view = _client_view(operation, parsed, output)
        if (service, operation_name) == ("s3", "GetBucketLocation"):
            view = _bucket_location(response.body)
        if service == "iam":
            json_decode_policies(view, operation)
            output = _policies_as_dicts(output, operation.output_shape)
        assert view == output, f"example {example}: {response.body!r}"
