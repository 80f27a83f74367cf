"""The Organizations API as boto3 sees it: shapes, the OU tree, policies and targets, who may call what."""

from __future__ import annotations

from org_helpers import Estate, document

from shieldwall.accounts import ROOT_SECRET_PURPOSE, list_accounts
from shieldwall.store.rootkey import KEY_FILE, read_root_key
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore
from shieldwall.testing import ServerInfo
from shieldwall.testing import aws_error as error_of


def test_describe_organization_and_roots(estate: Estate) -> None:
    org = estate.orgs.describe_organization()["Organization"]
    account = estate.server.client("sts").get_caller_identity()["Account"]
    assert org["Id"].startswith("o-") and len(org["Id"]) == 12
    assert org["Arn"] == f"arn:aws:organizations::{account}:organization/{org['Id']}"
    assert org["MasterAccountId"] == account and org["FeatureSet"] == "ALL"
    root = estate.orgs.list_roots()["Roots"][0]
    assert root["Id"].startswith("r-")
    assert root["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]


def test_accounts_and_the_ou_tree(estate: Estate) -> None:
    accounts = {a["Id"]: a for a in estate.orgs.list_accounts()["Accounts"]}
    assert {estate.dev, estate.prod} <= set(accounts)
    assert accounts[estate.dev]["Name"] == "dev" and accounts[estate.dev]["Status"] == "ACTIVE"
    assert accounts[estate.dev]["JoinedMethod"] == "CREATED"
    children = estate.orgs.list_children(ParentId=estate.workloads, ChildType="ORGANIZATIONAL_UNIT")[
        "Children"
    ]
    assert children == [{"Id": estate.prod_ou, "Type": "ORGANIZATIONAL_UNIT"}]
    assert estate.orgs.list_parents(ChildId=estate.prod)["Parents"] == [
        {"Id": estate.prod_ou, "Type": "ORGANIZATIONAL_UNIT"}
    ]
    assert estate.orgs.list_parents(ChildId=estate.workloads)["Parents"] == [
        {"Id": estate.root_id, "Type": "ROOT"}
    ]
    in_workloads = estate.orgs.list_accounts_for_parent(ParentId=estate.workloads)["Accounts"]
    assert [a["Id"] for a in in_workloads] == [estate.dev]
    code, _, _ = error_of(estate.orgs.delete_organizational_unit, OrganizationalUnitId=estate.workloads)
    assert code == "OrganizationalUnitNotEmptyException"
    code, _, _ = error_of(estate.orgs.create_organizational_unit, ParentId=estate.root_id, Name="Workloads")
    assert code == "DuplicateOrganizationalUnitException"


def test_full_aws_access_is_attached_everywhere_and_policies_list_their_targets(estate: Estate) -> None:
    for target in (estate.root_id, estate.workloads, estate.prod_ou, estate.dev, estate.prod):
        attached = estate.orgs.list_policies_for_target(TargetId=target, Filter="SERVICE_CONTROL_POLICY")[
            "Policies"
        ]
        assert [p["Id"] for p in attached] == ["p-FullAWSAccess"]
        assert attached[0]["AwsManaged"] is True
    targets = estate.orgs.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]
    assert {t["Type"] for t in targets} == {"ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT"}
    policy_id = estate.policy("Custom", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    estate.orgs.attach_policy(PolicyId=policy_id, TargetId=estate.dev)
    assert error_of(estate.orgs.attach_policy, PolicyId=policy_id, TargetId=estate.dev)[0] == (
        "DuplicatePolicyAttachmentException"
    )
    assert error_of(estate.orgs.delete_policy, PolicyId=policy_id)[0] == "PolicyInUseException"
    estate.orgs.detach_policy(PolicyId=policy_id, TargetId=estate.dev)
    estate.orgs.delete_policy(PolicyId=policy_id)
    assert error_of(estate.orgs.describe_policy, PolicyId=policy_id)[0] == "PolicyNotFoundException"


def test_member_accounts_may_not_manage_the_organization(estate: Estate) -> None:
    member = estate.session_in(estate.dev).client("organizations")
    assert member.describe_organization()["Organization"]["Id"] == estate.org["Id"]
    code, status, message = error_of(member.list_accounts)
    assert (code, status, message) == (
        "AccessDeniedException",
        400,
        "You don't have permissions to access this resource.",
    )
    assert (
        error_of(member.create_organizational_unit, ParentId=estate.root_id, Name="Mine")[0]
        == "AccessDeniedException"
    )


def test_delegated_administrators_may_read(estate: Estate) -> None:
    estate.orgs.register_delegated_administrator(
        AccountId=estate.dev, ServicePrincipal="securityhub.amazonaws.com"
    )
    admins = estate.orgs.list_delegated_administrators()["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [estate.dev]
    member = estate.session_in(estate.dev).client("organizations")
    assert {a["Id"] for a in member.list_accounts()["Accounts"]} >= {estate.dev, estate.prod}
    assert (
        error_of(member.create_organizational_unit, ParentId=estate.root_id, Name="Mine")[0]
        == "AccessDeniedException"
    )


def test_an_account_outside_any_organization_is_told_so(shieldwall: ServerInfo) -> None:
    code, _, message = error_of(shieldwall.client("organizations").describe_organization)
    assert code == "AWSOrganizationsNotInUseException"
    assert message == "Your account is not a member of an organization."


def test_create_organization_twice_is_refused(estate: Estate) -> None:
    assert error_of(estate.orgs.create_organization, FeatureSet="ALL")[0] == "AlreadyInOrganizationException"


def test_tags_on_accounts_and_ous(estate: Estate) -> None:
    estate.orgs.tag_resource(ResourceId=estate.dev, Tags=[{"Key": "env", "Value": "dev"}])
    estate.orgs.tag_resource(ResourceId=estate.workloads, Tags=[{"Key": "tier", "Value": "1"}])
    assert estate.orgs.list_tags_for_resource(ResourceId=estate.dev)["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]
    estate.orgs.untag_resource(ResourceId=estate.workloads, TagKeys=["tier"])
    assert estate.orgs.list_tags_for_resource(ResourceId=estate.workloads)["Tags"] == []


def test_rcps_limit_access_to_member_resources_from_outside_the_organization(estate: Estate) -> None:
    rcp = estate.rcp(
        "OrgOnly",
        {
            "Sid": "OrgOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": estate.org["Id"]}},
        },
    )
    estate.orgs.attach_policy(PolicyId=rcp, TargetId=estate.root_id)
    outsider_account, outsider = estate.outsider()
    dev = estate.session_in(estate.dev)
    open_trust = document(
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": [f"arn:aws:iam::{outsider_account}:root", f"arn:aws:iam::{estate.prod}:root"]
            },
            "Action": "sts:AssumeRole",
        }
    )
    role = dev.client("iam").create_role(RoleName="Partner", AssumeRolePolicyDocument=open_trust)["Role"][
        "Arn"
    ]
    code, _, message = error_of(outsider.client("sts").assume_role, RoleArn=role, RoleSessionName="partner")
    assert code == "AccessDenied" and "resource control policy" in message
    prod = estate.session_in(estate.prod)
    assert prod.client("sts").assume_role(RoleArn=role, RoleSessionName="insider")["Credentials"]


