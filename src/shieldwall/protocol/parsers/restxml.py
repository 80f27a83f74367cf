"""rest-xml (S3): REST bindings plus an XML body, with S3's own error codes for what it cannot read.

S3 answers an unreadable or misshapen body with `MalformedXML` and a header or query parameter it cannot read
with `InvalidArgument` naming the argument (`ArgumentName`/`ArgumentValue` in the error document).
"""

from __future__ import annotations

from typing import Any

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parsers.rest import RestParser, RestPlan
from shieldwall.protocol.parsers.scalars import InvalidValue
from shieldwall.protocol.parsers.xmlbody import XmlDecoders, XmlSyntaxError, load_xml, local_name

MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"


def malformed_xml() -> AwsError:
    return AwsError("MalformedXML", MALFORMED_XML, 400)


def invalid_argument(message: str, name: str, value: str | None) -> AwsError:
    fields = {"ArgumentName": name}
    if value is not None:
        fields["ArgumentValue"] = value
    return AwsError("InvalidArgument", message, 400, fields=fields)


class RestXmlParser(RestParser):
    protocol = "rest-xml"

    def read_body(self, plan: RestPlan, request: HttpRequest, body: bytes, result: dict[str, Any]) -> None:
        assert plan.body is not None
        try:
            root = load_xml(body)
        except XmlSyntaxError:
            raise malformed_xml() from None
        if local_name(root.tag) != plan.body_root:
            raise malformed_xml()
        try:
            value = plan.body(root)
        except InvalidValue:
            raise malformed_xml() from None
        if plan.payload is not None:
            result[plan.payload] = value
        else:
            result.update(value)

    def compile_body(self, plan: RestPlan, shape: botocore.model.StructureShape, members: list[str]) -> None:
        decoders = XmlDecoders()
        if plan.payload is not None:
            member = shape.members[plan.payload]
            plan.body = decoders.decoder(member)
            plan.body_root = str(member.serialization.get("name", plan.payload))
        else:
            plan.body = decoders.structure(shape, members)
            plan.body_root = str(shape.serialization.get("name", shape.name))

    def location_error(self, wire_name: str, raw: str, error: InvalidValue) -> AwsError:
        if error.expected in ("Integer", "Long"):
            return invalid_argument(
                f"Provided {wire_name} not an integer or within integer range", wire_name, raw
            )
        return invalid_argument(f"Invalid value for {wire_name}", wire_name, raw)

    def body_error(self, message: str) -> AwsError:
        return malformed_xml()
