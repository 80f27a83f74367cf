"""Grants: made, listed, retired and revoked through boto3, and enforced by the authorizer as statements of the key
policy: a grant alone lets its grantee do exactly its operations, within its encryption context constraint."""

from __future__ import annotations

from typing import Any

import pytest
from kms_helpers import account_of, allow, error_of, make_user, user_arn

from shieldwall.testing import ServerInfo

ALPHA = {"project": "alpha"}


def grant(kms: Any, key_id: str, grantee: str, operations: list[str], **extra: Any) -> dict[str, Any]:
    return dict(kms.create_grant(KeyId=key_id, GranteePrincipal=grantee, Operations=operations, **extra))


def explained(server: ServerInfo, response: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = server.admin(f"explain/{response['ResponseMetadata']['RequestId']}")
    return answer


def test_a_grant_alone_allows_its_operations_within_its_encryption_context_constraint(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key = kms.create_key()["KeyMetadata"]
    gary = make_user(shieldwall, "gary").client("kms")
    made = grant(
        kms,
        key["KeyId"],
        user_arn(shieldwall, "gary"),
        ["Encrypt", "Decrypt"],
        Constraints={"EncryptionContextSubset": ALPHA},
    )

    encrypted = gary.encrypt(KeyId=key["Arn"], Plaintext=b"secret", EncryptionContext={**ALPHA, "extra": "x"})
    decrypted = gary.decrypt(
        CiphertextBlob=encrypted["CiphertextBlob"], EncryptionContext={**ALPHA, "extra": "x"}
    )

    assert decrypted["Plaintext"] == b"secret"
    answer = explained(shieldwall, decrypted)
    assert answer["decision"] == "Allow"
    assert f"key policy of {key['Arn']} Grant{made['GrantId']}" in answer["deciding"]
    assert f"Grant{made['GrantId']}" in answer["explanation"]
    for context in ({"project": "beta"}, {}):
        code, _, message = error_of(gary.encrypt, KeyId=key["Arn"], Plaintext=b"x", EncryptionContext=context)
        assert code == "AccessDeniedException"
        assert message.endswith("because no identity-based policy allows the kms:Encrypt action")
    assert error_of(gary.generate_data_key, KeyId=key["Arn"], KeySpec="AES_256", EncryptionContext=ALPHA)[
        0
    ] == ("AccessDeniedException")
    assert error_of(gary.describe_key, KeyId=key["Arn"])[0] == "AccessDeniedException"


def test_an_equals_constraint_needs_exactly_its_context_with_keys_of_any_case(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    grant(
        kms, key_id, user_arn(shieldwall, "hana"), ["Encrypt"], Constraints={"EncryptionContextEquals": ALPHA}
    )
    hana = make_user(shieldwall, "hana").client("kms")

    assert hana.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext=ALPHA)["KeyId"].endswith(key_id)
    assert hana.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"PROJECT": "alpha"})["KeyId"]
    for context in ({**ALPHA, "extra": "x"}, {"project": "ALPHA"}, {}):
        assert error_of(hana.encrypt, KeyId=key_id, Plaintext=b"x", EncryptionContext=context)[0] == (
            "AccessDeniedException"
        )


