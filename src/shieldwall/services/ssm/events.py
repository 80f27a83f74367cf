"""Parameter Store's own events in the audit trail, as EventBridge delivers them.

AWS sends Parameter Store's policy actions and its asynchronous validation failures to EventBridge
(`source` aws.ssm, detail-type `Parameter Store Policy Action` / `Parameter Store Change`). shieldwall has no
EventBridge yet, so each such event is kept in the audit trail: a CloudTrail record of type `AwsServiceEvent`
(eventSource ssm.amazonaws.com, eventName the detail-type, the parameter as resource) whose
`serviceEventDetails` is the EventBridge event itself. CloudTrail LookupEvents finds them by EventName or
ResourceName; the EventBridge event is in `CloudTrailEvent`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shieldwall import ids
from shieldwall.audit.events import build_event
from shieldwall.audit.log import AuditLog
from shieldwall.clock import fmt_iso8601

POLICY_ACTION = "Parameter Store Policy Action"
CHANGE = "Parameter Store Change"
SOURCE = "ssm.amazonaws.com"


def eventbridge_event(
    detail_type: str, account: str, region: str, when: datetime, resource: str, detail: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": ids.uuid4(),
        "detail-type": detail_type,
        "source": "aws.ssm",
        "account": account,
        "time": fmt_iso8601(when),
        "region": region,
        "resources": [resource],
        "detail": dict(detail),
    }


def record_service_event(audit: AuditLog, request_id: str, event: Mapping[str, Any], when: datetime) -> None:
    """Keep an EventBridge event of Parameter Store in the audit trail (see the module's docstring)."""
    account, resource = event["account"], event["resources"][0]
    record = build_event(
        event_time=when,
        event_source=SOURCE,
        event_name=event["detail-type"],
        aws_region=event["region"],
        source_ip=SOURCE,
        user_agent=SOURCE,
        user_identity={"type": "AWSService", "invokedBy": SOURCE},
        request_id=request_id,
        recipient_account_id=account,
        read_only=False,
        resources=[{"ARN": resource, "accountId": account, "type": "AWS::SSM::Parameter"}],
    )
    record["eventType"] = "AwsServiceEvent"
    record["serviceEventDetails"] = dict(event)
    audit.record(record)


def policy_action(
    audit: AuditLog,
    request_id: str,
    when: datetime,
    where: tuple[str, str],
    parameter: tuple[str, str, str],
    policy_type: str,
    reason: str,
) -> None:
    """`where` is (account, region); `parameter` is (name, ARN, type)."""
    name, resource, kind = parameter
    detail = {
        "parameter-name": name,
        "parameter-type": kind,
        "policy-type": policy_type,
        "action-status": "Finished",
        "action-reason": reason,
    }
    event = eventbridge_event(POLICY_ACTION, where[0], where[1], when, resource, detail)
    record_service_event(audit, request_id, event, when)
