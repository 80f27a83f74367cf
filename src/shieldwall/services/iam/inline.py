"""Inline policies of users, groups and roles.

An entity's inline policies share one size quota (user 2,048, group 5,120, role 10,240 characters without white
space, all of its inline policies added up), so a put is checked against the others the entity already has.
"""

from __future__ import annotations

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.attachments import entity_name_member
from shieldwall.services.iam.common import IamBase, check_names, no_such_entity, page
from shieldwall.services.iam.policy_documents import check_inline_total, compiled, document_size
from shieldwall.services.iam.policy_models import InlinePolicy
from shieldwall.services.iam.policy_store import Entity, entity_id, get_entity, touch_policies
from shieldwall.store.base import Reader, Scope


def inline_not_found(kind: str, policy_name: str) -> AwsError:
    return no_such_entity(f"The {kind} policy with name {policy_name} cannot be found.")


def inline_policies(reader: Reader, scope: Scope, entity: Entity) -> list[InlinePolicy]:
    return [record for _, record in reader.list(scope, InlinePolicy, prefix=f"{entity_id(entity)}/")]


def inline_output(reader: Reader, scope: Scope, entity: Entity) -> list[dict[str, str]]:
    return [
        {"PolicyName": record.policy_name, "PolicyDocument": record.document}
        for record in inline_policies(reader, scope, entity)
    ]


class InlinePoliciesMixin(IamBase):
    def put_user_policy(self, call: Call, params: Params) -> Params:
        return self._put_inline(call, "user", params)

    def put_group_policy(self, call: Call, params: Params) -> Params:
        return self._put_inline(call, "group", params)

    def put_role_policy(self, call: Call, params: Params) -> Params:
        return self._put_inline(call, "role", params)

    def get_user_policy(self, call: Call, params: Params) -> Params:
        return self._get_inline(call, "user", params)

    def get_group_policy(self, call: Call, params: Params) -> Params:
        return self._get_inline(call, "group", params)

    def get_role_policy(self, call: Call, params: Params) -> Params:
        return self._get_inline(call, "role", params)

    def delete_user_policy(self, call: Call, params: Params) -> Params:
        return self._delete_inline(call, "user", params)

    def delete_group_policy(self, call: Call, params: Params) -> Params:
        return self._delete_inline(call, "group", params)

    def delete_role_policy(self, call: Call, params: Params) -> Params:
        return self._delete_inline(call, "role", params)

    def list_user_policies(self, call: Call, params: Params) -> Params:
        return self._list_inline(call, "user", params)

    def list_group_policies(self, call: Call, params: Params) -> Params:
        return self._list_inline(call, "group", params)

    def list_role_policies(self, call: Call, params: Params) -> Params:
        return self._list_inline(call, "role", params)

    def _put_inline(self, call: Call, kind: str, params: Params) -> Params:
        name, policy_name, document = (
            params[entity_name_member(kind)],
            params["PolicyName"],
            params["PolicyDocument"],
        )
        check_names(**{entity_name_member(kind): name}, PolicyName=policy_name)
        check_inline_total(document_size(document), kind, name)  # before parsing: alone, it must fit
        compiled(document, "identity")
        scope = call.account_scope
        with self.store.transaction() as tx:
            entity = get_entity(tx, scope, kind, name)
            others = [
                record for record in inline_policies(tx, scope, entity) if record.policy_name != policy_name
            ]
            total = document_size(document) + sum(document_size(record.document) for record in others)
            check_inline_total(total, kind, entity.name)
            tx.put(scope, f"{entity_id(entity)}/{policy_name}", InlinePolicy(kind, policy_name, document))
            touch_policies(tx, scope)
        return {}

    def _get_inline(self, call: Call, kind: str, params: Params) -> Params:
        name, policy_name = params[entity_name_member(kind)], params["PolicyName"]
        check_names(**{entity_name_member(kind): name}, PolicyName=policy_name)
        with self.store.read() as reader:
            entity = get_entity(reader, call.account_scope, kind, name)
            record = reader.get(call.account_scope, InlinePolicy, f"{entity_id(entity)}/{policy_name}")
        if record is None:
            raise inline_not_found(kind, policy_name)
        return {
            entity_name_member(kind): entity.name,
            "PolicyName": record.policy_name,
            "PolicyDocument": record.document,
        }

    def _delete_inline(self, call: Call, kind: str, params: Params) -> Params:
        name, policy_name = params[entity_name_member(kind)], params["PolicyName"]
        check_names(**{entity_name_member(kind): name}, PolicyName=policy_name)
        with self.store.transaction() as tx:
            entity = get_entity(tx, call.account_scope, kind, name)
            if not tx.delete(call.account_scope, InlinePolicy, f"{entity_id(entity)}/{policy_name}"):
                raise inline_not_found(kind, policy_name)
            touch_policies(tx, call.account_scope)
        return {}

    def _list_inline(self, call: Call, kind: str, params: Params) -> Params:
        name = params[entity_name_member(kind)]
        check_names(**{entity_name_member(kind): name})
        with self.store.read() as reader:
            entity = get_entity(reader, call.account_scope, kind, name)
            names = [record.policy_name for record in inline_policies(reader, call.account_scope, entity)]
        chosen, info = page(
            [(policy_name, policy_name) for policy_name in names],
            params.get("Marker"),
            params.get("MaxItems"),
        )
        return {"PolicyNames": chosen, **info}
