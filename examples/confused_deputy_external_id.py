"""The confused deputy, and the ExternalId that stops it.

A vendor (account A) reads its customers' data through a role each customer (account B) creates. Without an
ExternalId condition, anyone who learns the role's ARN and also uses the vendor could get the vendor to assume
it for them. With `sts:ExternalId` in the trust policy, only requests carrying the customer's secret id pass.

Run: `python examples/confused_deputy_external_id.py` (starts its own server on a free port).
"""

from __future__ import annotations

import json

import botocore.exceptions

from shieldwall.testing import shieldwall_server


def main() -> None:
    with shieldwall_server() as vendor_root:
        vendor_account = vendor_root.client("sts").get_caller_identity()["Account"]
        customer_root = vendor_root.create_account("customer")

        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{vendor_account}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": "customer-7f3a"}},
                }
            ],
        }
        role_arn = customer_root.client("iam").create_role(
            RoleName="VendorReadOnly", AssumeRolePolicyDocument=json.dumps(trust)
        )["Role"]["Arn"]

        iam = vendor_root.client("iam")
        iam.create_user(UserName="deputy")
        iam.put_user_policy(
            UserName="deputy",
            PolicyName="assume-customer-roles",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
                }
            ),
        )
        deputy = vendor_root.with_credentials(iam.create_access_key(UserName="deputy")["AccessKey"])
        sts = deputy.client("sts")

        for external_id in (None, "guessed-id", "customer-7f3a"):
            extra = {} if external_id is None else {"ExternalId": external_id}
            try:
                answer = sts.assume_role(RoleArn=role_arn, RoleSessionName="deputy", **extra)
                print(f"ExternalId={external_id!r}: allowed as {answer['AssumedRoleUser']['Arn']}")
            except botocore.exceptions.ClientError as denied:
                print(f"ExternalId={external_id!r}: {denied.response['Error']['Code']}")


if __name__ == "__main__":
    main()
