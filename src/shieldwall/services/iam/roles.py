"""IAM roles: trust policies, session duration, description, tags."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from shieldwall import ids
from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import (
    SERVICE_ROLE_PATH,
    IamBase,
    already_exists,
    by_name,
    check_names,
    check_paths,
    delete_conflict,
    iam_arn,
    limit_exceeded,
    merged_tags,
    now_seconds,
    page,
    tag_list,
    tags_page,
    with_path_prefix,
    without_tags,
)
from shieldwall.services.iam.lifecycle import boundary_output, release_policies, use_boundary
from shieldwall.services.iam.models import InstanceProfile, Role
from shieldwall.services.iam.policy_documents import compiled
from shieldwall.store.base import Reader

TRUST_POLICY_QUOTA = 2048
_WHITESPACE = str.maketrans("", "", " \t\r\n")


def role_output(role: Role, *, listed: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.create_date,
        "AssumeRolePolicyDocument": role.trust_policy,
        "MaxSessionDuration": role.max_session_duration,
    }
    if role.description is not None:
        out["Description"] = role.description
    if not listed:
        out.update(boundary_output(role))
        if role.tags:
            out["Tags"] = tag_list(role.tags)
        out["RoleLastUsed"] = {}
    return out


def checked_trust_policy(document: str) -> str:
    """The trust policy as sent, once it is within AWS's default size quota and a valid trust policy."""
    if len(document.translate(_WHITESPACE)) > TRUST_POLICY_QUOTA:
        raise limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_QUOTA}")
    try:
        parsed = json.loads(document)
    except (ValueError, RecursionError):
        parsed = None
    if not isinstance(parsed, dict):
        raise AwsError("MalformedPolicyDocument", "This policy contains invalid Json", 400)
    compiled(document, "trust")
    return document


class RolesMixin(IamBase):
    def get_role_record(self, reader: Reader, call: Call, name: str) -> Role:
        return self.read_required(reader, call, Role, name, f"The role with name {name} cannot be found.")

    def create_role(self, call: Call, params: Params) -> Params:
        name, path = params["RoleName"], params.get("Path") or "/"
        check_names(RoleName=name)
        check_paths(Path=path)
        document = checked_trust_policy(params["AssumeRolePolicyDocument"])
        tags = merged_tags({}, params.get("Tags"))
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, Role, name.lower()) is not None:
                raise already_exists(f"Role with name {name} already exists.")
            role = Role(
                name=name,
                role_id=ids.unique_id("AROA"),
                path=path,
                arn=iam_arn(call, "role", path, name),
                create_date=now_seconds(call),
                trust_policy=document,
                max_session_duration=params.get("MaxSessionDuration") or 3600,
                description=params.get("Description"),
                tags=tags,
            )
            if params.get("PermissionsBoundary"):
                use_boundary(tx, call.account_scope, "role", role, params["PermissionsBoundary"])
            tx.put(call.account_scope, name.lower(), role)
        return {"Role": role_output(role)}

    def get_role(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            return {"Role": role_output(self.get_role_record(reader, call, params["RoleName"]))}

    def list_roles(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            records = reader.list(call.account_scope, Role)
        chosen = with_path_prefix(records, lambda pair: pair[1].path, params.get("PathPrefix"))
        roles, info = page(chosen, params.get("Marker"), params.get("MaxItems"))
        return {"Roles": [role_output(role, listed=True) for role in roles], **info}

    def update_role(self, call: Call, params: Params) -> Params:
        self._change_role(
            call, params["RoleName"], params.get("Description"), params.get("MaxSessionDuration")
        )
        return {}

    def update_role_description(self, call: Call, params: Params) -> Params:
        role = self._change_role(call, params["RoleName"], params["Description"], None)
        return {"Role": role_output(role)}

    def get_modifiable_role(self, reader: Reader, call: Call, name: str) -> Role:
        """A role the caller may change: service-linked roles belong to their service (UnmodifiableEntity)."""
        role = self.get_role_record(reader, call, name)
        if role.path.startswith(SERVICE_ROLE_PATH):
            raise AwsError(
                "UnmodifiableEntity",
                f"Cannot perform the operation on the protected role '{role.name}' - "
                "this role is only modifiable by AWS",
                400,
            )
        return role

    def _change_role(self, call: Call, name: str, description: str | None, duration: int | None) -> Role:
        with self.store.transaction() as tx:
            role = (
                self.get_role_record(tx, call, name)
                if duration is None  # a description alone may change, even on a service-linked role
                else self.get_modifiable_role(tx, call, name)
            )
            if description is not None:
                role.description = description
            if duration is not None:
                role.max_session_duration = duration
            tx.put(call.account_scope, role.name.lower(), role)
        return role

    def update_assume_role_policy(self, call: Call, params: Params) -> Params:
        document = checked_trust_policy(params["PolicyDocument"])
        with self.store.transaction() as tx:
            role = self.get_modifiable_role(tx, call, params["RoleName"])
            tx.put(call.account_scope, role.name.lower(), replace(role, trust_policy=document))
        return {}

    def delete_role(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            role = self.get_modifiable_role(tx, call, params["RoleName"])
            key = role.name.lower()
            if any(key in profile.roles for _, profile in tx.list(call.account_scope, InstanceProfile)):
                raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
            release_policies(tx, call.account_scope, "role", role)
            tx.delete(call.account_scope, Role, key)
        return {}

    def tag_role(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: by_name(self.get_role_record(tx, call, params["RoleName"])),
            lambda tags: merged_tags(tags, params["Tags"]),
        )

    def untag_role(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: by_name(self.get_role_record(tx, call, params["RoleName"])),
            lambda tags: without_tags(tags, params["TagKeys"]),
        )

    def list_role_tags(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            role = self.get_role_record(reader, call, params["RoleName"])
        return tags_page(role.tags, params)
