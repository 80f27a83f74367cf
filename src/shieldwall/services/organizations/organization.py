"""The organization itself: create, describe, delete; its root and policy types; delegated administrators; tags."""

from __future__ import annotations

from typing import Any

from shieldwall.accounts import Account
from shieldwall.services.base import Call, Params
from shieldwall.services.organizations.common import (
    OrganizationsBase,
    constraint,
    error,
    page,
    random_id,
    tag_list,
    tags_from,
)
from shieldwall.services.organizations.models import (
    DelegatedAdmin,
    Member,
    Organization,
    OrgPolicy,
    PolicyAttachment,
    Unit,
)
from shieldwall.services.organizations.structure import CEILING_TYPES, FULL_ACCESS, member_of, scope_of
from shieldwall.store.base import Reader, Transaction

AVAILABLE_TYPES = (
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "TAG_POLICY",
    "BACKUP_POLICY",
    "AISERVICES_OPT_OUT_POLICY",
)


def org_output(org: Organization) -> dict[str, Any]:
    partition = org.arn.split(":")[1]
    return {
        "Id": org.org_id,
        "Arn": org.arn,
        "FeatureSet": org.feature_set,
        "MasterAccountArn": f"arn:{partition}:organizations::{org.management_account}:account/{org.org_id}/"
        f"{org.management_account}",
        "MasterAccountId": org.management_account,
        "MasterAccountEmail": org.management_email,
        "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
    }


def root_output(org: Organization) -> dict[str, Any]:
    return {
        "Id": org.root_id,
        "Arn": org.root_arn,
        "Name": "Root",
        "PolicyTypes": [{"Type": kind, "Status": "ENABLED"} for kind in org.enabled_types],
    }


def member_output(member: Member) -> dict[str, Any]:
    return {
        "Id": member.account_id,
        "Arn": member.arn,
        "Email": member.email,
        "Name": member.name,
        "Status": member.status,
        "State": member.status,
        "JoinedMethod": member.joined_method,
        "JoinedTimestamp": member.joined,
    }


def attach_full_access(tx: Transaction, call: Call, org: Organization, target_id: str) -> None:
    """Every root, OU and account gets the AWS managed full-access policy of each enabled ceiling type."""
    for kind in CEILING_TYPES:
        if kind in org.enabled_types:
            policy_id = FULL_ACCESS[kind].policy_id
            tx.put(
                scope_of(call.partition),
                f"{org.org_id}/t/{target_id}/{policy_id}",
                PolicyAttachment(org.org_id, target_id, policy_id),
            )
            tx.put(
                scope_of(call.partition),
                f"{org.org_id}/p/{policy_id}/{target_id}",
                PolicyAttachment(org.org_id, target_id, policy_id),
            )


def all_targets(reader: Reader, call: Call, org: Organization) -> list[str]:
    scope = scope_of(call.partition)
    units = [unit.ou_id for _, unit in reader.list(scope, Unit, prefix=f"{org.org_id}/")]
    accounts = [member.account_id for _, member in reader.list(scope, Member) if member.org_id == org.org_id]
    return [org.root_id, *units, *accounts]


