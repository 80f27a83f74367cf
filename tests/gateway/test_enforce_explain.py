"""Every decision is explainable by request id: from memory, and for denials from the audit trail."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from shieldwall.testing import ServerInfo, ShieldwallServer

ACCOUNT = "000000000000"


def user_client(server: ServerInfo, service: str, name: str) -> Any:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client(
        service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )


def denied_request_id(call: Any, **kwargs: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    return str(raised.value.response["ResponseMetadata"]["RequestId"])


def admin_status(server: ServerInfo, path: str) -> int:
    try:
        with urllib.request.urlopen(f"{server.endpoint}/_shieldwall/{path}", timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_a_denied_request_is_explained_by_its_request_id(shieldwall: ServerInfo) -> None:
    alice = user_client(shieldwall, "iam", "alice")
    request_id = denied_request_id(alice.list_users)
    answer = shieldwall.admin(f"explain/{request_id}")
    assert answer["requestId"] == request_id
    assert answer["decision"] == "Deny" and answer["enforced"] is True
    assert answer["principal"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert answer["action"] == "iam:ListUsers"
    assert answer["reason"] == "because no identity-based policy allows the iam:ListUsers action"
    assert answer["message"].startswith(f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized")
    walk = answer["explanation"]
    assert walk.startswith("decision: Deny: because no identity-based policy allows the iam:ListUsers action")
    assert "permissions boundary: not applicable" in walk
    assert "identity-based policies: deny: no applicable Allow" in walk


def test_an_allowed_root_request_is_explained_too(shieldwall: ServerInfo) -> None:
    response = shieldwall.client("iam").list_users()
    answer = shieldwall.admin(f"explain/{response['ResponseMetadata']['RequestId']}")
    assert answer["decision"] == "Allow"
    assert answer["reason"] == "the root user of the account"
    assert "enforced" not in answer
    assert "identity-based policies: allow: the root user of the account" in answer["explanation"]


def test_an_operation_needing_no_permission_says_so(shieldwall: ServerInfo) -> None:
    sts = user_client(shieldwall, "sts", "carol")
    response = sts.get_caller_identity()
    answer = shieldwall.admin(f"explain/{response['ResponseMetadata']['RequestId']}")
    assert answer["decision"] == "Allow"
    assert answer["explanation"] == "decision: Allow: the operation requires no permission"


def test_unknown_and_malformed_request_ids_are_not_found(shieldwall: ServerInfo) -> None:
    assert admin_status(shieldwall, "explain/0b5e1c4e-0000-4000-8000-000000000000") == 404
    assert admin_status(shieldwall, "explain/not%20an%20id") == 400
    assert admin_status(shieldwall, "explain") == 400


def test_a_denial_carries_its_walk_into_the_audit_trail(shieldwall: ServerInfo) -> None:
    alice = user_client(shieldwall, "iam", "alice")
    request_id = denied_request_id(alice.list_users)
    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}]
    )["Events"]
    event = json.loads(next(e for e in events if request_id in e["CloudTrailEvent"])["CloudTrailEvent"])
    extension = event["shieldwall"]
    assert extension["decision"] == "Deny" and extension["enforced"] is True
    assert extension["explanationId"] == request_id
    assert extension["principal"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (extension["action"], extension["resource"]) == ("iam:ListUsers", "*")
    assert "identity-based policies: deny" in extension["explanation"]
    assert event["errorCode"] == "AccessDenied"


def test_a_denial_is_still_explained_after_a_restart(tmp_path: Path) -> None:
    server = ShieldwallServer(tmp_path / "data")
    try:
        request_id = denied_request_id(user_client(server.start(), "iam", "alice").list_users)
        server.stop()
        info = server.start()
        answer = info.admin(f"explain/{request_id}")
    finally:
        server.cleanup()
    assert answer["decision"] == "Deny" and answer["enforced"] is True
    assert answer["action"] == "iam:ListUsers"
    assert answer["message"].endswith("because no identity-based policy allows the iam:ListUsers action")
    assert "identity-based policies: deny: no applicable Allow" in answer["explanation"]
