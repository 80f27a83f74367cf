"""SCPs and RCPs: customer managed policies, the two AWS managed ones, and their attachments."""

from __future__ import annotations

from typing import Any

from shieldwall.policy.document import PolicyError, parse_policy
from shieldwall.policy.validate import SIZE_LIMITS
from shieldwall.services.base import Call, Params
from shieldwall.services.organizations.common import (
    OrganizationsBase,
    constraint,
    error,
    page,
    random_id,
    tags_from,
)
from shieldwall.services.organizations.models import Member, Organization, OrgPolicy, PolicyAttachment, Unit
from shieldwall.services.organizations.structure import (
    CEILING_TYPES,
    FULL_ACCESS,
    MANAGED_BY_ID,
    TYPE_PATHS,
    ManagedPolicy,
    attached_ids,
    managed_arn,
    member_of,
)
from shieldwall.store.base import Reader, Transaction

MAX_ATTACHED = 5
_ENGINE_KINDS = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


def policy_not_found() -> Any:
    return error("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")


def target_not_found() -> Any:
    return error(
        "TargetNotFoundException", "We can't find a root, OU, account, or email address that you specified."
    )


def summary(policy: OrgPolicy | ManagedPolicy, partition: str) -> dict[str, Any]:
    if isinstance(policy, ManagedPolicy):
        return {
            "Id": policy.policy_id,
            "Arn": managed_arn(partition, policy),
            "Name": policy.name,
            "Description": policy.description,
            "Type": policy.type,
            "AwsManaged": True,
        }
    return {
        "Id": policy.policy_id,
        "Arn": policy.arn,
        "Name": policy.name,
        "Description": policy.description,
        "Type": policy.type,
        "AwsManaged": False,
    }


def checked_content(content: str, kind: str) -> None:
    """SCP/RCP grammar is narrower than IAM's (an SCP has no Principal; an RCP needs one): AWS answers every
    violation with MalformedPolicyDocumentException."""
    engine_kind = _ENGINE_KINDS.get(kind)
    if engine_kind is None:
        raise error(
            "PolicyTypeNotAvailableForOrganizationException", f"The policy type {kind} is not supported."
        )
    if len(content.encode("utf-8")) > SIZE_LIMITS[engine_kind]:
        raise constraint(
            "POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is too large."
        )
    try:
        parse_policy(content, engine_kind, name="policy")
    except PolicyError as problem:
        raise error(
            "MalformedPolicyDocumentException",
            "The provided policy document doesn't meet the requirements of the specified policy type. "
            + "; ".join(problem.problems),
        ) from None