def test_describe_key_in_a_constrained_grant_is_not_constrained(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    grant(
        kms,
        key_id,
        user_arn(shieldwall, "ivan"),
        ["Decrypt", "DescribeKey"],
        Constraints={"EncryptionContextSubset": ALPHA},
    )

    assert (
        make_user(shieldwall, "ivan").client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyId"]
        == key_id
    )


def test_an_explicit_deny_in_the_key_policy_overrides_a_grant(shieldwall: ServerInfo, kms: Any) -> None:
    account = account_of(shieldwall)
    policy = (
        '{"Version": "2012-10-17", "Statement": ['
        f'{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{account}:root"}}, "Action": "kms:*", '
        '"Resource": "*"},'
        f'{{"Effect": "Deny", "Principal": {{"AWS": "{user_arn(shieldwall, "jo")}"}}, "Action": "kms:Encrypt", '
        '"Resource": "*"}]}'
    )
    key = kms.create_key(Policy=policy)["KeyMetadata"]
    grant(kms, key["KeyId"], user_arn(shieldwall, "jo"), ["Encrypt", "DescribeKey"])
    jo = make_user(shieldwall, "jo").client("kms")

    assert jo.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Arn"] == key["Arn"]
    assert error_of(jo.encrypt, KeyId=key["KeyId"], Plaintext=b"x")[2].endswith(
        "with an explicit deny in a resource-based policy"
    )


def test_create_grant_returns_a_token_and_an_id_and_list_grants_shows_the_grant(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    account = account_of(shieldwall)
    made = grant(
        kms,
        key_id,
        user_arn(shieldwall, "kim"),
        ["Encrypt", "DescribeKey"],
        RetiringPrincipal=f"arn:aws:iam::{account}:root",
        Constraints={"EncryptionContextSubset": ALPHA},
        Name="app-grant",
    )

    listed = kms.list_grants(KeyId=key_id)

    assert len(made["GrantId"]) == 64 and made["GrantToken"]
    assert listed["Truncated"] is False
    (entry,) = listed["Grants"]
    key_arn = f"arn:aws:kms:us-east-1:{account}:key/{key_id}"
    assert {name: entry[name] for name in entry if name != "CreationDate"} == {
        "KeyId": key_arn,
        "GrantId": made["GrantId"],
        "Name": "app-grant",
        "GranteePrincipal": user_arn(shieldwall, "kim"),
        "RetiringPrincipal": f"arn:aws:iam::{account}:root",
        "IssuingAccount": f"arn:aws:iam::{account}:root",
        "Operations": ["Encrypt", "DescribeKey"],
        "Constraints": {"EncryptionContextSubset": ALPHA},
    }


def test_a_named_grant_is_made_once_for_the_same_parameters(kms: Any, key_id: str) -> None:
    first = grant(kms, key_id, "arn:aws:iam::111122223333:role/app", ["Decrypt"], Name="once")
    again = grant(kms, key_id, "arn:aws:iam::111122223333:role/app", ["Decrypt"], Name="once")
    other = grant(kms, key_id, "arn:aws:iam::111122223333:role/app", ["Encrypt"], Name="once")

    assert again["GrantId"] == first["GrantId"] and again["GrantToken"] != first["GrantToken"]
    assert other["GrantId"] != first["GrantId"]
    assert len(kms.list_grants(KeyId=key_id)["Grants"]) == 2


def test_list_grants_filters_by_grant_id_and_grantee_and_pages(kms: Any, key_id: str) -> None:
    ids = [
        grant(kms, key_id, f"arn:aws:iam::111122223333:role/r{n}", ["Decrypt"])["GrantId"] for n in range(3)
    ]

    first = kms.list_grants(KeyId=key_id, Limit=2)
    second = kms.list_grants(KeyId=key_id, Limit=2, Marker=first["NextMarker"])

    assert [g["GrantId"] for g in first["Grants"] + second["Grants"]] == ids
    assert first["Truncated"] is True and second["Truncated"] is False
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key_id, GrantId=ids[1])["Grants"]] == [ids[1]]
    by_grantee = kms.list_grants(KeyId=key_id, GranteePrincipal="arn:aws:iam::111122223333:role/r2")
    assert [g["GrantId"] for g in by_grantee["Grants"]] == [ids[2]]
    assert error_of(kms.list_grants, KeyId=key_id, GrantId="not-a-grant-id")[0] == "InvalidGrantIdException"


