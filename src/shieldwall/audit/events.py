"""CloudTrail-shaped events: one per API call, allowed or denied, as AWS records management events.

The dict `build_event` returns has CloudTrail's field names and order (eventVersion 1.08) plus one extension,
``shieldwall``, holding the authorization decision and the id of its explanation; a denial also carries
`decision_details` (whether it was enforced, the principal, action and resource, and the rendered walk).
Request parameters and response elements go through `redact`, so no secret or blob reaches the trail.

Like CloudTrail, read-only calls record no responseElements (a List* or Get* response is data, not a change),
and failed calls record none either. KMS's cryptographic operations (Encrypt, Decrypt, GenerateDataKey, Sign,
...) are read-only calls in CloudTrail, whatever their names; the key material they used is recorded as
`additionalEventData.keyMaterialId` (the "Examples of AWS KMS log entries" pages of the KMS Developer Guide).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel

from shieldwall import ids
from shieldwall.audit.redact import redact
from shieldwall.clock import fmt_iso8601

EVENT_VERSION = "1.08"
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Lookup", "Head")
# Read-only in CloudTrail although their names do not say so, by event source.
READ_ONLY_OPERATIONS = {
    "kms.amazonaws.com": frozenset(
        {
            "Encrypt",
            "Decrypt",
            "ReEncrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "GenerateRandom",
            "GenerateMac",
            "VerifyMac",
            "Sign",
            "Verify",
            "DeriveSharedSecret",
        }
    )
}


def source_of(service: ServiceModel) -> str:
    """The eventSource of a service's calls: its endpoint prefix under amazonaws.com (`kms.amazonaws.com`)."""
    prefix = service.metadata.get("endpointPrefix") or service.service_name
    return f"{prefix}.amazonaws.com"


def is_read_only(event_name: str, event_source: str = "") -> bool:
    return event_name.startswith(READ_ONLY_PREFIXES) or event_name in READ_ONLY_OPERATIONS.get(
        event_source, ()
    )


def build_event(
    *,
    event_time: datetime,
    event_source: str,
    event_name: str,
    aws_region: str,
    source_ip: str,
    user_agent: str,
    user_identity: Mapping[str, Any],
    request_id: str,
    recipient_account_id: str,
    operation: OperationModel | None = None,
    request: Mapping[str, Any] | None = None,
    response: Mapping[str, Any] | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
    read_only: bool | None = None,
    resources: Sequence[Mapping[str, str]] = (),
    decision: str | None = None,
    decision_reason: str | None = None,
    explanation_id: str | None = None,
    decision_details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    read_only = is_read_only(event_name, event_source) if read_only is None else read_only
    event: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": dict(user_identity),
        "eventTime": fmt_iso8601(event_time),
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": aws_region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
    }
    if error_code is not None:
        event["errorCode"] = error_code
        event["errorMessage"] = error_message or ""
    event["requestParameters"] = redact(operation.input_shape if operation else None, request)
    recorded_response = None if read_only or error_code is not None else response
    event["responseElements"] = redact(operation.output_shape if operation else None, recorded_response)
    if (
        event_source == "kms.amazonaws.com"
        and response
        and error_code is None
        and response.get("KeyMaterialId")
    ):
        event["additionalEventData"] = {"keyMaterialId": response["KeyMaterialId"]}
    event["requestID"] = request_id
    event["eventID"] = ids.event_id()
    event["readOnly"] = read_only
    if resources:
        event["resources"] = [_resource(entry) for entry in resources]
    event["eventType"] = "AwsApiCall"
    event["managementEvent"] = True
    event["recipientAccountId"] = recipient_account_id
    event["eventCategory"] = "Management"
    if decision is not None or explanation_id is not None:
        event["shieldwall"] = {
            "decision": decision,
            "reason": decision_reason,
            "explanationId": explanation_id,
        }
        if decision_details:
            event["shieldwall"].update(decision_details)
    return event


def _resource(entry: Mapping[str, str]) -> dict[str, str]:
    """CloudTrail's resource entry: ARN, accountId, type; nothing else is copied."""
    return {name: entry[name] for name in ("ARN", "accountId", "type") if entry.get(name)}
