"""Managed policies attached to users, groups and roles (at most ten each), and who uses a policy."""

from __future__ import annotations

from typing import Any

from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import IamBase, check_names, limit_exceeded, page
from shieldwall.services.iam.managed import USAGES, check_enum, check_policy_path
from shieldwall.services.iam.policy_models import Attachment, BoundaryUse
from shieldwall.services.iam.policy_store import (
    Entity,
    check_policy_arn,
    entity_id,
    find_policy,
    get_entity,
    not_attachable,
    policy_not_found,
    require_policy,
    resolve_entity,
    touch_policies,
)
from shieldwall.store.base import Reader, Scope

MAX_ATTACHED = 10
_QUOTAS = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}
_ENTITY_FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
_LISTS = {"user": ("PolicyUsers", "UserName", "UserId"), "group": ("PolicyGroups", "GroupName", "GroupId")}
_LISTS["role"] = ("PolicyRoles", "RoleName", "RoleId")


def entity_name_member(kind: str) -> str:
    return f"{kind.capitalize()}Name"


def attachment_keys(entity_key: str, policy_arn: str) -> tuple[str, str]:
    return f"e/{entity_key}/{policy_arn}", f"p/{policy_arn}/{entity_key}"


def attached_arns(reader: Reader, scope: Scope, entity: Entity) -> list[str]:
    return [
        record.policy_arn for _, record in reader.list(scope, Attachment, prefix=f"e/{entity_id(entity)}/")
    ]


def attached_output(
    reader: Reader, scope: Scope, entity: Entity, path_prefix: str = "/"
) -> list[dict[str, Any]]:
    refs = [find_policy(reader, scope, policy_arn) for policy_arn in attached_arns(reader, scope, entity)]
    return [
        {"PolicyName": ref.name, "PolicyArn": ref.arn}
        for ref in refs
        if ref is not None and ref.path.startswith(path_prefix)
    ]


class AttachmentsMixin(IamBase):
    def attach_user_policy(self, call: Call, params: Params) -> Params:
        return self._attach(call, "user", params)

    def attach_group_policy(self, call: Call, params: Params) -> Params:
        return self._attach(call, "group", params)

    def attach_role_policy(self, call: Call, params: Params) -> Params:
        return self._attach(call, "role", params)

    def detach_user_policy(self, call: Call, params: Params) -> Params:
        return self._detach(call, "user", params)

    def detach_group_policy(self, call: Call, params: Params) -> Params:
        return self._detach(call, "group", params)

    def detach_role_policy(self, call: Call, params: Params) -> Params:
        return self._detach(call, "role", params)

    def list_attached_user_policies(self, call: Call, params: Params) -> Params:
        return self._list_attached(call, "user", params)

    def list_attached_group_policies(self, call: Call, params: Params) -> Params:
        return self._list_attached(call, "group", params)

    def list_attached_role_policies(self, call: Call, params: Params) -> Params:
        return self._list_attached(call, "role", params)

    def _attach(self, call: Call, kind: str, params: Params) -> Params:
        name, policy_arn = params[entity_name_member(kind)], params["PolicyArn"]
        check_names(**{entity_name_member(kind): name})
        check_policy_arn(policy_arn)
        scope = call.account_scope
        with self.store.transaction() as tx:
            entity = get_entity(tx, scope, kind, name)
            if find_policy(tx, scope, policy_arn) is None:
                raise not_attachable(policy_arn)
            by_entity, by_policy = attachment_keys(entity_id(entity), policy_arn)
            if tx.get(scope, Attachment, by_entity) is not None:
                return {}
            if len(attached_arns(tx, scope, entity)) >= MAX_ATTACHED:
                raise limit_exceeded(f"Cannot exceed quota for {_QUOTAS[kind]}: {MAX_ATTACHED}")
            record = Attachment(policy_arn, kind, entity_id(entity), entity.name)
            tx.put(scope, by_entity, record)
            tx.put(scope, by_policy, record)
            touch_policies(tx, scope)
        return {}

    def _detach(self, call: Call, kind: str, params: Params) -> Params:
        name, policy_arn = params[entity_name_member(kind)], params["PolicyArn"]
        check_names(**{entity_name_member(kind): name})
        check_policy_arn(policy_arn)
        scope = call.account_scope
        with self.store.transaction() as tx:
            entity = get_entity(tx, scope, kind, name)
            by_entity, by_policy = attachment_keys(entity_id(entity), policy_arn)
            if not tx.delete(scope, Attachment, by_entity):
                raise policy_not_found(policy_arn)
            tx.delete(scope, Attachment, by_policy)
            touch_policies(tx, scope)
        return {}

    def _list_attached(self, call: Call, kind: str, params: Params) -> Params:
        name = params[entity_name_member(kind)]
        check_names(**{entity_name_member(kind): name})
        check_policy_path("pathPrefix", params.get("PathPrefix"))
        with self.store.read() as reader:
            entity = get_entity(reader, call.account_scope, kind, name)
            attached = attached_output(reader, call.account_scope, entity, params.get("PathPrefix") or "/")
        keyed = [(item["PolicyArn"], item) for item in attached]
        chosen, info = page(keyed, params.get("Marker"), params.get("MaxItems"))
        return {"AttachedPolicies": chosen, **info}

    def list_entities_for_policy(self, call: Call, params: Params) -> Params:
        entity_filter, usage = params.get("EntityFilter"), params.get("PolicyUsageFilter")
        check_enum("entityFilter", entity_filter, _ENTITY_FILTERS)
        check_enum("policyUsageFilter", usage, USAGES)
        with self.store.read() as reader:
            ref = require_policy(reader, call.account_scope, params["PolicyArn"])
            entities = _users_of_policy(reader, call.account_scope, ref.arn, usage)
        prefix = params.get("PathPrefix") or "/"
        chosen = [
            (f"{kind}/{entity.name.lower()}", (kind, entity))
            for kind, entity in entities
            if (entity_filter is None or entity_filter.lower() == kind) and entity.path.startswith(prefix)
        ]
        listed, info = page(
            sorted(chosen, key=lambda pair: pair[0]), params.get("Marker"), params.get("MaxItems")
        )
        out: dict[str, Any] = {member: [] for member, _, _ in _LISTS.values()}
        for kind, entity in listed:
            member, name_member, id_member = _LISTS[kind]
            out[member].append({name_member: entity.name, id_member: entity_id(entity)})
        return {**out, **info}


def _users_of_policy(
    reader: Reader, scope: Scope, policy_arn: str, usage: str | None
) -> list[tuple[str, Entity]]:
    """(kind, entity) of each user, group and role the policy is attached to or bounds, each once."""
    uses: list[Attachment | BoundaryUse] = []
    if usage != "PermissionsBoundary":
        uses.extend(record for _, record in reader.list(scope, Attachment, prefix=f"p/{policy_arn}/"))
    if usage != "PermissionsPolicy":
        uses.extend(record for _, record in reader.list(scope, BoundaryUse, prefix=f"{policy_arn}/"))
    found: dict[tuple[str, str], Entity] = {}
    for use in uses:
        entity = resolve_entity(reader, scope, use.entity_kind, use.entity_id, use.entity_name)
        if entity is not None:
            found[(use.entity_kind, use.entity_id)] = entity
    return [(kind, entity) for (kind, _), entity in found.items()]
