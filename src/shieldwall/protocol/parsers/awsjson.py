"""The `json` protocol (KMS, Secrets Manager, SSM, Cognito, ...): a JSON body, the operation named by X-Amz-Target."""

from __future__ import annotations

from typing import Any

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parsers.common import (
    Plan,
    PlanCache,
    content_type,
    is_json,
    reject_cbor,
    unsupported_media_type,
)
from shieldwall.protocol.parsers.jsonbody import JsonDecoders, JsonSyntaxError, load_json
from shieldwall.protocol.parsers.scalars import InvalidValue, json_type_message
from shieldwall.protocol.router import Route


class JsonParser:
    protocol = "json"

    def __init__(self) -> None:
        self._plans = PlanCache(self._compile)

    def parse(self, route: Route, request: HttpRequest, body: bytes) -> dict[str, Any]:
        media_type = content_type(request)
        reject_cbor(media_type)
        if not is_json(media_type):
            raise unsupported_media_type(media_type, "application/x-amz-json-1.1")
        document = read_document(body)
        plan = self._plans.get(route)
        if plan.decode is None:
            return {}
        try:
            return plan.decode(document)  # type: ignore[no-any-return]
        except InvalidValue as exc:
            raise serialization_error(json_type_message(exc)) from None

    def _compile(self, operation: botocore.model.OperationModel) -> Plan:
        shape = operation.input_shape
        if shape is None:
            return Plan(None)
        return Plan(JsonDecoders().decoder(shape))


def read_document(body: bytes) -> Any:
    """The JSON document of a body; an empty body reads as `{}` (some clients send nothing for no input)."""
    if not body.strip():
        return {}
    try:
        return load_json(body)
    except JsonSyntaxError as exc:
        raise serialization_error(f"the request body is not a JSON document: {exc}") from None


def serialization_error(message: str) -> AwsError:
    return AwsError("SerializationException", message, 400)
