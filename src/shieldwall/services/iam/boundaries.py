"""Permissions boundaries of users and roles: a managed policy (the account's or AWS's) that caps what the
entity's identity-based policies can grant."""

from __future__ import annotations

from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import IamBase, check_names
from shieldwall.services.iam.lifecycle import use_boundary
from shieldwall.services.iam.models import Role, User
from shieldwall.services.iam.policy_store import get_entity


class BoundariesMixin(IamBase):
    def put_user_permissions_boundary(self, call: Call, params: Params) -> Params:
        return self._set_boundary(call, "user", params["UserName"], params["PermissionsBoundary"])

    def put_role_permissions_boundary(self, call: Call, params: Params) -> Params:
        return self._set_boundary(call, "role", params["RoleName"], params["PermissionsBoundary"])

    def delete_user_permissions_boundary(self, call: Call, params: Params) -> Params:
        return self._set_boundary(call, "user", params["UserName"], None)

    def delete_role_permissions_boundary(self, call: Call, params: Params) -> Params:
        return self._set_boundary(call, "role", params["RoleName"], None)

    def _set_boundary(self, call: Call, kind: str, name: str, policy_arn: str | None) -> Params:
        check_names(**{f"{kind.capitalize()}Name": name})
        scope = call.account_scope
        with self.store.transaction() as tx:
            entity = get_entity(tx, scope, kind, name)
            assert isinstance(entity, User | Role)
            use_boundary(tx, scope, kind, entity, policy_arn)
            tx.put(scope, entity.name.lower(), entity)
        return {}