class PoliciesMixin(OrganizationsBase):
    def create_policy(self, call: Call, params: Params) -> Params:
        kind, content = params["Type"], params["Content"]
        checked_content(content, kind)
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            if any(policy.name == params["Name"] for policy in self._customer(tx, call, org)):
                raise error("DuplicatePolicyException", "A policy with the same name already exists.")
            policy_id = f"p-{random_id(8)}"
            policy = OrgPolicy(
                policy_id=policy_id,
                org_id=org.org_id,
                arn=f"arn:{call.partition}:organizations::{org.management_account}:policy/{org.org_id}/"
                f"{TYPE_PATHS[kind]}/{policy_id}",
                name=params["Name"],
                description=params.get("Description", ""),
                type=kind,
                content=content,
                tags=tags_from(params),
            )
            tx.put(self.scope(call), f"{org.org_id}/{policy_id}", policy)
        return {"Policy": {"PolicySummary": summary(policy, call.partition), "Content": content}}

    def describe_policy(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            policy = self._policy(reader, call, org, params["PolicyId"])
        return {"Policy": {"PolicySummary": summary(policy, call.partition), "Content": policy.content}}

    def update_policy(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            policy = self._policy(tx, call, org, params["PolicyId"])
            if isinstance(policy, ManagedPolicy):
                raise error("PolicyChangesInProgressException", "You can't change an AWS managed policy.")
            if "Content" in params:
                checked_content(params["Content"], policy.type)
                policy.content = params["Content"]
            if params.get("Name") and params["Name"] != policy.name:
                if any(other.name == params["Name"] for other in self._customer(tx, call, org)):
                    raise error("DuplicatePolicyException", "A policy with the same name already exists.")
                policy.name = params["Name"]
            if "Description" in params:
                policy.description = params["Description"]
            tx.put(self.scope(call), f"{org.org_id}/{policy.policy_id}", policy)
        return {"Policy": {"PolicySummary": summary(policy, call.partition), "Content": policy.content}}

    def delete_policy(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            policy = self._policy(tx, call, org, params["PolicyId"])
            if isinstance(policy, ManagedPolicy):
                raise access_denied_managed()
            if tx.list(
                self.scope(call), PolicyAttachment, prefix=f"{org.org_id}/p/{policy.policy_id}/", limit=1
            ):
                raise error(
                    "PolicyInUseException",
                    "The policy is attached to one or more entities. You must detach it from all roots, OUs, and "
                    "accounts before performing this operation.",
                )
            tx.delete(self.scope(call), OrgPolicy, f"{org.org_id}/{policy.policy_id}")
        return {}

    def list_policies(self, call: Call, params: Params) -> Params:
        kind = params["Filter"]
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            found: list[OrgPolicy | ManagedPolicy] = [p for p in FULL_ACCESS.values() if p.type == kind]
            found += [policy for policy in self._customer(reader, call, org) if policy.type == kind]
        chosen, extra = page([summary(policy, call.partition) for policy in found], params)
        return {"Policies": chosen, **extra}

    def attach_policy(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            policy = self._policy(tx, call, org, params["PolicyId"])
            target = self._target(tx, call, org, params["TargetId"])
            self._check_enabled(org, policy.type)
            attached = attached_ids(tx, call.partition, org.org_id, target)
            if policy.policy_id in attached:
                raise error(
                    "DuplicatePolicyAttachmentException",
                    "The selected policy is already attached to the specified target.",
                )
            if (
                len([pid for pid in attached if self._type_of(tx, call, org, pid) == policy.type])
                >= MAX_ATTACHED
            ):
                raise constraint(
                    "POLICY_NUMBER_LIMIT_EXCEEDED",
                    "You attempted to attach more policies of a type to an entity than the limit allows.",
                )
            self._link(tx, call, org, target, policy.policy_id)
        return {}

    def detach_policy(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            policy = self._policy(tx, call, org, params["PolicyId"])
            target = self._target(tx, call, org, params["TargetId"])
            attached = attached_ids(tx, call.partition, org.org_id, target)
            if policy.policy_id not in attached:
                raise error(
                    "PolicyNotAttachedException",
                    "The policy isn't attached to the specified target in the specified root.",
                )
            same_type = [pid for pid in attached if self._type_of(tx, call, org, pid) == policy.type]
            if policy.policy_id == FULL_ACCESS["RESOURCE_CONTROL_POLICY"].policy_id or len(same_type) <= 1:
                raise constraint(
                    "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                    "You attempted to detach a policy from an entity that would cause the entity to have fewer than "
                    "the minimum number of policies of a certain type required.",
                )
            scope = self.scope(call)
            tx.delete(scope, PolicyAttachment, f"{org.org_id}/t/{target}/{policy.policy_id}")
            tx.delete(scope, PolicyAttachment, f"{org.org_id}/p/{policy.policy_id}/{target}")
        return {}

    def list_policies_for_target(self, call: Call, params: Params) -> Params:
        kind = params["Filter"]
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            target = self._target(reader, call, org, params["TargetId"])
            found = [
                self._policy(reader, call, org, pid)
                for pid in attached_ids(reader, call.partition, org.org_id, target)
            ]
        chosen, extra = page(
            [summary(policy, call.partition) for policy in found if policy.type == kind], params
        )
        return {"Policies": chosen, **extra}

    def list_targets_for_policy(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            policy = self._policy(reader, call, org, params["PolicyId"])
            records = reader.list(
                self.scope(call), PolicyAttachment, prefix=f"{org.org_id}/p/{policy.policy_id}/"
            )
            targets = [self._target_output(reader, call, org, record.target_id) for _, record in records]
        chosen, extra = page([target for target in targets if target is not None], params)
        return {"Targets": chosen, **extra}

    # --- helpers ---------------------------------------------------------------------------------------------

    def _customer(self, reader: Reader, call: Call, org: Organization) -> list[OrgPolicy]:
        return [policy for _, policy in reader.list(self.scope(call), OrgPolicy, prefix=f"{org.org_id}/")]

    def _policy(
        self, reader: Reader, call: Call, org: Organization, policy_id: str
    ) -> OrgPolicy | ManagedPolicy:
        managed = MANAGED_BY_ID.get(policy_id)
        if managed is not None:
            return managed
        policy = reader.get(self.scope(call), OrgPolicy, f"{org.org_id}/{policy_id}")
        if policy is None:
            raise policy_not_found()
        return policy

    def _type_of(self, reader: Reader, call: Call, org: Organization, policy_id: str) -> str:
        managed = MANAGED_BY_ID.get(policy_id)
        if managed is not None:
            return managed.type
        policy = reader.get(self.scope(call), OrgPolicy, f"{org.org_id}/{policy_id}")
        return policy.type if policy is not None else ""

    def _target(self, reader: Reader, call: Call, org: Organization, target_id: str) -> str:
        if target_id == org.root_id:
            return target_id
        if target_id.startswith("ou-"):
            if reader.get(self.scope(call), Unit, f"{org.org_id}/{target_id}") is not None:
                return target_id
        else:
            member = member_of(reader, call.partition, target_id)
            if member is not None and member.org_id == org.org_id:
                return target_id
        raise target_not_found()

    def _target_output(
        self, reader: Reader, call: Call, org: Organization, target_id: str
    ) -> dict[str, Any] | None:
        if target_id == org.root_id:
            return {"TargetId": target_id, "Arn": org.root_arn, "Name": "Root", "Type": "ROOT"}
        if target_id.startswith("ou-"):
            unit = reader.get(self.scope(call), Unit, f"{org.org_id}/{target_id}")
            if unit is None:
                return None
            return {"TargetId": target_id, "Arn": unit.arn, "Name": unit.name, "Type": "ORGANIZATIONAL_UNIT"}
        member: Member | None = member_of(reader, call.partition, target_id)
        if member is None:
            return None
        return {"TargetId": target_id, "Arn": member.arn, "Name": member.name, "Type": "ACCOUNT"}

    def _check_enabled(self, org: Organization, kind: str) -> None:
        if kind in CEILING_TYPES and kind not in org.enabled_types:
            raise error(
                "PolicyTypeNotEnabledException",
                "The specified policy type isn't currently enabled in this root. You can't attach policies of the "
                "specified type to entities in a root until you enable that type in the root.",
            )

    def _link(self, tx: Transaction, call: Call, org: Organization, target: str, policy_id: str) -> None:
        record = PolicyAttachment(org.org_id, target, policy_id)
        tx.put(self.scope(call), f"{org.org_id}/t/{target}/{policy_id}", record)
        tx.put(self.scope(call), f"{org.org_id}/p/{policy_id}/{target}", record)


def access_denied_managed() -> Any:
    return error("AccessDeniedException", "You don't have permissions to access this resource.")
