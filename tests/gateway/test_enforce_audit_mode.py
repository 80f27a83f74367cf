"""--auth=audit: every request is evaluated, a would-be denial proceeds and is recorded with its explanation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shieldwall.testing import ServerInfo, ShieldwallServer

ALICE = "arn:aws:iam::000000000000:user/alice"


@pytest.fixture(scope="module")
def audit_server() -> Iterator[tuple[ServerInfo, ShieldwallServer]]:
    server = ShieldwallServer(auth="audit")
    try:
        yield server.start(), server
    finally:
        server.cleanup()


@pytest.fixture
def audited(audit_server: tuple[ServerInfo, ShieldwallServer]) -> ServerInfo:
    audit_server[0].reset()
    return audit_server[0]


def user_client(server: ServerInfo, service: str, name: str) -> Any:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client(
        service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )


def test_a_would_be_denial_goes_through_and_is_recorded_as_not_enforced(audited: ServerInfo) -> None:
    alice = user_client(audited, "iam", "alice")
    response = alice.list_users()
    assert [user["UserName"] for user in response["Users"]] == ["alice"]
    request_id = response["ResponseMetadata"]["RequestId"]
    events = audited.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "alice"}]
    )["Events"]
    event = json.loads(next(e for e in events if request_id in e["CloudTrailEvent"])["CloudTrailEvent"])
    assert "errorCode" not in event
    extension = event["shieldwall"]
    assert extension["decision"] == "Deny" and extension["enforced"] is False
    assert extension["reason"] == "because no identity-based policy allows the iam:ListUsers action"
    assert "identity-based policies: deny" in extension["explanation"]
    answer = audited.admin(f"explain/{request_id}")
    assert answer["decision"] == "Deny" and answer["enforced"] is False


def test_audit_mode_logs_principal_action_resource_and_reason(
    audit_server: tuple[ServerInfo, ShieldwallServer], audited: ServerInfo
) -> None:
    request_id = user_client(audited, "iam", "alice").list_users()["ResponseMetadata"]["RequestId"]
    log = audit_server[1].log_path.read_text()
    line = next(line for line in log.splitlines() if request_id in line)
    assert "would deny" in line and ALICE in line and "iam:ListUsers on *" in line
    assert "because no identity-based policy allows the iam:ListUsers action" in line


def test_denials_are_listed_by_principal_and_action_with_the_statement_that_allows_them(
    audited: ServerInfo,
) -> None:
    alice = user_client(audited, "iam", "alice")
    alice.list_users()
    alice.list_users()
    alice.get_user(UserName="alice")
    user_client(audited, "iam", "bob").list_roles()
    listing = audited.admin("explain?denied=1&since=1h")
    groups = {(entry["principal"], entry["action"]): entry for entry in listing["denials"]}
    assert set(groups) == {
        (ALICE, "iam:ListUsers"),
        (ALICE, "iam:GetUser"),
        ("arn:aws:iam::000000000000:user/bob", "iam:ListRoles"),
    }
    list_users = groups[(ALICE, "iam:ListUsers")]
    assert (list_users["count"], list_users["enforced"], list_users["notEnforced"]) == (2, 0, 2)
    assert list_users["statement"] == {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}
    assert groups[(ALICE, "iam:GetUser")]["statement"] == {
        "Effect": "Allow",
        "Action": "iam:GetUser",
        "Resource": ALICE,
    }


def test_denials_before_since_are_left_out(audited: ServerInfo) -> None:
    user_client(audited, "iam", "alice").list_users()
    audited.advance_clock(7200)
    assert audited.admin("explain?denied=1&since=1h")["denials"] == []
    assert len(audited.admin("explain?denied=1&since=2000-01-01T00:00:00Z")["denials"]) == 1