class OrganizationMixin(OrganizationsBase):
    def create_organization(self, call: Call, params: Params) -> Params:
        feature_set = params.get("FeatureSet") or "ALL"
        now = call.now()
        with self.store.transaction() as tx:
            if member_of(tx, call.partition, call.account_id) is not None:
                raise error(
                    "AlreadyInOrganizationException",
                    "The AWS account is already a member of an organization.",
                )
            org_id = f"o-{random_id(10)}"
            root_id = f"r-{random_id(4)}"
            account = call.account_id
            arn_base = f"arn:{call.partition}:organizations::{account}"
            email = (
                f"{account}@shieldwall.invalid"  # AWS shows the account's root e-mail; shieldwall has none
            )
            org = Organization(
                org_id=org_id,
                arn=f"{arn_base}:organization/{org_id}",
                management_account=account,
                management_email=email,
                feature_set=feature_set,
                root_id=root_id,
                root_arn=f"{arn_base}:root/{org_id}/{root_id}",
                created=now,
            )
            tx.put(self.scope(call), org_id, org)
            stored = tx.get(self.scope(call), Account, account)
            member = Member(
                account_id=account,
                org_id=org_id,
                parent_id=root_id,
                name=stored.name if stored is not None else "management",
                email=stored.email if stored is not None and stored.email else email,
                arn=f"{arn_base}:account/{org_id}/{account}",
                joined_method="CREATED",
                joined=now,
            )
            tx.put(self.scope(call), account, member)
        return {"Organization": org_output(org)}

    def describe_organization(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org, _ = self.caller_org(reader, call)
        return {"Organization": org_output(org)}

    def delete_organization(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            scope = self.scope(call)
            members = [m for _, m in tx.list(scope, Member) if m.org_id == org.org_id]
            if any(member.account_id != org.management_account for member in members):
                raise error(
                    "OrganizationNotEmptyException",
                    "The organization isn't empty. To delete an organization, you must first remove all accounts "
                    "except the management account.",
                )
            for kind in (Unit, OrgPolicy, PolicyAttachment, DelegatedAdmin):
                for key, _ in tx.list(scope, kind, prefix=f"{org.org_id}/"):
                    tx.delete(scope, kind, key)
            tx.delete(scope, Member, org.management_account)
            tx.delete(scope, Organization, org.org_id)
        return {}

    def list_roots(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
        return {"Roots": [root_output(org)]}

    def enable_policy_type(self, call: Call, params: Params) -> Params:
        kind = params["PolicyType"]
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            self._check_root(org, params["RootId"])
            if kind in org.enabled_types:
                raise error(
                    "PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled."
                )
            org.enabled_types.append(kind)
            tx.put(self.scope(call), org.org_id, org)
            if kind in CEILING_TYPES:
                for target in all_targets(tx, call, org):
                    attach_full_access(tx, call, org, target)
        return {"Root": root_output(org)}

    def disable_policy_type(self, call: Call, params: Params) -> Params:
        kind = params["PolicyType"]
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            self._check_root(org, params["RootId"])
            if kind not in org.enabled_types:
                raise error(
                    "PolicyTypeNotEnabledException",
                    "The specified policy type isn't currently enabled in this root. You can't attach policies of "
                    "the specified type to entities in a root until you enable that type in the root.",
                )
            org.enabled_types.remove(kind)
            tx.put(self.scope(call), org.org_id, org)
            self._detach_type(tx, call, org, kind)
        return {"Root": root_output(org)}

    def _detach_type(self, tx: Transaction, call: Call, org: Organization, kind: str) -> None:
        """Disabling a type detaches every policy of that type, as AWS does."""
        scope = self.scope(call)
        managed = FULL_ACCESS[kind].policy_id if kind in FULL_ACCESS else ""
        ids = {managed} | {
            policy.policy_id
            for _, policy in tx.list(scope, OrgPolicy, prefix=f"{org.org_id}/")
            if policy.type == kind
        }
        for key, record in tx.list(scope, PolicyAttachment, prefix=f"{org.org_id}/"):
            if record.policy_id in ids:
                tx.delete(scope, PolicyAttachment, key)

    def _check_root(self, org: Organization, root_id: str) -> None:
        if root_id != org.root_id:
            raise error("RootNotFoundException", "We can't find a root with the RootId that you specified.")

    # --- delegated administrators ----------------------------------------------------------------------------

    def register_delegated_administrator(self, call: Call, params: Params) -> Params:
        account, service = params["AccountId"], params["ServicePrincipal"]
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            member = member_of(tx, call.partition, account)
            if member is None or member.org_id != org.org_id:
                raise error(
                    "AccountNotFoundException",
                    "We can't find an AWS account with the AccountId that you specified, or the account whose "
                    "credentials you used to make this request isn't a member of an organization.",
                )
            if account == org.management_account:
                raise constraint(
                    "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                    "You cannot register the management account of the organization as a delegated administrator.",
                )
            key = f"{org.org_id}/{account}/{service}"
            if tx.get(self.scope(call), DelegatedAdmin, key) is not None:
                raise error(
                    "AccountAlreadyRegisteredException",
                    "The provided account is already a delegated administrator for your organization.",
                )
            tx.put(self.scope(call), key, DelegatedAdmin(org.org_id, account, service, call.now()))
        return {}

    def deregister_delegated_administrator(self, call: Call, params: Params) -> Params:
        account, service = params["AccountId"], params["ServicePrincipal"]
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            if not tx.delete(self.scope(call), DelegatedAdmin, f"{org.org_id}/{account}/{service}"):
                raise error(
                    "AccountNotRegisteredException",
                    "The provided account is not a registered delegated administrator for your organization.",
                )
        return {}

    def list_delegated_administrators(self, call: Call, params: Params) -> Params:
        wanted = params.get("ServicePrincipal")
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            admins: dict[str, dict[str, Any]] = {}
            for _, record in reader.list(self.scope(call), DelegatedAdmin, prefix=f"{org.org_id}/"):
                if wanted and record.service_principal != wanted:
                    continue
                member = member_of(reader, call.partition, record.account_id)
                if member is not None and record.account_id not in admins:
                    admins[record.account_id] = {
                        **member_output(member),
                        "DelegationEnabledDate": record.delegated,
                    }
        chosen, extra = page(sorted(admins.values(), key=lambda item: str(item["Id"])), params)
        return {"DelegatedAdministrators": chosen, **extra}

    def list_delegated_services_for_account(self, call: Call, params: Params) -> Params:
        account = params["AccountId"]
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            found = [
                {"ServicePrincipal": record.service_principal, "DelegationEnabledDate": record.delegated}
                for _, record in reader.list(
                    self.scope(call), DelegatedAdmin, prefix=f"{org.org_id}/{account}/"
                )
            ]
        if not found:
            raise error(
                "AccountNotRegisteredException",
                "The provided account is not a registered delegated administrator for your organization.",
            )
        chosen, extra = page(found, params)
        return {"DelegatedServices": chosen, **extra}

    # --- tags ------------------------------------------------------------------------------------------------

    def tag_resource(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            self._retag(tx, call, org, params["ResourceId"], lambda tags: tags.update(tags_from(params)))
        return {}

    def untag_resource(self, call: Call, params: Params) -> Params:
        removed = set(params["TagKeys"])
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            self._retag(
                tx, call, org, params["ResourceId"], lambda tags: [tags.pop(key, None) for key in removed]
            )
        return {}

    def list_tags_for_resource(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            _, tags = self._taggable(reader, call, org, params["ResourceId"])
        chosen, extra = page(tag_list(tags), params)
        return {"Tags": chosen, **extra}

    def _retag(self, tx: Transaction, call: Call, org: Organization, resource_id: str, change: Any) -> None:
        record, tags = self._taggable(tx, call, org, resource_id)
        change(tags)
        if isinstance(record, Organization):
            tx.put(self.scope(call), record.org_id, record)
        elif isinstance(record, Member):
            tx.put(self.scope(call), record.account_id, record)
        elif isinstance(record, Unit):
            tx.put(self.scope(call), f"{org.org_id}/{record.ou_id}", record)
        elif isinstance(record, OrgPolicy):
            tx.put(self.scope(call), f"{org.org_id}/{record.policy_id}", record)

    def _taggable(
        self, reader: Reader, call: Call, org: Organization, resource_id: str
    ) -> tuple[Any, dict[str, str]]:
        scope = self.scope(call)
        if resource_id == org.root_id:
            return org, org.root_tags
        if resource_id.startswith("ou-"):
            unit = reader.get(scope, Unit, f"{org.org_id}/{resource_id}")
            if unit is not None:
                return unit, unit.tags
        elif resource_id.startswith("p-"):
            policy = reader.get(scope, OrgPolicy, f"{org.org_id}/{resource_id}")
            if policy is not None:
                return policy, policy.tags
        else:
            member = member_of(reader, call.partition, resource_id)
            if member is not None and member.org_id == org.org_id:
                return member, member.tags
        raise error(
            "TargetNotFoundException",
            "We can't find a root, OU, account, or policy with the TargetId that you specified.",
        )
