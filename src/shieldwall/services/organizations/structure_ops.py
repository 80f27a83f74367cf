"""Accounts and organizational units: creating accounts (with their access role), the OU tree, moving accounts."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from shieldwall import ids
from shieldwall.accounts import create_account
from shieldwall.auth.principal import Principal
from shieldwall.services.base import Call, Params
from shieldwall.services.organizations.common import (
    OrganizationsBase,
    constraint,
    error,
    page,
    random_id,
    tags_from,
)
from shieldwall.services.organizations.models import (
    CreateAccountRequest,
    Member,
    Organization,
    PolicyAttachment,
    Unit,
)
from shieldwall.services.organizations.organization import attach_full_access, member_output
from shieldwall.services.organizations.structure import member_of
from shieldwall.store.base import Reader, Transaction
from shieldwall.store.sealing import Sealer

ADMINISTRATOR_ACCESS = "arn:{partition}:iam::aws:policy/AdministratorAccess"


def unit_output(unit: Unit) -> dict[str, Any]:
    return {"Id": unit.ou_id, "Arn": unit.arn, "Name": unit.name}


def status_output(request: CreateAccountRequest) -> dict[str, Any]:
    output: dict[str, Any] = {
        "Id": request.request_id,
        "AccountName": request.account_name,
        "State": request.state,
        "RequestedTimestamp": request.requested,
    }
    if request.completed is not None:
        output["CompletedTimestamp"] = request.completed
    if request.account_id is not None:
        output["AccountId"] = request.account_id
    if request.failure_reason is not None:
        output["FailureReason"] = request.failure_reason
    return output


def account_not_found() -> Any:
    return error(
        "AccountNotFoundException",
        "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you "
        "used to make this request isn't a member of an organization.",
    )


def parent_not_found() -> Any:
    return error(
        "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified."
    )


def unit_not_found() -> Any:
    return error(
        "OrganizationalUnitNotFoundException",
        "We can't find an OU with the OrganizationalUnitId that you specified.",
    )


class StructureMixin(OrganizationsBase):
    sealer: Sealer
    iam: Any  # the IAM provider: CreateAccount makes the new account's access role through it

    # --- accounts --------------------------------------------------------------------------------------------

    def create_account(self, call: Call, params: Params) -> Params:
        now = call.now()
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            created = create_account(
                tx,
                self.sealer,
                partition=call.partition,
                now=now,
                name=params["AccountName"],
                email=params["Email"],
                taken=frozenset({call.account_id}),
            )
            account = created.account.account_id
            member = Member(
                account_id=account,
                org_id=org.org_id,
                parent_id=org.root_id,
                name=params["AccountName"],
                email=params["Email"],
                arn=f"arn:{call.partition}:organizations::{org.management_account}:account/{org.org_id}/{account}",
                joined_method="CREATED",
                joined=now,
                tags=tags_from(params),
            )
            tx.put(self.scope(call), account, member)
            attach_full_access(tx, call, org, account)
            request = CreateAccountRequest(
                request_id=f"car-{ids.token_bytes(16).hex()}",
                org_id=org.org_id,
                account_name=params["AccountName"],
                state="SUCCEEDED",
                requested=now,
                completed=now,
                account_id=account,
            )
            tx.put(self.scope(call), f"{org.org_id}/{request.request_id}", request)
        self._create_access_role(
            call, org, account, params.get("RoleName") or "OrganizationAccountAccessRole"
        )
        # AWS answers before the account exists; clients poll DescribeCreateAccountStatus, which says SUCCEEDED.
        return {
            "CreateAccountStatus": status_output(
                replace(request, state="IN_PROGRESS", completed=None, account_id=None)
            )
        }

    def _create_access_role(self, call: Call, org: Organization, account: str, role_name: str) -> None:
        """The role AWS creates in every account CreateAccount makes: full access, trusted by the management
        account."""
        root = Principal(
            "root", account, f"arn:{call.partition}:iam::{account}:root", account, partition=call.partition
        )
        as_new = replace(call, principal=root, account_id=account, service="iam", operation="CreateRole")
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{call.partition}:iam::{org.management_account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        self.iam.create_role(as_new, {"RoleName": role_name, "AssumeRolePolicyDocument": json.dumps(trust)})
        self.iam.attach_role_policy(
            replace(as_new, operation="AttachRolePolicy"),
            {"RoleName": role_name, "PolicyArn": ADMINISTRATOR_ACCESS.format(partition=call.partition)},
        )

    def describe_create_account_status(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            request = reader.get(
                self.scope(call), CreateAccountRequest, f"{org.org_id}/{params['CreateAccountRequestId']}"
            )
        if request is None:
            raise error(
                "CreateAccountStatusNotFoundException",
                "We can't find an create account request with the CreateAccountRequestId that you specified.",
            )
        return {"CreateAccountStatus": status_output(request)}

    def list_create_account_status(self, call: Call, params: Params) -> Params:
        states = set(params.get("States") or ())
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            found = [
                status_output(record)
                for _, record in reader.list(self.scope(call), CreateAccountRequest, prefix=f"{org.org_id}/")
                if not states or record.state in states
            ]
        chosen, extra = page(found, params)
        return {"CreateAccountStatuses": chosen, **extra}

    def list_accounts(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            members = self._members(reader, call, org)
        chosen, extra = page([member_output(member) for member in members], params)
        return {"Accounts": chosen, **extra}

    def describe_account(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            member = member_of(reader, call.partition, params["AccountId"])
        if member is None or member.org_id != org.org_id:
            raise account_not_found()
        return {"Account": member_output(member)}

    def list_accounts_for_parent(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            parent = self._parent(reader, call, org, params["ParentId"])
            members = [member for member in self._members(reader, call, org) if member.parent_id == parent]
        chosen, extra = page([member_output(member) for member in members], params)
        return {"Accounts": chosen, **extra}

    def move_account(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            member = member_of(tx, call.partition, params["AccountId"])
            if member is None or member.org_id != org.org_id:
                raise account_not_found()
            source = self._parent(tx, call, org, params["SourceParentId"])
            destination = self._parent(tx, call, org, params["DestinationParentId"])
            if member.parent_id != source:
                raise error(
                    "SourceParentNotFoundException",
                    "We can't find a source root or OU with the ParentId that you specified.",
                )
            if source == destination:
                raise error(
                    "DuplicateAccountException",
                    "That account is already present in the specified destination.",
                )
            member.parent_id = destination
            tx.put(self.scope(call), member.account_id, member)
        return {}

    def remove_account_from_organization(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            account = params["AccountId"]
            if account == org.management_account:
                raise constraint(
                    "MASTER_ACCOUNT_CANNOT_LEAVE_ORGANIZATION",
                    "You can't remove the management account from an organization.",
                )
            self._remove(tx, call, org, account)
        return {}

    def leave_organization(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org, member = self.caller_org(tx, call)
            if member.account_id == org.management_account:
                raise constraint(
                    "MASTER_ACCOUNT_CANNOT_LEAVE_ORGANIZATION",
                    "You can't remove the management account from an organization.",
                )
            self._remove(tx, call, org, member.account_id)
        return {}

    def _remove(self, tx: Transaction, call: Call, org: Organization, account: str) -> None:
        member = member_of(tx, call.partition, account)
        if member is None or member.org_id != org.org_id:
            raise account_not_found()
        scope = self.scope(call)
        for key, record in tx.list(scope, PolicyAttachment, prefix=f"{org.org_id}/"):
            if record.target_id == account:
                tx.delete(scope, PolicyAttachment, key)
        tx.delete(scope, Member, account)

    def _members(self, reader: Reader, call: Call, org: Organization) -> list[Member]:
        members = [
            member for _, member in reader.list(self.scope(call), Member) if member.org_id == org.org_id
        ]
        return sorted(members, key=lambda member: member.joined)

    # --- organizational units ----------------------------------------------------------------------------------

    def create_organizational_unit(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            parent = self._parent(tx, call, org, params["ParentId"])
            depth = len(self._ancestors(tx, call, org, parent))
            if depth >= 5:
                raise constraint(
                    "OU_DEPTH_LIMIT_EXCEEDED",
                    "You attempted to create an OU tree that is too many levels deep.",
                )
            if any(unit.name == params["Name"] for unit in self._units(tx, call, org, parent)):
                raise error(
                    "DuplicateOrganizationalUnitException", "An OU with the same name already exists."
                )
            ou_id = f"ou-{org.root_id[2:]}-{random_id(8)}"
            unit = Unit(
                ou_id=ou_id,
                org_id=org.org_id,
                parent_id=parent,
                name=params["Name"],
                arn=f"arn:{call.partition}:organizations::{org.management_account}:ou/{org.org_id}/{ou_id}",
                tags=tags_from(params),
            )
            tx.put(self.scope(call), f"{org.org_id}/{ou_id}", unit)
            attach_full_access(tx, call, org, ou_id)
        return {"OrganizationalUnit": unit_output(unit)}

    def describe_organizational_unit(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            unit = self._unit(reader, call, org, params["OrganizationalUnitId"])
        return {"OrganizationalUnit": unit_output(unit)}

    def update_organizational_unit(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            unit = self._unit(tx, call, org, params["OrganizationalUnitId"])
            name = params.get("Name")
            if name and name != unit.name:
                if any(other.name == name for other in self._units(tx, call, org, unit.parent_id)):
                    raise error(
                        "DuplicateOrganizationalUnitException", "An OU with the same name already exists."
                    )
                unit.name = name
                tx.put(self.scope(call), f"{org.org_id}/{unit.ou_id}", unit)
        return {"OrganizationalUnit": unit_output(unit)}

    def delete_organizational_unit(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            org = self.managed_org(tx, call)
            unit = self._unit(tx, call, org, params["OrganizationalUnitId"])
            has_accounts = any(member.parent_id == unit.ou_id for member in self._members(tx, call, org))
            if has_accounts or self._units(tx, call, org, unit.ou_id):
                raise error(
                    "OrganizationalUnitNotEmptyException",
                    "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all "
                    "child OUs, and try the operation again.",
                )
            scope = self.scope(call)
            for key, record in tx.list(scope, PolicyAttachment, prefix=f"{org.org_id}/"):
                if record.target_id == unit.ou_id:
                    tx.delete(scope, PolicyAttachment, key)
            tx.delete(scope, Unit, f"{org.org_id}/{unit.ou_id}")
        return {}

    def list_organizational_units_for_parent(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            parent = self._parent(reader, call, org, params["ParentId"])
            units = self._units(reader, call, org, parent)
        chosen, extra = page([unit_output(unit) for unit in units], params)
        return {"OrganizationalUnits": chosen, **extra}

    def list_children(self, call: Call, params: Params) -> Params:
        kind = params["ChildType"]
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            parent = self._parent(reader, call, org, params["ParentId"])
            if kind == "ACCOUNT":
                children = [m.account_id for m in self._members(reader, call, org) if m.parent_id == parent]
            else:
                children = [unit.ou_id for unit in self._units(reader, call, org, parent)]
        chosen, extra = page([{"Id": child, "Type": kind} for child in children], params)
        return {"Children": chosen, **extra}

    def list_parents(self, call: Call, params: Params) -> Params:
        child = params["ChildId"]
        with self.store.read() as reader:
            org = self.managed_org(reader, call, read_only=True)
            if child.startswith("ou-"):
                parent = self._unit(reader, call, org, child).parent_id
            else:
                member = member_of(reader, call.partition, child)
                if member is None or member.org_id != org.org_id:
                    raise error(
                        "ChildNotFoundException",
                        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
                    )
                parent = member.parent_id
        kind = "ROOT" if parent == org.root_id else "ORGANIZATIONAL_UNIT"
        return {"Parents": [{"Id": parent, "Type": kind}]}

    def _parent(self, reader: Reader, call: Call, org: Organization, parent_id: str) -> str:
        if parent_id == org.root_id:
            return parent_id
        if (
            parent_id.startswith("ou-")
            and reader.get(self.scope(call), Unit, f"{org.org_id}/{parent_id}") is not None
        ):
            return parent_id
        raise parent_not_found()

    def _unit(self, reader: Reader, call: Call, org: Organization, ou_id: str) -> Unit:
        unit = reader.get(self.scope(call), Unit, f"{org.org_id}/{ou_id}")
        if unit is None:
            raise unit_not_found()
        return unit

    def _units(self, reader: Reader, call: Call, org: Organization, parent: str) -> list[Unit]:
        return [
            unit
            for _, unit in reader.list(self.scope(call), Unit, prefix=f"{org.org_id}/")
            if unit.parent_id == parent
        ]

    def _ancestors(self, reader: Reader, call: Call, org: Organization, parent: str) -> list[str]:
        chain: list[str] = []
        current = parent
        while current != org.root_id and len(chain) < 10:
            chain.append(current)
            current = self._unit(reader, call, org, current).parent_id
        return chain
