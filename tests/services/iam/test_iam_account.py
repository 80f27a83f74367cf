from __future__ import annotations

from typing import Any


def test_login_profile_lifecycle(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    created = iam.create_login_profile(
        UserName="alice", Password="Corr3ct-Horse!", PasswordResetRequired=True
    )
    assert created["LoginProfile"]["UserName"] == "alice"
    assert created["LoginProfile"]["PasswordResetRequired"] is True
    assert aws_error(iam.create_login_profile, UserName="alice", Password="Corr3ct-Horse!") == (
        "EntityAlreadyExists",
        409,
        "Login Profile for user alice already exists.",
    )
    iam.update_login_profile(UserName="alice", Password="An0ther-Pass!", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["PasswordResetRequired"] is False
    iam.delete_login_profile(UserName="alice")
    assert aws_error(iam.get_login_profile, UserName="alice") == (
        "NoSuchEntity",
        404,
        "Login Profile for User alice cannot be found.",
    )
    assert (
        aws_error(iam.create_login_profile, UserName="ghost", Password="Corr3ct-Horse!")[0] == "NoSuchEntity"
    )


def test_password_policy_is_stored_returned_and_enforced(iam: Any, aws_error: Any) -> None:
    assert aws_error(iam.get_account_password_policy) == (
        "NoSuchEntity",
        404,
        "The Password Policy with domain name 000000000000 cannot be found.",
    )
    iam.update_account_password_policy(
        MinimumPasswordLength=12, RequireSymbols=True, RequireUppercaseCharacters=True, MaxPasswordAge=90
    )
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireSymbols"] is True
    assert policy["RequireNumbers"] is False and policy["ExpirePasswords"] is True
    assert policy["MaxPasswordAge"] == 90
    iam.create_user(UserName="alice")
    assert aws_error(iam.create_login_profile, UserName="alice", Password="Sh0rt!") == (
        "PasswordPolicyViolation",
        400,
        "Password should have a minimum length of 12",
    )
    assert aws_error(iam.create_login_profile, UserName="alice", Password="longenough-but-lower")[2] == (
        "Password should have at least one uppercase letter"
    )
    assert aws_error(iam.create_login_profile, UserName="alice", Password="LongEnoughNoSymbol")[2] == (
        "Password should have at least one symbol"
    )
    iam.create_login_profile(UserName="alice", Password="LongEnough-Symbol")
    iam.delete_account_password_policy()
    assert aws_error(iam.delete_account_password_policy)[0] == "NoSuchEntity"


def test_without_a_policy_the_default_one_applies(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    assert aws_error(iam.create_login_profile, UserName="alice", Password="short")[:2] == (
        "PasswordPolicyViolation",
        400,
    )
    assert aws_error(iam.create_login_profile, UserName="alice", Password="alllowercase")[0] == (
        "PasswordPolicyViolation"
    )
    iam.create_login_profile(UserName="alice", Password="Mixed-case1")


def test_the_password_is_not_stored_in_clear(iam: Any, shieldwall: Any) -> None:
    import sqlite3

    iam.create_user(UserName="alice")
    password = "Unmistakable-Passw0rd-123"
    iam.create_login_profile(UserName="alice", Password=password)
    with sqlite3.connect(shieldwall.data_dir / "shieldwall.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(path.read_bytes() for path in shieldwall.data_dir.iterdir() if path.is_file())
    assert password.encode() not in stored


def test_account_alias_is_created_listed_and_deleted(iam: Any, aws_error: Any) -> None:
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="my-team")
    assert iam.list_account_aliases()["AccountAliases"] == ["my-team"]
    iam.create_account_alias(AccountAlias="renamed")
    assert iam.list_account_aliases()["AccountAliases"] == ["renamed"]
    assert aws_error(iam.delete_account_alias, AccountAlias="my-team") == (
        "NoSuchEntity",
        404,
        "The account alias my-team cannot be found.",
    )
    iam.delete_account_alias(AccountAlias="renamed")
    assert iam.list_account_aliases()["AccountAliases"] == []
    code, status, message = aws_error(iam.create_account_alias, AccountAlias="Bad--Alias")
    assert (code, status) == ("ValidationError", 400) and "accountAlias" in message


def test_account_summary_counts_what_exists(iam: Any) -> None:
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="devs")
    iam.create_instance_profile(InstanceProfileName="web")
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Users"], summary["Groups"], summary["Roles"], summary["InstanceProfiles"]) == (
        2,
        1,
        0,
        1,
    )
    assert summary["AccessKeysPerUserQuota"] == 2 and summary["GroupsPerUserQuota"] == 10
