"""An organization with a two-level OU tree and two member accounts, and sessions in each account."""

from __future__ import annotations

import pytest
from org_helpers import ADMIN, Estate

from shieldwall.testing import ServerInfo


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
