"""What every protocol serializer shares: plan caching, per-service planners and error-shape lookup.

Plans are built on an operation's first response and kept for the life of the process (see memo.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from botocore.model import OperationModel, ServiceModel, Shape

from shieldwall.errors import AwsError, not_implemented
from shieldwall.http import HttpResponse
from shieldwall.protocol.serializers.json_plan import JsonPlanner
from shieldwall.protocol.serializers.memo import cached
from shieldwall.protocol.serializers.xml_plan import XmlPlanner

P = TypeVar("P")

REQUEST_ID_HEADER = "x-amzn-RequestId"
_json_planners: dict[str, JsonPlanner] = {}
_xml_planners: dict[str, XmlPlanner] = {}
_error_indexes: dict[str, dict[str, Shape]] = {}

# Services whose XML responses URL-encode the values of one string shape (see wire.iam_policy_text).
_POLICY_DOCUMENT_SHAPES = {"iam": "policyDocumentType"}


def json_planner(service: ServiceModel) -> JsonPlanner:
    return cached(_json_planners, service.service_name, JsonPlanner)


def xml_planner(service: ServiceModel) -> XmlPlanner:
    name = service.service_name
    return cached(_xml_planners, name, lambda: XmlPlanner(policy_documents=_POLICY_DOCUMENT_SHAPES.get(name)))


def error_shape(service: ServiceModel | None, code: str) -> Shape | None:
    """The modelled error shape for `code`, matched on its wire code or, as a convenience, its shape name
    (IAM's `NoSuchEntityException` travels as `NoSuchEntity`)."""
    if service is None:
        return None
    return cached(_error_indexes, service.service_name, lambda: _index_errors(service)).get(code)


def _index_errors(service: ServiceModel) -> dict[str, Shape]:
    index: dict[str, Shape] = {}
    for shape in service.error_shapes:
        index.setdefault(shape.name, shape)
    for shape in service.error_shapes:
        index[shape.error_code] = shape
    return index


def wire_code(shape: Shape | None, code: str) -> str:
    return shape.error_code if shape is not None else code


def message_key(shape: Shape | None) -> str:
    """The body key the error shape uses for its message: most say `message`, some `Message`."""
    if shape is not None:
        for name, member in shape.members.items():
            if name.lower() == "message":
                key: str = member.serialization.get("name", name)
                return key
    return "message"


def unmodelled_fields(shape: Shape | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Error fields the shape does not model (or all of them, with no shape), minus any message."""
    members = shape.members if shape is not None else {}
    return {
        name: value
        for name, value in fields.items()
        if value is not None and name not in members and name.lower() != "message"
    }


def modelled_fields(shape: Shape | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    if shape is None:
        return {}
    return {
        name: value for name, value in fields.items() if name in shape.members and name.lower() != "message"
    }


def reject_event_stream(operation: OperationModel) -> None:
    """Event-stream responses are not served yet: a 501 naming the operation, never a malformed body."""
    shape = operation.output_shape
    if shape is not None and shape.event_stream_name:
        raise not_implemented(operation.service_model.service_name, operation.name)


class ResponseSerializer(ABC, Generic[P]):
    """One protocol's writer of success and error responses, with a plan of type `P` per operation."""

    protocol: ClassVar[str]

    def __init__(self) -> None:
        self._plans: dict[OperationModel, P] = {}

    def plan_for(self, operation: OperationModel) -> P:
        plan = self._plans.get(operation)
        if plan is None:
            plan = cached(self._plans, operation, lambda: self.build_plan(operation))
        return plan

    @abstractmethod
    def build_plan(self, operation: OperationModel) -> P:
        """Everything about `operation`'s responses that does not depend on the values."""

    @abstractmethod
    def serialize(
        self, operation: OperationModel, output: Mapping[str, Any], request_id: str
    ) -> HttpResponse:
        """The response for a successful call of `operation`; `output` is keyed by member names."""

    @abstractmethod
    def serialize_error(
        self,
        service: ServiceModel | None,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
    ) -> HttpResponse:
        """The response for `error`; `service` and `operation` are None when routing failed."""
