"""IAM users: create, read, list, rename, delete, and their tags."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import (
    IamBase,
    already_exists,
    by_name,
    check_names,
    check_paths,
    delete_conflict,
    iam_arn,
    merged_tags,
    now_seconds,
    page,
    tag_list,
    tags_page,
    with_path_prefix,
    without_tags,
)
from shieldwall.services.iam.lifecycle import boundary_output, release_policies, use_boundary
from shieldwall.services.iam.mfa_devices import user_has_mfa_device
from shieldwall.services.iam.models import AccessKey, LoginProfile, Membership, User, UserKey
from shieldwall.store.base import Reader, Transaction


def user_not_found(name: str) -> str:
    return f"The user with name {name} cannot be found."


def user_output(user: User, *, with_tags: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.create_date,
    }
    if user.password_last_used is not None:
        out["PasswordLastUsed"] = user.password_last_used
    if with_tags:
        out.update(boundary_output(user))
    if with_tags and user.tags:
        out["Tags"] = tag_list(user.tags)
    return out


def root_user_output(call: Call) -> dict[str, Any]:
    """GetUser without a name, called by the root user: AWS answers the account's root identity."""
    return {"UserId": call.account_id, "Arn": call.principal.arn, "CreateDate": call.clock.now()}


class UsersMixin(IamBase):
    def get_user_record(self, reader: Reader, call: Call, name: str) -> User:
        return self.read_required(reader, call, User, name, user_not_found(name))

    def create_user(self, call: Call, params: Params) -> Params:
        name, path = params["UserName"], params.get("Path") or "/"
        check_names(UserName=name)
        check_paths(Path=path)
        tags = merged_tags({}, params.get("Tags"))
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, User, name.lower()) is not None:
                raise already_exists(f"User with name {name} already exists.")
            user = User(
                name, ids.unique_id("AIDA"), path, iam_arn(call, "user", path, name), now_seconds(call), tags
            )
            if params.get("PermissionsBoundary"):
                use_boundary(tx, call.account_scope, "user", user, params["PermissionsBoundary"])
            tx.put(call.account_scope, name.lower(), user)
        return {"User": user_output(user)}

    def get_user(self, call: Call, params: Params) -> Params:
        name = params.get("UserName")
        if name is None:
            name = self.caller_user_name(call)
            if name is None:
                return {"User": root_user_output(call)}
        check_names(UserName=name)
        with self.store.read() as reader:
            return {"User": user_output(self.get_user_record(reader, call, name))}

    def caller_user_name(self, call: Call) -> str | None:
        principal = call.principal
        return principal.username if principal.kind == "user" else None

    def list_users(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            records = reader.list(call.account_scope, User)
        chosen = with_path_prefix(records, lambda pair: pair[1].path, params.get("PathPrefix"))
        users, info = page(chosen, params.get("Marker"), params.get("MaxItems"))
        return {"Users": [user_output(user, with_tags=False) for user in users], **info}

    def update_user(self, call: Call, params: Params) -> Params:
        name, new_name, new_path = params["UserName"], params.get("NewUserName"), params.get("NewPath")
        check_names(UserName=name, NewUserName=new_name)
        check_paths(NewPath=new_path)
        with self.store.transaction() as tx:
            user = self.get_user_record(tx, call, name)
            final_name, final_path = new_name or user.name, new_path or user.path
            renamed = final_name.lower() != user.name.lower()
            if renamed and tx.get(call.account_scope, User, final_name.lower()) is not None:
                raise already_exists(f"User with name {final_name} already exists.")
            updated = replace(
                user, name=final_name, path=final_path, arn=iam_arn(call, "user", final_path, final_name)
            )
            tx.delete(call.account_scope, User, user.name.lower())
            tx.put(call.account_scope, final_name.lower(), updated)
            rekey_user(tx, call, user, updated)
        return {}

    def delete_user(self, call: Call, params: Params) -> Params:
        name = params["UserName"]
        check_names(UserName=name)
        with self.store.transaction() as tx:
            user = self.get_user_record(tx, call, name)
            check_user_deletable(tx, call, user.name.lower(), user.user_id)
            release_policies(tx, call.account_scope, "user", user)
            tx.delete(call.account_scope, User, user.name.lower())
        return {}

    def tag_user(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: by_name(self.get_user_record(tx, call, params["UserName"])),
            lambda tags: merged_tags(tags, params["Tags"]),
        )

    def untag_user(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: by_name(self.get_user_record(tx, call, params["UserName"])),
            lambda tags: without_tags(tags, params["TagKeys"]),
        )

    def list_user_tags(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            user = self.get_user_record(reader, call, params["UserName"])
        return tags_page(user.tags, params)


def check_user_deletable(reader: Reader, call: Call, user_key: str, user_id: str) -> None:
    scope = call.account_scope
    if reader.get(scope, LoginProfile, user_key) is not None:
        raise delete_conflict("Cannot delete entity, must delete login profile first.")
    if reader.list(scope, UserKey, prefix=f"{user_key}/", limit=1):
        raise delete_conflict("Cannot delete entity, must delete access keys first.")
    if reader.list(scope, Membership, prefix=f"u/{user_key}/", limit=1):
        raise delete_conflict("Cannot delete entity, must remove user from all groups first.")
    if user_has_mfa_device(reader, scope, user_id):
        raise delete_conflict("Cannot delete entity, must delete MFA device first.")


def rekey_user(tx: Transaction, call: Call, old: User, new: User) -> None:
    """Move what hangs off a user (memberships, keys, login profile) to its new name, ARN and path."""
    scope, old_key, new_key = call.account_scope, old.name.lower(), new.name.lower()
    for key, membership in tx.list(scope, Membership, prefix=f"u/{old_key}/"):
        for stale in (key, f"g/{membership.group}/{old_key}"):
            tx.delete(scope, Membership, stale)
        moved = Membership(new_key, membership.group)
        tx.put(scope, f"u/{new_key}/{membership.group}", moved)
        tx.put(scope, f"g/{membership.group}/{new_key}", moved)
    for key, pointer in tx.list(scope, UserKey, prefix=f"{old_key}/"):
        tx.delete(scope, UserKey, key)
        tx.put(scope, f"{new_key}/{pointer.access_key_id}", pointer)
        index_scope = scope.partition_wide(scope.partition)
        record = tx.get(index_scope, AccessKey, pointer.access_key_id)
        if record is not None:
            tx.put(index_scope, record.access_key_id, replace(record, user_name=new.name, user_arn=new.arn))
    profile = tx.get(scope, LoginProfile, old_key)
    if profile is not None:
        tx.delete(scope, LoginProfile, old_key)
        tx.put(scope, new_key, replace(profile, user_name=new.name))
