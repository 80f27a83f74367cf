"""An organization with a two-level OU tree and two member accounts, and sessions in each account."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions
import pytest

from shieldwall.testing import ServerInfo

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int, str]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


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

    def policy(self, name: str, *statements: dict[str, Any]) -> str:
        created = self.orgs.create_policy(
            Name=name, Description=name, Type="SERVICE_CONTROL_POLICY", Content=document(*statements)
        )
        return str(created["Policy"]["PolicySummary"]["Id"])


def _in_region(server: ServerInfo, region: str) -> ServerInfo:
    from dataclasses import replace

    return replace(server, region=region)


@pytest.fixture
def estate(shieldwall: ServerInfo) -> Estate:
    orgs = shieldwall.client("organizations")
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    workloads = orgs.create_organizational_unit(ParentId=root_id, Name="Workloads")["OrganizationalUnit"][
        "Id"
    ]
    prod_ou = orgs.create_organizational_unit(ParentId=workloads, Name="Prod")["OrganizationalUnit"]["Id"]
    accounts = {}
    for name in ("dev", "prod"):
        status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        done = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        assert done["State"] == "SUCCEEDED"
        accounts[name] = done["AccountId"]
    orgs.move_account(AccountId=accounts["dev"], SourceParentId=root_id, DestinationParentId=workloads)
    orgs.move_account(AccountId=accounts["prod"], SourceParentId=root_id, DestinationParentId=prod_ou)
    iam = shieldwall.client("iam")
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn=ADMIN)
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    return Estate(
        shieldwall,
        org,
        root_id,
        workloads,
        prod_ou,
        accounts["dev"],
        accounts["prod"],
        shieldwall.with_credentials(key),
    )