def test_revoke_grant_removes_the_grants_permissions(shieldwall: ServerInfo, kms: Any, key_id: str) -> None:
    made = grant(kms, key_id, user_arn(shieldwall, "lee"), ["Encrypt"])
    lee = make_user(shieldwall, "lee").client("kms")
    lee.encrypt(KeyId=key_id, Plaintext=b"x")

    kms.revoke_grant(KeyId=key_id, GrantId=made["GrantId"])

    assert kms.list_grants(KeyId=key_id)["Grants"] == []
    assert error_of(lee.encrypt, KeyId=key_id, Plaintext=b"x")[0] == "AccessDeniedException"
    assert error_of(kms.revoke_grant, KeyId=key_id, GrantId=made["GrantId"]) == (
        "NotFoundException",
        400,
        f"Grant ID {made['GrantId']} not found",
    )


def test_the_retiring_principal_retires_a_grant_by_its_token_without_any_policy(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    made = grant(
        kms, key_id, user_arn(shieldwall, "mia"), ["Decrypt"], RetiringPrincipal=user_arn(shieldwall, "ned")
    )
    ned = make_user(shieldwall, "ned").client("kms")
    mia = make_user(shieldwall, "mia").client("kms")

    assert error_of(ned.list_retirable_grants, RetiringPrincipal=user_arn(shieldwall, "ned"))[0] == (
        "AccessDeniedException"
    )
    assert error_of(mia.retire_grant, GrantToken=made["GrantToken"])[0] == "AccessDeniedException"
    ned.retire_grant(GrantToken=made["GrantToken"])

    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_the_grantee_retires_a_grant_that_includes_retire_grant(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    made = grant(kms, key_id, user_arn(shieldwall, "olga"), ["Decrypt", "RetireGrant"])
    other = grant(kms, key_id, user_arn(shieldwall, "pat"), ["Decrypt"])
    olga = make_user(shieldwall, "olga").client("kms")

    assert error_of(olga.retire_grant, KeyId=key_id, GrantId=other["GrantId"])[0] == "AccessDeniedException"
    olga.retire_grant(KeyId=key_id, GrantId=made["GrantId"])

    assert [g["GrantId"] for g in kms.list_grants(KeyId=key_id)["Grants"]] == [other["GrantId"]]


def test_the_account_that_made_a_grant_can_retire_it(kms: Any, key_id: str) -> None:
    made = grant(kms, key_id, "arn:aws:iam::111122223333:role/app", ["Decrypt"])

    kms.retire_grant(KeyId=key_id, GrantId=made["GrantId"])

    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_list_retirable_grants_lists_grants_of_every_key_for_the_retiring_principal(
    shieldwall: ServerInfo, kms: Any
) -> None:
    retiree = user_arn(shieldwall, "quinn")
    keys = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(2)]
    made = [
        grant(kms, key, "arn:aws:iam::111122223333:role/app", ["Decrypt"], RetiringPrincipal=retiree)
        for key in keys
    ]
    grant(kms, keys[0], "arn:aws:iam::111122223333:role/app", ["Encrypt"])
    quinn = make_user(shieldwall, "quinn", allow("kms:ListRetirableGrants")).client("kms")

    listed = quinn.list_retirable_grants(RetiringPrincipal=retiree)

    assert sorted(g["GrantId"] for g in listed["Grants"]) == sorted(g["GrantId"] for g in made)
    assert {g["RetiringPrincipal"] for g in listed["Grants"]} == {retiree}
    quinn.retire_grant(GrantToken=made[0]["GrantToken"])
    assert [g["GrantId"] for g in quinn.list_retirable_grants(RetiringPrincipal=retiree)["Grants"]] == [
        made[1]["GrantId"]
    ]


def test_a_grant_with_create_grant_lets_the_grantee_make_only_narrower_grants(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    grant(
        kms,
        key_id,
        user_arn(shieldwall, "rex"),
        ["Encrypt", "Decrypt", "CreateGrant"],
        Constraints={"EncryptionContextSubset": ALPHA},
    )
    rex = make_user(shieldwall, "rex").client("kms")
    sub = "arn:aws:iam::111122223333:role/sub"

    narrower = {"Constraints": {"EncryptionContextSubset": {**ALPHA, "team": "a"}}}
    assert rex.create_grant(KeyId=key_id, GranteePrincipal=sub, Operations=["Decrypt"], **narrower)["GrantId"]
    for operations, constraints in (
        (["Decrypt", "GenerateDataKey"], {"EncryptionContextSubset": ALPHA}),
        (["Decrypt"], {"EncryptionContextSubset": {"project": "beta"}}),
        (["Decrypt"], None),
    ):
        extra = {"Constraints": constraints} if constraints else {}
        code = error_of(rex.create_grant, KeyId=key_id, GranteePrincipal=sub, Operations=operations, **extra)[
            0
        ]
        assert code == "AccessDeniedException"


def test_create_grant_condition_keys_limit_what_a_user_may_grant(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    condition = {
        "ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt", "Encrypt"]},
        "Bool": {"kms:GrantIsForAWSResource": "false"},
        "StringEquals": {"kms:GrantConstraintType": "EncryptionContextSubset"},
        "StringLike": {"kms:GranteePrincipal": "arn:aws:iam::111122223333:role/*"},
        "Null": {"kms:RetiringPrincipal": "false"},
    }
    sam = make_user(shieldwall, "sam", allow("kms:CreateGrant", "*", condition)).client("kms")
    role = "arn:aws:iam::111122223333:role/app"

    valid = {
        "KeyId": key_id,
        "GranteePrincipal": role,
        "RetiringPrincipal": role,
        "Operations": ["Decrypt"],
        "Constraints": {"EncryptionContextSubset": ALPHA},
    }

    assert sam.create_grant(**valid)["GrantId"]
    for change in (
        {"Constraints": {}},
        {"Operations": ["ReEncryptFrom"]},
        {"GranteePrincipal": "arn:aws:iam::999999999999:role/app"},
        {"RetiringPrincipal": None},
    ):
        request = {name: value for name, value in {**valid, **change}.items() if value is not None}
        assert error_of(sam.create_grant, **request)[0] == "AccessDeniedException", change


@pytest.mark.parametrize(
    ("operations", "extra", "code", "message"),
    [
        (
            ["CreateGrant"],
            {},
            "ValidationException",
            "Grants must not contain only the CreateGrant operation.",
        ),
        (["Sign"], {}, "ValidationException", None),
        (
            ["Decrypt"],
            {"Constraints": {"EncryptionContextSubset": ALPHA, "EncryptionContextEquals": ALPHA}},
            "ValidationException",
            None,
        ),
        (["Decrypt"], {"GrantTokens": ["not-a-token"]}, "InvalidGrantTokenException", "Invalid grant token."),
        (["Decrypt"], {"DryRun": True}, "DryRunOperationException", None),
    ],
)
def test_create_grant_refuses_what_aws_refuses(
    kms: Any, key_id: str, operations: list[str], extra: dict[str, Any], code: str, message: str | None
) -> None:
    found = error_of(
        kms.create_grant,
        KeyId=key_id,
        GranteePrincipal="arn:aws:iam::111122223333:role/app",
        Operations=operations,
        **extra,
    )

    assert found[:2] == (code, 400)
    if message is not None:
        assert found[2] == message
    assert kms.list_grants(KeyId=key_id)["Grants"] == []


def test_grant_principals_and_key_states_are_checked(kms: Any, key_id: str) -> None:
    assert error_of(kms.create_grant, KeyId=key_id, GranteePrincipal="bob", Operations=["Decrypt"])[0] == (
        "InvalidArnException"
    )
    assert error_of(kms.create_grant, KeyId=key_id, Operations=["Decrypt"])[0] == "ValidationException"
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    assert (
        error_of(
            kms.create_grant,
            KeyId=hmac,
            GranteePrincipal="111122223333",
            Operations=["GenerateMac"],
            Constraints={"EncryptionContextSubset": ALPHA},
        )[0]
        == "ValidationException"
    )
    kms.disable_key(KeyId=key_id)
    assert error_of(kms.create_grant, KeyId=key_id, GranteePrincipal="111122223333", Operations=["Decrypt"])[
        0
    ] == ("DisabledException")


def test_grant_tokens_are_accepted_when_valid_and_refused_when_not(
    shieldwall: ServerInfo, kms: Any, key_id: str
) -> None:
    made = grant(kms, key_id, user_arn(shieldwall, "tess"), ["Encrypt"])
    tess = make_user(shieldwall, "tess").client("kms")

    assert tess.encrypt(KeyId=key_id, Plaintext=b"x", GrantTokens=[made["GrantToken"]])["KeyId"].endswith(
        key_id
    )
    assert error_of(tess.encrypt, KeyId=key_id, Plaintext=b"x", GrantTokens=["AQpAM2Rh"]) == (
        "InvalidGrantTokenException",
        400,
        "Invalid grant token.",
    )
    assert error_of(kms.retire_grant, GrantToken="AQpAM2Rh")[0] == "InvalidGrantTokenException"


def test_a_grant_to_a_role_is_used_by_its_sessions(shieldwall: ServerInfo, kms: Any, key_id: str) -> None:
    account = account_of(shieldwall)
    trust = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        f'"Principal": {{"AWS": "arn:aws:iam::{account}:root"}}, "Action": "sts:AssumeRole"}}]}}'
    )
    role = shieldwall.client("iam").create_role(RoleName="worker", AssumeRolePolicyDocument=trust)["Role"]
    grant(kms, key_id, role["Arn"], ["GenerateDataKey"])
    assumer = make_user(shieldwall, "assumer", allow("sts:AssumeRole")).client("sts")
    session = assumer.assume_role(RoleArn=role["Arn"], RoleSessionName="session")["Credentials"]

    worker = shieldwall.with_credentials(session).client("kms")

    assert len(worker.generate_data_key(KeyId=key_id, KeySpec="AES_256")["Plaintext"]) == 32


