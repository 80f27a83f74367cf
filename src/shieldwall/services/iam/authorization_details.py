"""GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with their policies.

One page runs across the four lists in that order (users, groups, roles, policies), as AWS pages them: a Marker
resumes where the previous page stopped, whichever list that was in. AWS managed policies are listed only when the
account uses them (attached or as a permissions boundary).
"""

from __future__ import annotations

from typing import Any

from shieldwall.services.base import Call, Params
from shieldwall.services.iam import aws_managed
from shieldwall.services.iam.attachments import attached_output
from shieldwall.services.iam.common import IamBase, page, tag_list
from shieldwall.services.iam.inline import inline_output
from shieldwall.services.iam.lifecycle import boundary_output
from shieldwall.services.iam.managed import check_enum, policy_detail
from shieldwall.services.iam.models import Group, InstanceProfile, Membership, Role, User
from shieldwall.services.iam.policy_models import ManagedPolicy
from shieldwall.services.iam.policy_store import ManagedRef, find_policy, local_ref, usage_counts
from shieldwall.services.iam.roles import role_output
from shieldwall.store.base import Reader, Scope

FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
_Item = tuple[str, Any]


class AuthorizationDetailsMixin(IamBase):
    def get_account_authorization_details(self, call: Call, params: Params) -> Params:
        wanted = params.get("Filter") or list(FILTERS)
        for value in wanted:
            check_enum("filter", value, FILTERS)
        scope = call.account_scope
        with self.store.read() as reader:
            usage = usage_counts(reader, scope)
            items = _items(reader, call, set(wanted), usage)
            chosen, info = page(items, params.get("Marker"), params.get("MaxItems"))
            out: dict[str, list[dict[str, Any]]] = {
                "UserDetailList": [],
                "GroupDetailList": [],
                "RoleDetailList": [],
                "Policies": [],
            }
            for kind, record in chosen:
                member, detail = _detail(reader, call, kind, record, usage)
                out[member].append(detail)
        return {**out, **info}


def _items(
    reader: Reader, call: Call, wanted: set[str], usage: tuple[dict[str, int], dict[str, int]]
) -> list[tuple[str, _Item]]:
    """(key, item) pairs sorted by key: users, groups, roles, then policies."""
    scope = call.account_scope
    items: list[tuple[str, _Item]] = []
    for order, kind, model in (("1", "User", User), ("2", "Group", Group), ("3", "Role", Role)):
        if kind in wanted:
            items.extend((f"{order}/{key}", (kind, record)) for key, record in reader.list(scope, model))
    if "LocalManagedPolicy" in wanted:
        policies = reader.list(scope, ManagedPolicy)
        items.extend((f"4/l/{key}", ("Policy", local_ref(record))) for key, record in policies)
    if "AWSManagedPolicy" in wanted:
        attached, bounding = usage
        for policy in aws_managed.catalogue():
            ref = find_policy(reader, scope, policy.arn(call.partition))
            if ref is not None and (attached.get(ref.arn) or bounding.get(ref.arn)):
                items.append((f"4/a/{ref.name.lower()}", ("Policy", ref)))
    return sorted(items, key=lambda pair: pair[0])


def _detail(
    reader: Reader, call: Call, kind: str, record: Any, usage: tuple[dict[str, int], dict[str, int]]
) -> tuple[str, dict[str, Any]]:
    scope = call.account_scope
    if kind == "User":
        return "UserDetailList", _user_detail(reader, scope, record)
    if kind == "Group":
        return "GroupDetailList", _group_detail(reader, scope, record)
    if kind == "Role":
        return "RoleDetailList", _role_detail(reader, scope, record)
    ref: ManagedRef = record
    counts = (usage[0].get(ref.arn, 0), usage[1].get(ref.arn, 0))
    return "Policies", policy_detail(reader, call, ref, counts)


def _user_detail(reader: Reader, scope: Scope, user: User) -> dict[str, Any]:
    groups = [
        group.name
        for group in (
            reader.get(scope, Group, membership.group)
            for _, membership in reader.list(scope, Membership, prefix=f"u/{user.name.lower()}/")
        )
        if group is not None
    ]
    out: dict[str, Any] = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.create_date,
    }
    inline = inline_output(reader, scope, user)
    if inline:
        out["UserPolicyList"] = inline
    out["GroupList"] = groups
    out["AttachedManagedPolicies"] = attached_output(reader, scope, user)
    out.update(boundary_output(user))
    if user.tags:
        out["Tags"] = tag_list(user.tags)
    return out


def _group_detail(reader: Reader, scope: Scope, group: Group) -> dict[str, Any]:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn,
        "CreateDate": group.create_date,
        "GroupPolicyList": inline_output(reader, scope, group),
        "AttachedManagedPolicies": attached_output(reader, scope, group),
    }


def _role_detail(reader: Reader, scope: Scope, role: Role) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.create_date,
        "AssumeRolePolicyDocument": role.trust_policy,
        "InstanceProfileList": _profiles_of(reader, scope, role),
        "RolePolicyList": inline_output(reader, scope, role),
        "AttachedManagedPolicies": attached_output(reader, scope, role),
    }
    out.update(boundary_output(role))
    if role.tags:
        out["Tags"] = tag_list(role.tags)
    out["RoleLastUsed"] = {}
    return out


def _profiles_of(reader: Reader, scope: Scope, role: Role) -> list[dict[str, Any]]:
    profiles = [
        profile for _, profile in reader.list(scope, InstanceProfile) if role.name.lower() in profile.roles
    ]
    return [
        {
            "Path": profile.path,
            "InstanceProfileName": profile.name,
            "InstanceProfileId": profile.profile_id,
            "Arn": profile.arn,
            "CreateDate": profile.create_date,
            "Roles": [role_output(role, listed=True)],
            **({"Tags": tag_list(profile.tags)} if profile.tags else {}),
        }
        for profile in profiles
    ]
