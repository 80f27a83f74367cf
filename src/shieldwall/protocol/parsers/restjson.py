"""rest-json (Lambda, API Gateway): REST bindings plus a JSON body; malformed input is a SerializationException."""

from __future__ import annotations

from typing import Any

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parsers.awsjson import serialization_error
from shieldwall.protocol.parsers.common import content_type, is_json, unsupported_media_type
from shieldwall.protocol.parsers.jsonbody import JsonDecoders, JsonSyntaxError, load_json
from shieldwall.protocol.parsers.rest import RestParser, RestPlan
from shieldwall.protocol.parsers.scalars import InvalidValue, json_type_message


class RestJsonParser(RestParser):
    protocol = "rest-json"

    def read_body(self, plan: RestPlan, request: HttpRequest, body: bytes, result: dict[str, Any]) -> None:
        assert plan.body is not None
        media_type = content_type(request)
        if not is_json(media_type):
            raise unsupported_media_type(media_type, "application/json")
        try:
            value = plan.body(load_json(body))
        except JsonSyntaxError as exc:
            raise self.body_error(f"the request body is not a JSON document: {exc}") from None
        except InvalidValue as exc:
            raise self.body_error(json_type_message(exc)) from None
        if plan.payload is not None:
            result[plan.payload] = value
        else:
            result.update(value)

    def compile_body(self, plan: RestPlan, shape: botocore.model.StructureShape, members: list[str]) -> None:
        decoders = JsonDecoders()
        if plan.payload is not None:
            plan.body = decoders.decoder(shape.members[plan.payload])
        else:
            plan.body = decoders.structure(shape, members)

    def location_error(self, wire_name: str, raw: str, error: InvalidValue) -> AwsError:
        return serialization_error(f"value `{raw}` of `{wire_name}` cannot be converted to {error.expected}")

    def body_error(self, message: str) -> AwsError:
        return serialization_error(message)