def test_grants_go_away_with_their_key(shieldwall: ServerInfo, kms: Any, key_id: str) -> None:
    retiree = user_arn(shieldwall, "uma")
    grant(kms, key_id, "arn:aws:iam::111122223333:role/app", ["Decrypt"], RetiringPrincipal=retiree)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)

    shieldwall.advance_clock(8 * 86_400)

    assert error_of(kms.list_grants, KeyId=key_id)[0] == "NotFoundException"
    assert kms.list_retirable_grants(RetiringPrincipal=retiree)["Grants"] == []


def test_retiring_and_listing_refuse_what_aws_refuses(shieldwall: ServerInfo, kms: Any, key_id: str) -> None:
    role = "arn:aws:iam::111122223333:role/app"

    assert error_of(kms.retire_grant)[0] == "ValidationException"
    assert error_of(kms.retire_grant, KeyId=key_id, GrantId="0" * 64)[0] == "NotFoundException"
    assert error_of(kms.retire_grant, KeyId=key_id, GrantId="short")[0] == "InvalidGrantIdException"
    assert error_of(kms.list_retirable_grants, RetiringPrincipal="arn:aws:iam::111122223333:root")[0] == (
        "AccessDeniedException"
    )
    assert (
        error_of(
            kms.create_grant,
            KeyId=key_id,
            GranteeServicePrincipal="logs.us-east-1.amazonaws.com",
            RetiringPrincipal=role,
            Operations=["Decrypt"],
        )[0]
        == "ValidationException"
    )
    kms.schedule_key_deletion(KeyId=key_id)
    assert error_of(kms.create_grant, KeyId=key_id, GranteePrincipal=role, Operations=["Decrypt"])[0] == (
        "KMSInvalidStateException"
    )
