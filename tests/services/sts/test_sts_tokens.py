"""GetSessionToken, GetFederationToken, GetAccessKeyInfo, DecodeAuthorizationMessage, and what the audit trail
shows of the sessions they create."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyotp
from sts_helpers import ALLOW_ALL, allow, trust

from shieldwall.clock import parse_iso8601
from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as error_of

UserServer = Callable[..., ServerInfo]


def enable_mfa(shieldwall: ServerInfo, iam: Any, user: str) -> tuple[str, pyotp.TOTP, float]:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-phone")["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    start = parse_iso8601(shieldwall.admin("clock")["now"]).timestamp()
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.at(start - 30),
        AuthenticationCode2=totp.at(start),
    )
    shieldwall.advance_clock(30)
    return device["SerialNumber"], totp, start + 30


def test_get_session_token_with_mfa_satisfies_an_mfa_condition(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    guarded = allow("iam:ListUsers", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    alice = user_server("alice", policy=guarded)
    serial, totp, at = enable_mfa(shieldwall, iam, "alice")
    assert error_of(alice.client("iam").list_users)[0] == "AccessDenied"

    plain = alice.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    assert plain["AccessKeyId"].startswith("ASIA")
    # without MFA, GetSessionToken credentials cannot call IAM at all
    assert error_of(shieldwall.with_credentials(plain).client("iam").list_users)[0] == "InvalidClientTokenId"

    with_mfa = alice.client("sts").get_session_token(SerialNumber=serial, TokenCode=totp.at(at))[
        "Credentials"
    ]
    session = shieldwall.with_credentials(with_mfa)
    assert session.client("iam").list_users()["Users"]
    identity = session.client("sts").get_caller_identity()
    assert identity["Arn"].endswith(":user/alice")
    code, status, _ = error_of(session.client("sts").get_session_token)
    assert (code, status) == ("AccessDenied", 403)


def test_get_session_token_refuses_durations_outside_the_range(
    shieldwall: ServerInfo, user_server: UserServer
) -> None:
    alice = user_server("alice")
    assert error_of(alice.client("sts").get_session_token, DurationSeconds=129_601)[0] == "ValidationError"
    assert error_of(shieldwall.client("sts").get_session_token, DurationSeconds=3601)[0] == "ValidationError"
    assert shieldwall.client("sts").get_session_token(DurationSeconds=3600)["Credentials"]


def test_a_federated_user_has_only_what_the_session_policy_and_the_user_both_allow(
    shieldwall: ServerInfo, user_server: UserServer
) -> None:
    broker = user_server("broker", policy=ALLOW_ALL)
    account = broker.client("sts").get_caller_identity()["Account"]
    answer = broker.client("sts").get_federation_token(Name="visitor", Policy=allow("iam:ListRoles"))
    assert answer["FederatedUser"] == {
        "FederatedUserId": f"{account}:visitor",
        "Arn": f"arn:aws:sts::{account}:federated-user/visitor",
    }
    visitor = shieldwall.with_credentials(answer["Credentials"])
    assert visitor.client("sts").get_caller_identity()["Arn"] == answer["FederatedUser"]["Arn"]
    assert visitor.client("iam").list_roles()["Roles"] is not None
    assert error_of(visitor.client("iam").list_users)[0] == "AccessDenied"

    bare = shieldwall.with_credentials(broker.client("sts").get_federation_token(Name="bare")["Credentials"])
    assert error_of(bare.client("iam").list_roles)[0] == "AccessDenied"


def test_get_federation_token_needs_permission_for_the_federated_user(
    shieldwall: ServerInfo, user_server: UserServer
) -> None:
    nobody = user_server("nobody")
    code, status, message = error_of(nobody.client("sts").get_federation_token, Name="visitor")
    assert (code, status) == ("AccessDenied", 403)
    assert "sts:GetFederationToken on resource: arn:aws:sts::" in message


def test_get_access_key_info_names_the_keys_account(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice", policy=allow("sts:GetAccessKeyInfo"))
    other = shieldwall.create_account("other")
    other_account = other.client("sts").get_caller_identity()["Account"]
    sts = alice.client("sts")
    assert sts.get_access_key_info(AccessKeyId=other.access_key_id)["Account"] == other_account
    assert (
        sts.get_access_key_info(AccessKeyId=alice.access_key_id)["Account"]
        == shieldwall.client("sts").get_caller_identity()["Account"]
    )
    assert error_of(user_server("bob").client("sts").get_access_key_info, AccessKeyId=alice.access_key_id)[
        0
    ] == ("AccessDenied")


def test_a_denials_encoded_message_decodes_for_callers_allowed_to_decode(
    shieldwall: ServerInfo, user_server: UserServer
) -> None:
    import botocore.exceptions

    alice = user_server("alice", policy=allow("sts:DecodeAuthorizationMessage"))
    try:
        alice.client("iam").list_users()
        raise AssertionError("ListUsers should have been denied")
    except botocore.exceptions.ClientError as denied:
        encoded = denied.response["ResponseMetadata"]["HTTPHeaders"]["x-shieldwall-authorization-message"]
    decoded = json.loads(
        alice.client("sts").decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"]
    )
    assert decoded["allowed"] is False and decoded["explicitDeny"] is False
    assert decoded["context"]["action"] == "iam:ListUsers"
    assert decoded["context"]["principal"]["arn"].endswith(":user/alice")
    assert "identity-based policy" in decoded["shieldwall"]["reason"]

    assert error_of(user_server("bob").client("sts").decode_authorization_message, EncodedMessage=encoded)[
        0
    ] == ("AccessDenied")
    forged = error_of(alice.client("sts").decode_authorization_message, EncodedMessage=encoded[:-4] + "AAAA")
    assert forged[:2] == ("InvalidAuthorizationMessageException", 400)


def test_the_audit_trail_shows_assumed_role_identities_as_cloudtrail_does(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    account = alice.client("sts").get_caller_identity()["Account"]
    role = iam.create_role(
        RoleName="Auditor",
        Path="/audit/",
        AssumeRolePolicyDocument=trust(
            {"AWS": f"arn:aws:iam::{account}:user/alice"}, action=["sts:AssumeRole", "sts:SetSourceIdentity"]
        ),
    )["Role"]
    answer = alice.client("sts").assume_role(
        RoleArn=role["Arn"], RoleSessionName="audit-1", SourceIdentity="alice"
    )
    session = shieldwall.with_credentials(answer["Credentials"])
    session.client("sts").get_caller_identity()

    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[
            {"AttributeKey": "AccessKeyId", "AttributeValue": answer["Credentials"]["AccessKeyId"]}
        ]
    )["Events"]
    assert events, "the session's call is in the trail"
    record = json.loads(events[0]["CloudTrailEvent"])
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["principalId"] == f"{role['RoleId']}:audit-1"
    assert identity["arn"] == f"arn:aws:sts::{account}:assumed-role/Auditor/audit-1"
    context = identity["sessionContext"]
    assert context["sessionIssuer"] == {
        "type": "Role",
        "principalId": role["RoleId"],
        "arn": role["Arn"],
        "accountId": account,
        "userName": "Auditor",
    }
    assert context["attributes"]["mfaAuthenticated"] == "false"
    assert context["attributes"]["creationDate"].endswith("Z")
    assert context["sourceIdentity"] == "alice"

    assume_events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRole"}]
    )["Events"]
    assumed = json.loads(assume_events[0]["CloudTrailEvent"])
    credentials = (
        assumed["responseElements"]["credentials"]
        if "credentials" in assumed["responseElements"]
        else (assumed["responseElements"]["Credentials"])
    )
    assert answer["Credentials"]["SecretAccessKey"] not in json.dumps(assumed)
    assert credentials
