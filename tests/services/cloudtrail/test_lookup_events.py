from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import botocore.exceptions
import pytest

from shieldwall.testing import ServerInfo

AWS_CLI = Path(sys.executable).parent / "aws"


def _events(server: ServerInfo, **kwargs: object) -> list[dict]:  # type: ignore[type-arg]
    return server.client("cloudtrail").lookup_events(**kwargs)["Events"]


def test_every_request_becomes_a_cloudtrail_event(shieldwall: ServerInfo) -> None:
    shieldwall.client("sts").get_caller_identity()
    events = _events(
        shieldwall, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]
    )
    assert len(events) == 1
    event = events[0]
    assert event["EventSource"] == "sts.amazonaws.com"
    assert event["Username"] == "root"
    assert event["AccessKeyId"] == "test"
    assert event["ReadOnly"] == "true"
    body = json.loads(event["CloudTrailEvent"])
    assert body["eventName"] == "GetCallerIdentity"
    assert body["userIdentity"]["type"] == "Root"
    assert body["userIdentity"]["arn"] == "arn:aws:iam::000000000000:root"
    assert body["awsRegion"] == "us-east-1"
    assert body["recipientAccountId"] == "000000000000"
    assert body["eventVersion"] and body["eventID"] == event["EventId"] and body["requestID"]


def test_denied_and_failed_requests_are_recorded_with_their_error(shieldwall: ServerInfo) -> None:
    bad = shieldwall.client("sts", aws_secret_access_key="wrong")
    with pytest.raises(botocore.exceptions.ClientError):
        bad.get_caller_identity()
    with pytest.raises(botocore.exceptions.ClientError):
        shieldwall.client("sts").assume_root(
            TargetPrincipal="123456789012",
            TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"},
        )
    events = _events(shieldwall)
    codes = {json.loads(e["CloudTrailEvent"]).get("errorCode") for e in events}
    assert "SignatureDoesNotMatch" in codes
    assert "NotImplemented" in codes


def test_lookup_paginates_newest_first(shieldwall: ServerInfo) -> None:
    sts = shieldwall.client("sts")
    for _ in range(7):
        sts.get_caller_identity()
    paginator = shieldwall.client("cloudtrail").get_paginator("lookup_events")
    pages = list(
        paginator.paginate(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}],
            PaginationConfig={"PageSize": 3},
        )
    )
    events = [e for page in pages for e in page["Events"]]
    assert len(pages) == 3
    assert len(events) == 7
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True)
    assert len({e["EventId"] for e in events}) == 7


def test_lookup_honours_the_time_range(shieldwall: ServerInfo) -> None:
    shieldwall.client("sts").get_caller_identity()
    future = datetime.now(UTC) + timedelta(hours=1)
    assert _events(shieldwall, StartTime=future, EndTime=future + timedelta(hours=1)) == []
    past = datetime.now(UTC) - timedelta(hours=1)
    assert _events(shieldwall, StartTime=past, EndTime=future)


def test_lookup_events_through_the_aws_cli(shieldwall: ServerInfo) -> None:
    shieldwall.client("sts").get_caller_identity()
    environment = {**os.environ, **shieldwall.env()}
    result = subprocess.run(
        [
            str(AWS_CLI),
            "cloudtrail",
            "lookup-events",
            "--lookup-attributes",
            "AttributeKey=EventName,AttributeValue=GetCallerIdentity",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)["Events"]
    assert [e["EventName"] for e in events] == ["GetCallerIdentity"]


def test_more_than_one_lookup_attribute_is_rejected(shieldwall: ServerInfo) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _events(
            shieldwall,
            LookupAttributes=[
                {"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"},
                {"AttributeKey": "Username", "AttributeValue": "root"},
            ],
        )
    assert raised.value.response["Error"]["Code"] == "InvalidLookupAttributesException"
