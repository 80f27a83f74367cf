"""AssumeRole through boto3: trust policies judged by the engine, sessions that sign, chain, narrow and expire."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pyotp
from sts_helpers import ALLOW_ALL, allow, trust

from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as error_of

UserServer = Callable[..., ServerInfo]


def account_of(server: ServerInfo) -> str:
    return str(server.client("sts").get_caller_identity()["Account"])


def role_for_alice(shieldwall: ServerInfo, iam: Any, name: str = "R") -> str:
    """The ARN of a new role whose trust policy names IAM user alice of the server's account."""
    document = trust({"AWS": f"arn:aws:iam::{account_of(shieldwall)}:user/alice"})
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]["Arn"])


def test_a_trust_policy_naming_the_user_lets_it_assume_the_role_without_an_identity_policy(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    alice_arn = alice.client("sts").get_caller_identity()["Arn"]
    role = iam.create_role(
        RoleName="Reader", Path="/app/", AssumeRolePolicyDocument=trust({"AWS": alice_arn})
    )["Role"]

    answer = alice.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")

    account = account_of(shieldwall)
    assert answer["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:s1",
        "Arn": f"arn:aws:sts::{account}:assumed-role/Reader/s1",
    }
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40 and len(credentials["SessionToken"]) > 300
    identity = shieldwall.with_credentials(credentials).client("sts").get_caller_identity()
    assert identity["Arn"] == answer["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == answer["AssumedRoleUser"]["AssumedRoleId"]


def test_a_trust_policy_naming_the_account_also_needs_the_callers_identity_policy(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    account = account_of(shieldwall)
    role = iam.create_role(
        RoleName="R", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{account}:root"})
    )
    role_arn = role["Role"]["Arn"]
    bob = user_server("bob")
    carol = user_server("carol", policy=allow("sts:AssumeRole", role_arn))

    code, status, message = error_of(bob.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="xx")
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(
        f"User: arn:aws:iam::{account}:user/bob is not authorized to perform: sts:AssumeRole"
    )
    assert "identity-based policy" in message
    assert carol.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="xx")["Credentials"]


def test_a_role_that_does_not_exist_is_denied_like_one_the_caller_may_not_assume(
    shieldwall: ServerInfo, user_server: UserServer
) -> None:
    account = account_of(shieldwall)
    alice = user_server("alice", policy=ALLOW_ALL)
    code, status, message = error_of(
        alice.client("sts").assume_role, RoleArn=f"arn:aws:iam::{account}:role/Nope", RoleSessionName="xx"
    )
    assert (code, status) == ("AccessDenied", 403)
    assert "resource-based policy" in message


def test_root_may_not_assume_roles(shieldwall: ServerInfo, iam: Any) -> None:
    account = account_of(shieldwall)
    role_arn = iam.create_role(RoleName="R", AssumeRolePolicyDocument=trust({"AWS": account}))["Role"]["Arn"]
    assert error_of(shieldwall.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="xx") == (
        "AccessDenied",
        403,
        "Roles may not be assumed by root accounts.",
    )


def test_role_chaining_carries_transitive_tags_and_source_identity_and_caps_duration(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    account = account_of(shieldwall)
    alice = user_server("alice")
    alice_arn = f"arn:aws:iam::{account}:user/alice"
    role_a = iam.create_role(
        RoleName="A",
        AssumeRolePolicyDocument=trust(
            {"AWS": alice_arn}, action=["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
        ),
    )["Role"]["Arn"]
    role_b = iam.create_role(
        RoleName="B",
        AssumeRolePolicyDocument=trust(
            {"AWS": role_a},
            {"StringEquals": {"aws:PrincipalTag/team": "blue", "sts:SourceIdentity": "alice@corp"}},
            action=["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
        ),
        MaxSessionDuration=7200,
    )["Role"]["Arn"]
    # B may read users only while its session carries team=blue
    iam.put_role_policy(
        RoleName="B",
        PolicyName="tagged",
        PolicyDocument=allow("iam:ListUsers", condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}),
    )

    first = alice.client("sts").assume_role(
        RoleArn=role_a,
        RoleSessionName="aa",
        Tags=[{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": "1"}],
        TransitiveTagKeys=["team"],
        SourceIdentity="alice@corp",
    )
    assert first["SourceIdentity"] == "alice@corp" and first["PackedPolicySize"] >= 1
    as_a = shieldwall.with_credentials(first["Credentials"]).client("sts")

    code, _, message = error_of(as_a.assume_role, RoleArn=role_b, RoleSessionName="bb", DurationSeconds=3601)
    assert code == "ValidationError" and "1 hour session limit" in message
    second = as_a.assume_role(RoleArn=role_b, RoleSessionName="bb")
    assert second["SourceIdentity"] == "alice@corp"
    as_b = shieldwall.with_credentials(second["Credentials"])
    assert as_b.client("iam").list_users()["Users"]
    changed = error_of(as_a.assume_role, RoleArn=role_b, RoleSessionName="bb", SourceIdentity="mallory")
    assert changed[0] == "AccessDenied"


def test_a_session_policy_narrows_an_admin_role(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    role = role_for_alice(shieldwall, iam, "Admin")
    iam.attach_role_policy(RoleName="Admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")

    narrowed = alice.client("sts").assume_role(
        RoleArn=role, RoleSessionName="nn", Policy=allow("iam:ListRoles")
    )["Credentials"]
    session_iam = shieldwall.with_credentials(narrowed).client("iam")
    assert session_iam.list_roles()["Roles"]
    code, status, message = error_of(session_iam.list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert "session policy" in message

    full = alice.client("sts").assume_role(RoleArn=role, RoleSessionName="ff")["Credentials"]
    assert shieldwall.with_credentials(full).client("iam").list_users()["Users"]


def test_a_malformed_session_policy_is_refused(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    role = role_for_alice(shieldwall, iam, "R")
    code, status, _ = error_of(
        alice.client("sts").assume_role, RoleArn=role, RoleSessionName="nn", Policy="{nope"
    )
    assert (code, status) == ("MalformedPolicyDocument", 400)


def test_duration_is_bounded_by_the_roles_max_session_duration(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    role = role_for_alice(shieldwall, iam, "R")
    code, _, message = error_of(
        alice.client("sts").assume_role, RoleArn=role, RoleSessionName="nn", DurationSeconds=3601
    )
    assert code == "ValidationError" and "MaxSessionDuration" in message
    iam.update_role(RoleName="R", MaxSessionDuration=43200)
    answer = alice.client("sts").assume_role(RoleArn=role, RoleSessionName="nn", DurationSeconds=43200)
    assert answer["Credentials"]["Expiration"]


def test_a_session_expires_when_the_clock_passes_its_expiration(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    role = role_for_alice(shieldwall, iam, "R")
    credentials = alice.client("sts").assume_role(RoleArn=role, RoleSessionName="nn", DurationSeconds=900)
    session = shieldwall.with_credentials(credentials["Credentials"]).client("sts")
    assert session.get_caller_identity()
    shieldwall.advance_clock(901)
    code, status, message = error_of(session.get_caller_identity)
    assert (code, status, message) == (
        "ExpiredToken",
        403,
        "The security token included in the request is expired",
    )


def test_deleting_the_role_invalidates_its_sessions(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    account = account_of(shieldwall)
    alice = user_server("alice")
    document = trust({"AWS": f"arn:aws:iam::{account}:user/alice"})
    role = iam.create_role(RoleName="R", AssumeRolePolicyDocument=document)["Role"]["Arn"]
    credentials = alice.client("sts").assume_role(RoleArn=role, RoleSessionName="nn")["Credentials"]
    iam.delete_role(RoleName="R")
    iam.create_role(RoleName="R", AssumeRolePolicyDocument=document)  # same name, new role id
    code, status, _ = error_of(shieldwall.with_credentials(credentials).client("sts").get_caller_identity)
    assert (code, status) == ("InvalidClientTokenId", 403)


def test_revoking_older_sessions_denies_them_and_not_newer_ones(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    role = role_for_alice(shieldwall, iam, "R")
    iam.put_role_policy(RoleName="R", PolicyName="all", PolicyDocument=ALLOW_ALL)
    old = alice.client("sts").assume_role(RoleArn=role, RoleSessionName="old")["Credentials"]
    shieldwall.advance_clock(5)
    cutoff = shieldwall.admin("clock")["now"]
    iam.put_role_policy(
        RoleName="R",
        PolicyName="AWSRevokeOlderSessions",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}},
                    }
                ],
            }
        ),
    )
    shieldwall.advance_clock(1)
    new = alice.client("sts").assume_role(RoleArn=role, RoleSessionName="new")["Credentials"]
    code, _, message = error_of(shieldwall.with_credentials(old).client("iam").list_users)
    assert code == "AccessDenied" and "explicit deny" in message
    assert shieldwall.with_credentials(new).client("iam").list_users()["Users"] is not None


def test_an_mfa_gated_role_needs_a_valid_totp_code(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    account = account_of(shieldwall)
    alice = user_server("alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"].decode()
    totp = pyotp.TOTP(seed)
    now = shieldwall.admin("clock")["now"]
    from shieldwall.clock import parse_iso8601

    start = parse_iso8601(now).timestamp()
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1=totp.at(start - 30),
        AuthenticationCode2=totp.at(start),
    )
    role = iam.create_role(
        RoleName="Guarded",
        AssumeRolePolicyDocument=trust(
            {"AWS": f"arn:aws:iam::{account}:user/alice"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        ),
    )["Role"]["Arn"]
    sts = alice.client("sts")
    assert error_of(sts.assume_role, RoleArn=role, RoleSessionName="mm")[0] == "AccessDenied"
    shieldwall.advance_clock(30)
    wrong = error_of(
        sts.assume_role, RoleArn=role, RoleSessionName="mm", SerialNumber=serial, TokenCode="000000"
    )
    assert wrong[0] == "AccessDenied"
    code = totp.at(start + 30)
    answer = sts.assume_role(RoleArn=role, RoleSessionName="mm", SerialNumber=serial, TokenCode=code)
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")
    replayed = error_of(
        sts.assume_role, RoleArn=role, RoleSessionName="mm", SerialNumber=serial, TokenCode=code
    )
    assert replayed[0] == "AccessDenied"


def test_cross_account_assume_needs_the_external_id_and_both_sides(
    shieldwall: ServerInfo, user_server: UserServer
) -> None:
    home = account_of(shieldwall)
    other = shieldwall.create_account("vendor-customer")
    other_account = account_of(other)
    assert other_account != home
    role = other.client("iam").create_role(
        RoleName="VendorAccess",
        AssumeRolePolicyDocument=trust(
            {"AWS": f"arn:aws:iam::{home}:root"}, {"StringEquals": {"sts:ExternalId": "customer-42"}}
        ),
    )["Role"]["Arn"]
    vendor = user_server("vendor", policy=allow("sts:AssumeRole", "*")).client("sts")
    no_policy = user_server("intern").client("sts")

    assert error_of(vendor.assume_role, RoleArn=role, RoleSessionName="vv")[0] == "AccessDenied"
    assert (
        error_of(vendor.assume_role, RoleArn=role, RoleSessionName="vv", ExternalId="customer-43")[0]
        == "AccessDenied"
    )
    code, _, message = error_of(
        no_policy.assume_role, RoleArn=role, RoleSessionName="vv", ExternalId="customer-42"
    )
    assert code == "AccessDenied" and "identity-based policy" in message
    answer = vendor.assume_role(RoleArn=role, RoleSessionName="vv", ExternalId="customer-42")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{other_account}:assumed-role/VendorAccess/vv"
    identity = shieldwall.with_credentials(answer["Credentials"]).client("sts").get_caller_identity()
    assert identity["Account"] == other_account


def test_managed_session_policies_narrow_too_and_the_event_names_the_role(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    account = account_of(shieldwall)
    alice = user_server("alice")
    role = role_for_alice(shieldwall, iam, "Admin")
    iam.put_role_policy(RoleName="Admin", PolicyName="all", PolicyDocument=ALLOW_ALL)
    managed = iam.create_policy(PolicyName="only-roles", PolicyDocument=allow("iam:ListRoles"))["Policy"][
        "Arn"
    ]

    narrowed = alice.client("sts").assume_role(
        RoleArn=role, RoleSessionName="nn", PolicyArns=[{"arn": managed}]
    )
    session_iam = shieldwall.with_credentials(narrowed["Credentials"]).client("iam")
    assert session_iam.list_roles()["Roles"]
    assert error_of(session_iam.list_users)[0] == "AccessDenied"

    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AssumeRole"}]
    )["Events"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["resources"] == [{"ARN": role, "accountId": account, "type": "AWS::IAM::Role"}]


def test_a_policy_arn_that_is_not_an_iam_policy_is_refused(
    shieldwall: ServerInfo, iam: Any, user_server: UserServer
) -> None:
    alice = user_server("alice")
    role = role_for_alice(shieldwall, iam, "R")
    code, status, _ = error_of(
        alice.client("sts").assume_role,
        RoleArn=role,
        RoleSessionName="nn",
        PolicyArns=[{"arn": "not-an-arn-but-long-enough"}],
    )
    assert (code, status) == ("ValidationError", 400)
