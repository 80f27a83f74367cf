"""The estate Organizations tests run in (a module of its own: `conftest` names clash across test folders)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shieldwall.testing import ServerInfo

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass
class Estate:
    server: ServerInfo
    org: dict[str, Any]
    root_id: str
    workloads: str  # OU under the root
    prod_ou: str  # OU under Workloads
    dev: str  # account in Workloads
    prod: str  # account in Prod
    admin: ServerInfo  # an IAM user of the management account with AdministratorAccess

    @property
    def orgs(self) -> Any:
        return self.server.client("organizations")

    def session_in(self, account: str, region: str | None = None) -> ServerInfo:
        """A session of OrganizationAccountAccessRole in `account`, assumed by the management account's admin."""
        answer = self.admin.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="estate"
        )
        session = self.server.with_credentials(answer["Credentials"])
        return session if region is None else _in_region(session, region)

    def outsider(self) -> tuple[str, ServerInfo]:
        """An account outside the organization, and a user there allowed everything by its own policy."""
        outsider_root = self.server.create_account("outsider")
        account = str(outsider_root.client("sts").get_caller_identity()["Account"])
        iam = outsider_root.client("iam")
        iam.create_user(UserName="x")
        iam.put_user_policy(
            UserName="x",
            PolicyName="all",
            PolicyDocument=document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        )
        return account, self.server.with_credentials(iam.create_access_key(UserName="x")["AccessKey"])

    def policy(self, name: str, *statements: dict[str, Any], kind: str = "SERVICE_CONTROL_POLICY") -> str:
        created = self.orgs.create_policy(
            Name=name, Description=name, Type=kind, Content=document(*statements)
        )
        return str(created["Policy"]["PolicySummary"]["Id"])

    def rcp(self, name: str, *statements: dict[str, Any]) -> str:
        """A resource control policy, with the policy type enabled at the root first."""
        self.orgs.enable_policy_type(RootId=self.root_id, PolicyType="RESOURCE_CONTROL_POLICY")
        return self.policy(name, *statements, kind="RESOURCE_CONTROL_POLICY")


def _in_region(server: ServerInfo, region: str) -> ServerInfo:
    from dataclasses import replace

    return replace(server, region=region)
