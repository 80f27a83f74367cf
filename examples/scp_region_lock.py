"""An organization whose SCP keeps member accounts in one region, while the management account is unaffected.

Run: `python examples/scp_region_lock.py` (starts its own server on a free port).
"""

from __future__ import annotations

import json

import botocore.exceptions

from shieldwall.testing import shieldwall_server

REGION_LOCK = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
        }
    ],
}


def main() -> None:
    with shieldwall_server() as management:
        orgs = management.client("organizations")
        orgs.create_organization(FeatureSet="ALL")
        root_id = orgs.list_roots()["Roots"][0]["Id"]
        orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
        status = orgs.create_account(Email="dev@example.com", AccountName="dev")["CreateAccountStatus"]
        dev = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        lock = orgs.create_policy(
            Name="RegionLock",
            Description="us-east-1 only",
            Type="SERVICE_CONTROL_POLICY",
            Content=json.dumps(REGION_LOCK),
        )["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=lock, TargetId=root_id)

        iam = management.client("iam")
        iam.create_user(UserName="ops")
        iam.attach_user_policy(UserName="ops", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        ops = management.with_credentials(iam.create_access_key(UserName="ops")["AccessKey"])
        role = f"arn:aws:iam::{dev['AccountId']}:role/OrganizationAccountAccessRole"
        session = ops.with_credentials(
            ops.client("sts").assume_role(RoleArn=role, RoleSessionName="ops")["Credentials"]
        )
        worker_trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{dev['AccountId']}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        worker = session.client("iam").create_role(
            RoleName="Worker", AssumeRolePolicyDocument=json.dumps(worker_trust)
        )["Role"]["Arn"]
        for region in ("us-east-1", "eu-west-1"):
            try:
                session.client("sts", region_name=region).assume_role(RoleArn=worker, RoleSessionName="work")
                print(f"member account in {region}: allowed")
            except botocore.exceptions.ClientError as denied:
                print(f"member account in {region}: {denied.response['Error']['Message']}")
        ops.client("sts", region_name="eu-west-1").assume_role(RoleArn=role, RoleSessionName="mgmt")
        print("management account in eu-west-1: allowed (SCPs never restrict it)")


if __name__ == "__main__":
    main()
