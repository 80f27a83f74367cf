"""Login profiles, the account password policy, the account alias and the account summary."""

from __future__ import annotations

import re
from typing import Any

from shieldwall.auth.principal import Principal
from shieldwall.errors import AwsError
from shieldwall.protocol.validate import Problem, summary
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import IamBase, already_exists, check_names, no_such_entity, now_seconds
from shieldwall.services.iam.mfa_devices import mfa_summary
from shieldwall.services.iam.models import (
    AccountAlias,
    Group,
    InstanceProfile,
    LoginProfile,
    PasswordPolicy,
    Role,
    User,
)
from shieldwall.services.iam.passwords import check_password, hash_password, policy_from, policy_output
from shieldwall.services.iam.users import user_not_found
from shieldwall.store.base import Reader, Scope

ALIAS_PATTERN = r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"
_ALIAS = re.compile(ALIAS_PATTERN)
POLICY_KEY = "policy"
ALIAS_KEY = "alias"
QUOTAS = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "RolesQuota": 1000,
    "InstanceProfilesQuota": 1000,
    "GroupsPerUserQuota": 10,
    "AccessKeysPerUserQuota": 2,
    "SigningCertificatesPerUserQuota": 2,
    "ServerCertificatesQuota": 20,
    "AssumeRolePolicySizeQuota": 2048,
}


def profile_output(profile: LoginProfile) -> dict[str, Any]:
    return {
        "UserName": profile.user_name,
        "CreateDate": profile.create_date,
        "PasswordResetRequired": profile.password_reset_required,
    }


def profile_not_found(name: str) -> AwsError:
    return no_such_entity(f"Login Profile for User {name} cannot be found.")


def missing_password() -> AwsError:
    return AwsError("ValidationError", summary([Problem("password", None, "Member must not be null")]), 400)


class AccountMixin(IamBase):
    def login_user(self, reader: Reader, call: Call, name: str | None) -> User:
        name = name if name is not None else _caller_name(call.principal)
        check_names(UserName=name)
        return self.read_required(reader, call, User, name, user_not_found(name))

    def password_policy(self, reader: Reader, call: Call) -> PasswordPolicy | None:
        return reader.get(call.account_scope, PasswordPolicy, POLICY_KEY)

    def create_login_profile(self, call: Call, params: Params) -> Params:
        password = params.get("Password")
        if password is None:
            raise missing_password()
        with self.store.transaction() as tx:
            user = self.login_user(tx, call, params.get("UserName"))
            if tx.get(call.account_scope, LoginProfile, user.name.lower()) is not None:
                raise already_exists(f"Login Profile for user {user.name} already exists.")
            check_password(password, self.password_policy(tx, call))
            salt, digest = hash_password(password)
            reset = bool(params.get("PasswordResetRequired", False))
            profile = LoginProfile(user.name, now_seconds(call), reset, salt, digest)
            tx.put(call.account_scope, user.name.lower(), profile)
        return {"LoginProfile": profile_output(profile)}

    def get_login_profile(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            user = self.login_user(reader, call, params.get("UserName"))
            profile = reader.get(call.account_scope, LoginProfile, user.name.lower())
        if profile is None:
            raise profile_not_found(user.name)
        return {"LoginProfile": profile_output(profile)}

    def update_login_profile(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            user = self.login_user(tx, call, params.get("UserName"))
            profile = tx.get(call.account_scope, LoginProfile, user.name.lower())
            if profile is None:
                raise profile_not_found(user.name)
            if params.get("Password") is not None:
                check_password(params["Password"], self.password_policy(tx, call))
                profile.salt, profile.password_hash = hash_password(params["Password"])
            if params.get("PasswordResetRequired") is not None:
                profile.password_reset_required = params["PasswordResetRequired"]
            tx.put(call.account_scope, user.name.lower(), profile)
        return {}

    def delete_login_profile(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            user = self.login_user(tx, call, params.get("UserName"))
            if not tx.delete(call.account_scope, LoginProfile, user.name.lower()):
                raise profile_not_found(user.name)
        return {}

    def update_account_password_policy(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            tx.put(call.account_scope, POLICY_KEY, policy_from(params))
        return {}

    def get_account_password_policy(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            policy = self.password_policy(reader, call)
        if policy is None:
            raise _no_password_policy(call)
        return {"PasswordPolicy": policy_output(policy)}

    def delete_account_password_policy(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            if not tx.delete(call.account_scope, PasswordPolicy, POLICY_KEY):
                raise _no_password_policy(call)
        return {}

    def create_account_alias(self, call: Call, params: Params) -> Params:
        alias = params["AccountAlias"]
        _check_alias(alias)
        index = Scope.partition_wide(call.partition)
        with self.store.transaction() as tx:
            taken = tx.get(index, AccountAlias, alias)
            if taken is not None and taken.account_id != call.account_id:
                raise already_exists(f"The account alias {alias} already exists.")
            previous = tx.get(call.account_scope, AccountAlias, ALIAS_KEY)
            if previous is not None:
                tx.delete(index, AccountAlias, previous.alias)
            record = AccountAlias(alias, call.account_id)
            tx.put(index, alias, record)
            tx.put(call.account_scope, ALIAS_KEY, record)
        return {}

    def delete_account_alias(self, call: Call, params: Params) -> Params:
        alias = params["AccountAlias"]
        with self.store.transaction() as tx:
            current = tx.get(call.account_scope, AccountAlias, ALIAS_KEY)
            if current is None or current.alias != alias:
                raise no_such_entity(f"The account alias {alias} cannot be found.")
            tx.delete(Scope.partition_wide(call.partition), AccountAlias, alias)
            tx.delete(call.account_scope, AccountAlias, ALIAS_KEY)
        return {}

    def list_account_aliases(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            current = reader.get(call.account_scope, AccountAlias, ALIAS_KEY)
        return {"AccountAliases": [current.alias] if current else [], "IsTruncated": False}

    def get_account_summary(self, call: Call, params: Params) -> Params:
        scope = call.account_scope
        with self.store.read() as reader:
            counts = {
                "Users": len(reader.list(scope, User)),
                "Groups": len(reader.list(scope, Group)),
                "Roles": len(reader.list(scope, Role)),
                "InstanceProfiles": len(reader.list(scope, InstanceProfile)),
            }
            # The configured root access key always exists; MFA devices belong to another part of IAM.
            mfa = mfa_summary(reader, scope)
        flags = {"AccountAccessKeysPresent": 1, "AccountMFAEnabled": 0, **mfa}
        return {"SummaryMap": {**counts, **flags, **QUOTAS}}


def _caller_name(principal: Principal) -> str:
    if principal.kind != "user":
        raise AwsError("ValidationError", "Please specify a user name.", 400)
    return principal.username


def _no_password_policy(call: Call) -> AwsError:
    return no_such_entity(f"The Password Policy with domain name {call.account_id} cannot be found.")


def _check_alias(alias: str) -> None:
    if not _ALIAS.fullmatch(alias):
        problem = Problem(
            "accountAlias", alias, f"Member must satisfy regular expression pattern: {ALIAS_PATTERN}"
        )
        raise AwsError("ValidationError", summary([problem]), 400)
