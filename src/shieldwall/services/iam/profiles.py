"""IAM instance profiles and the (at most one) role each holds."""

from __future__ import annotations

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
    merged_tags,
    no_such_entity,
    now_seconds,
    page,
    tag_list,
    with_path_prefix,
)
from shieldwall.services.iam.models import InstanceProfile, Role
from shieldwall.services.iam.roles import role_output
from shieldwall.store.base import Reader

ROLES_PER_PROFILE = 1


class ProfilesMixin(IamBase):
    def get_profile_record(self, reader: Reader, call: Call, name: str) -> InstanceProfile:
        return self.read_required(
            reader, call, InstanceProfile, name, f"Instance Profile {name} cannot be found."
        )

    def profile_output(self, reader: Reader, call: Call, profile: InstanceProfile) -> dict[str, Any]:
        roles = [reader.get(call.account_scope, Role, key) for key in profile.roles]
        out: dict[str, Any] = {
            "Path": profile.path,
            "InstanceProfileName": profile.name,
            "InstanceProfileId": profile.profile_id,
            "Arn": profile.arn,
            "CreateDate": profile.create_date,
            "Roles": [role_output(role, listed=True) for role in roles if role is not None],
        }
        if profile.tags:
            out["Tags"] = tag_list(profile.tags)
        return out

    def create_instance_profile(self, call: Call, params: Params) -> Params:
        name, path = params["InstanceProfileName"], params.get("Path") or "/"
        check_names(InstanceProfileName=name)
        check_paths(Path=path)
        tags = merged_tags({}, params.get("Tags"))
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, InstanceProfile, name.lower()) is not None:
                raise already_exists(f"Instance Profile {name} already exists.")
            profile = InstanceProfile(
                name,
                ids.unique_id("AIPA"),
                path,
                iam_arn(call, "instance-profile", path, name),
                now_seconds(call),
            )
            profile.tags = tags
            tx.put(call.account_scope, name.lower(), profile)
            return {"InstanceProfile": self.profile_output(tx, call, profile)}

    def get_instance_profile(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            profile = self.get_profile_record(reader, call, params["InstanceProfileName"])
            return {"InstanceProfile": self.profile_output(reader, call, profile)}

    def delete_instance_profile(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            profile = self.get_profile_record(tx, call, params["InstanceProfileName"])
            if profile.roles:
                raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
            tx.delete(call.account_scope, InstanceProfile, profile.name.lower())
        return {}

    def add_role_to_instance_profile(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            profile = self.get_profile_record(tx, call, params["InstanceProfileName"])
            role = self.read_required(
                tx,
                call,
                Role,
                params["RoleName"],
                f"The role with name {params['RoleName']} cannot be found.",
            )
            if len(profile.roles) >= ROLES_PER_PROFILE:
                raise limit_exceeded(
                    f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_PROFILE}"
                )
            profile.roles.append(role.name.lower())
            tx.put(call.account_scope, profile.name.lower(), profile)
        return {}

    def remove_role_from_instance_profile(self, call: Call, params: Params) -> Params:
        role_name = params["RoleName"]
        with self.store.transaction() as tx:
            profile = self.get_profile_record(tx, call, params["InstanceProfileName"])
            if role_name.lower() not in profile.roles:
                raise no_such_entity(f"The role with name {role_name} cannot be found.")
            profile.roles.remove(role_name.lower())
            tx.put(call.account_scope, profile.name.lower(), profile)
        return {}

    def list_instance_profiles(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            records = reader.list(call.account_scope, InstanceProfile)
            chosen = with_path_prefix(records, lambda pair: pair[1].path, params.get("PathPrefix"))
            profiles, info = page(chosen, params.get("Marker"), params.get("MaxItems"))
            listed = [self.profile_output(reader, call, profile) for profile in profiles]
        return {"InstanceProfiles": listed, **info}

    def list_instance_profiles_for_role(self, call: Call, params: Params) -> Params:
        name = params["RoleName"]
        with self.store.read() as reader:
            role = self.read_required(reader, call, Role, name, f"The role with name {name} cannot be found.")
            records = reader.list(call.account_scope, InstanceProfile)
            holding = [(key, p) for key, p in records if role.name.lower() in p.roles]
            profiles, info = page(holding, params.get("Marker"), params.get("MaxItems"))
            listed = [self.profile_output(reader, call, profile) for profile in profiles]
        return {"InstanceProfiles": listed, **info}
