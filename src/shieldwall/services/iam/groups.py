"""IAM groups and group membership."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import (
    IamBase,
    already_exists,
    check_names,
    check_paths,
    delete_conflict,
    iam_arn,
    limit_exceeded,
    now_seconds,
    page,
    with_path_prefix,
)
from shieldwall.services.iam.lifecycle import release_policies
from shieldwall.services.iam.models import Group, Membership, User
from shieldwall.services.iam.users import user_not_found, user_output
from shieldwall.store.base import Reader, Transaction

GROUPS_PER_USER = 10


def group_output(group: Group) -> dict[str, Any]:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn,
        "CreateDate": group.create_date,
    }


class GroupsMixin(IamBase):
    def get_group_record(self, reader: Reader, call: Call, name: str) -> Group:
        return self.read_required(reader, call, Group, name, f"The group with name {name} cannot be found.")

    def create_group(self, call: Call, params: Params) -> Params:
        name, path = params["GroupName"], params.get("Path") or "/"
        check_names(GroupName=name)
        check_paths(Path=path)
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, Group, name.lower()) is not None:
                raise already_exists(f"Group with name {name} already exists.")
            group = Group(
                name, ids.unique_id("AGPA"), path, iam_arn(call, "group", path, name), now_seconds(call)
            )
            tx.put(call.account_scope, name.lower(), group)
        return {"Group": group_output(group)}

    def get_group(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            group = self.get_group_record(reader, call, params["GroupName"])
            prefix = f"g/{group.name.lower()}/"
            members = reader.list(call.account_scope, Membership, prefix=prefix)
            keyed = [(key, reader.get(call.account_scope, User, member.user)) for key, member in members]
        users, info = page(
            [(key, user) for key, user in keyed if user], params.get("Marker"), params.get("MaxItems")
        )
        return {
            "Group": group_output(group),
            "Users": [user_output(u, with_tags=False) for u in users],
            **info,
        }

    def list_groups(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            records = reader.list(call.account_scope, Group)
        chosen = with_path_prefix(records, lambda pair: pair[1].path, params.get("PathPrefix"))
        groups, info = page(chosen, params.get("Marker"), params.get("MaxItems"))
        return {"Groups": [group_output(group) for group in groups], **info}

    def update_group(self, call: Call, params: Params) -> Params:
        name, new_name, new_path = params["GroupName"], params.get("NewGroupName"), params.get("NewPath")
        check_names(GroupName=name, NewGroupName=new_name)
        check_paths(NewPath=new_path)
        with self.store.transaction() as tx:
            group = self.get_group_record(tx, call, name)
            final_name, final_path = new_name or group.name, new_path or group.path
            if final_name.lower() != group.name.lower() and tx.get(
                call.account_scope, Group, final_name.lower()
            ):
                raise already_exists(f"Group with name {final_name} already exists.")
            updated = replace(
                group, name=final_name, path=final_path, arn=iam_arn(call, "group", final_path, final_name)
            )
            tx.delete(call.account_scope, Group, group.name.lower())
            tx.put(call.account_scope, final_name.lower(), updated)
            rekey_group(tx, call, group.name.lower(), final_name.lower())
        return {}

    def delete_group(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            group = self.get_group_record(tx, call, params["GroupName"])
            if tx.list(call.account_scope, Membership, prefix=f"g/{group.name.lower()}/", limit=1):
                raise delete_conflict("Cannot delete entity, must remove users from group first.")
            release_policies(tx, call.account_scope, "group", group)
            tx.delete(call.account_scope, Group, group.name.lower())
        return {}

    def add_user_to_group(self, call: Call, params: Params) -> Params:
        scope = call.account_scope
        with self.store.transaction() as tx:
            group = self.get_group_record(tx, call, params["GroupName"])
            user = self.read_required(tx, call, User, params["UserName"], user_not_found(params["UserName"]))
            user_key, group_key = user.name.lower(), group.name.lower()
            if tx.get(scope, Membership, f"u/{user_key}/{group_key}") is not None:
                return {}
            if len(tx.list(scope, Membership, prefix=f"u/{user_key}/")) >= GROUPS_PER_USER:
                raise limit_exceeded(f"Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}")
            membership = Membership(user_key, group_key)
            tx.put(scope, f"u/{user_key}/{group_key}", membership)
            tx.put(scope, f"g/{group_key}/{user_key}", membership)
        return {}

    def remove_user_from_group(self, call: Call, params: Params) -> Params:
        scope = call.account_scope
        with self.store.transaction() as tx:
            group = self.get_group_record(tx, call, params["GroupName"])
            user = self.read_required(tx, call, User, params["UserName"], user_not_found(params["UserName"]))
            user_key, group_key = user.name.lower(), group.name.lower()
            tx.delete(scope, Membership, f"u/{user_key}/{group_key}")
            tx.delete(scope, Membership, f"g/{group_key}/{user_key}")
        return {}

    def list_groups_for_user(self, call: Call, params: Params) -> Params:
        scope = call.account_scope
        with self.store.read() as reader:
            user = self.read_required(
                reader, call, User, params["UserName"], user_not_found(params["UserName"])
            )
            members = reader.list(scope, Membership, prefix=f"u/{user.name.lower()}/")
            keyed = [(key, reader.get(scope, Group, member.group)) for key, member in members]
        groups, info = page([(k, g) for k, g in keyed if g], params.get("Marker"), params.get("MaxItems"))
        return {"Groups": [group_output(group) for group in groups], **info}


def rekey_group(tx: Transaction, call: Call, old_key: str, new_key: str) -> None:
    if old_key == new_key:
        return
    scope = call.account_scope
    for key, membership in tx.list(scope, Membership, prefix=f"g/{old_key}/"):
        tx.delete(scope, Membership, key)
        tx.delete(scope, Membership, f"u/{membership.user}/{old_key}")
        moved = Membership(membership.user, new_key)
        tx.put(scope, f"g/{new_key}/{membership.user}", moved)
        tx.put(scope, f"u/{membership.user}/{new_key}", moved)