def test_rcps_do_not_reach_aws_managed_kms_keys(estate: Estate) -> None:
    """An RCP denying kms:Decrypt in a member account stops a read under a customer managed key, not one under
    the AWS managed aws/secretsmanager key (AWS KMS Developer Guide, "Resource control policies in AWS KMS")."""
    rcp = estate.rcp(
        "NoDecrypt",
        {"Effect": "Deny", "Principal": "*", "Action": ["kms:Decrypt", "kms:RetireGrant"], "Resource": "*"},
    )
    dev = estate.session_in(estate.dev)
    secrets = dev.client("secretsmanager")
    secrets.create_secret(Name="managed", SecretString="under aws/secretsmanager")
    key = dev.client("kms").create_key()["KeyMetadata"]["Arn"]
    secrets.create_secret(Name="customer", SecretString="under my key", KmsKeyId=key)
    estate.orgs.attach_policy(PolicyId=rcp, TargetId=estate.root_id)

    assert secrets.get_secret_value(SecretId="managed")["SecretString"] == "under aws/secretsmanager"
    code, _, message = error_of(secrets.get_secret_value, SecretId="customer")
    assert code == "AccessDeniedException" and message == "Access to KMS is not allowed"
    code, _, message = error_of(dev.client("kms").decrypt, CiphertextBlob=_ciphertext(dev, key))
    assert code == "AccessDeniedException" and "resource control policy" in message
    # Nor can an RCP govern kms:RetireGrant (the same guide): the grant's retiring principal still retires it.
    kms, me = dev.client("kms"), dev.client("sts").get_caller_identity()["Arn"]
    grant = kms.create_grant(KeyId=key, GranteePrincipal=me, RetiringPrincipal=me, Operations=["Encrypt"])
    kms.retire_grant(GrantToken=grant["GrantToken"])
    assert kms.list_grants(KeyId=key)["Grants"] == []


def _ciphertext(session: ServerInfo, key: str) -> bytes:
    return bytes(session.client("kms").encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"])


def test_an_rcp_binds_a_member_accounts_root_user(estate: Estate) -> None:
    """RCPs govern requests on a member account's resources whoever makes them, its root user included (here in
    an organization with RCPs and no SCPs, so nothing else sends root's own requests to the engine)."""
    estate.orgs.disable_policy_type(RootId=estate.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    root = _member_root(estate, estate.dev)
    secrets = root.client("secretsmanager")
    secrets.create_secret(Name="db", SecretString="s3cr3t")
    rcp = estate.rcp(
        "NoReads",
        {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:DescribeSecret", "Resource": "*"},
    )
    estate.orgs.attach_policy(PolicyId=rcp, TargetId=estate.dev)
    code, _, message = error_of(secrets.describe_secret, SecretId="db")
    assert code == "AccessDeniedException"
    assert message.startswith(f"User: arn:aws:iam::{estate.dev}:root is not authorized")
    assert "explicit deny in a resource control policy" in message
    assert secrets.get_secret_value(SecretId="db")["SecretString"] == "s3cr3t"  # not named by the RCP


def _member_root(estate: Estate, account: str) -> ServerInfo:
    """The root user of a member account made by CreateAccount. AWS gives it no password (one is set through
    "forgot password"); here its credentials are read from the data directory, under the server's root key."""
    store = SqliteStore(estate.server.data_dir)
    try:
        (found,) = [entry for entry in list_accounts(store, "aws") if entry.account_id == account]
    finally:
        store.close()
    sealer = Sealer(read_root_key(estate.server.data_dir / KEY_FILE))
    key_id = found.root_access_key_id
    secret = sealer.open_sealed(found.sealed_root_secret, ROOT_SECRET_PURPOSE, key_id.encode("ascii"))
    return estate.server.with_credentials({"AccessKeyId": key_id, "SecretAccessKey": secret.decode()})
