"""`policies_of`: the compiled policies enforcement reads for a user or role, fresh after every change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shieldwall import arn
from shieldwall.audit.log import AuditLog
from shieldwall.auth.principal import Principal
from shieldwall.clock import Clock
from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.request import AuthzRequest
from shieldwall.services.base import Call
from shieldwall.services.iam import principal_policies
from shieldwall.services.iam.principal_policies import PrincipalPolicies, policies_of
from shieldwall.services.iam.provider import IamProvider
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

ACCOUNT = "000000000000"
ROOT = Principal("root", ACCOUNT, arn.root_arn(ACCOUNT), ACCOUNT)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def allow(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


class Iam:
    """The IAM provider in-process, called as the gateway calls it (as the account's root user)."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.provider = IamProvider(store, Sealer(b"k" * 32), AuditLog(store))

    def __getattr__(self, operation: str) -> Any:
        def call(**params: Any) -> Any:
            context = Call("req", "iam", operation, ROOT, "aws", ACCOUNT, "us-east-1", Clock())
            return getattr(self.provider, operation)(context, params)

        return call

    def policies(self, kind: str, name: str) -> PrincipalPolicies:
        with self.store.read() as reader:
            return policies_of(reader, "aws", ACCOUNT, kind, name)

    def allowed(self, kind: str, name: str, action: str) -> bool:
        found = self.policies(kind, name)
        principal = arn.build("iam", "", ACCOUNT, f"{kind}/{name}")
        request = AuthzRequest(principal, ACCOUNT, action, "*")
        return decide(request, PolicySet(identity=found.identity, boundary=found.boundary)).allowed


@pytest.fixture
def iam(tmp_path: Path) -> Iterator[Iam]:
    store = SqliteStore(tmp_path)
    try:
        yield Iam(store)
    finally:
        store.close()


def names(found: PrincipalPolicies) -> list[str]:
    return [policy.name for policy in found.identity]


def test_user_policies_include_inline_attached_and_every_groups_policies(iam: Iam) -> None:
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    managed = iam.create_policy(PolicyName="Read", PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    iam.put_user_policy(UserName="alice", PolicyName="Own", PolicyDocument=allow("sqs:SendMessage"))
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.put_group_policy(GroupName="devs", PolicyName="Team", PolicyDocument=allow("kms:Decrypt"))
    iam.attach_group_policy(GroupName="devs", PolicyArn=managed)

    assert names(iam.policies("user", "alice")) == [
        "user/alice inline:Own",
        "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
        "group/devs inline:Team",
        managed,
    ]
    for action in ("s3:GetObject", "sqs:SendMessage", "iam:GetUser", "kms:Decrypt"):
        assert iam.allowed("user", "alice", action)
    assert not iam.allowed("user", "alice", "kms:Encrypt")


def test_leaving_a_group_drops_its_policies_on_the_next_read(iam: Iam) -> None:
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_group_policy(GroupName="devs", PolicyName="Team", PolicyDocument=allow("kms:Decrypt"))
    assert iam.allowed("user", "alice", "kms:Decrypt")
    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    assert names(iam.policies("user", "alice")) == []
    assert not iam.allowed("user", "alice", "kms:Decrypt")


def test_new_default_version_is_visible_on_the_next_read(iam: Iam) -> None:
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
    policy = iam.create_policy(PolicyName="P", PolicyDocument=allow("s3:GetObject"))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=policy)
    assert iam.allowed("role", "app", "s3:GetObject")
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=allow("s3:PutObject"), SetAsDefault=False)
    assert iam.allowed("role", "app", "s3:GetObject")
    iam.set_default_policy_version(PolicyArn=policy, VersionId="v2")
    assert not iam.allowed("role", "app", "s3:GetObject")
    assert iam.allowed("role", "app", "s3:PutObject")
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=allow("sqs:*"), SetAsDefault=True)
    assert iam.allowed("role", "app", "sqs:ReceiveMessage")


def test_put_delete_and_detach_are_visible_on_the_next_read(iam: Iam) -> None:
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="P", PolicyDocument=allow("s3:GetObject"))
    assert iam.allowed("user", "bob", "s3:GetObject")
    iam.put_user_policy(UserName="bob", PolicyName="P", PolicyDocument=allow("s3:PutObject"))
    assert (iam.allowed("user", "bob", "s3:GetObject"), iam.allowed("user", "bob", "s3:PutObject")) == (
        False,
        True,
    )
    iam.delete_user_policy(UserName="bob", PolicyName="P")
    assert not iam.allowed("user", "bob", "s3:PutObject")
    iam.attach_user_policy(UserName="bob", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert iam.allowed("user", "bob", "ec2:RunInstances")
    iam.detach_user_policy(UserName="bob", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert not iam.allowed("user", "bob", "ec2:RunInstances")


def test_boundary_is_returned_and_caps_the_identity_policies(iam: Iam) -> None:
    iam.create_user(UserName="carol")
    iam.attach_user_policy(UserName="carol", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_user_permissions_boundary(
        UserName="carol", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    found = iam.policies("user", "carol")
    assert found.boundary is not None
    assert (found.boundary.name, found.boundary.kind) == (
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "boundary",
    )
    assert iam.allowed("user", "carol", "s3:GetObject")
    assert not iam.allowed("user", "carol", "ec2:RunInstances")
    iam.delete_user_permissions_boundary(UserName="carol")
    assert iam.policies("user", "carol").boundary is None
    assert iam.allowed("user", "carol", "ec2:RunInstances")


def test_compiled_policies_are_reused_between_reads(iam: Iam) -> None:
    iam.create_user(UserName="dave")
    iam.put_user_policy(UserName="dave", PolicyName="P", PolicyDocument=allow("s3:GetObject"))
    first, second = iam.policies("user", "dave"), iam.policies("user", "dave")
    assert first is second
    iam.create_user(UserName="erin")
    assert iam.policies("user", "dave") is first  # an unrelated change leaves the compiled policy in place
    assert iam.policies("user", "dave").identity[0] is first.identity[0]


def test_a_user_created_again_under_the_same_name_starts_without_policies(iam: Iam) -> None:
    iam.create_user(UserName="frank")
    iam.put_user_policy(UserName="frank", PolicyName="P", PolicyDocument=allow("s3:GetObject"))
    iam.delete_user_policy(UserName="frank", PolicyName="P")
    iam.delete_user(UserName="frank")
    iam.create_user(UserName="frank")
    assert iam.policies("user", "frank") == PrincipalPolicies((), None)


def test_renamed_user_keeps_its_policies(iam: Iam) -> None:
    iam.create_user(UserName="gina")
    iam.put_user_policy(UserName="gina", PolicyName="P", PolicyDocument=allow("s3:GetObject"))
    assert names(iam.policies("user", "gina")) == ["user/gina inline:P"]
    iam.update_user(UserName="gina", NewUserName="gina2")
    assert iam.allowed("user", "gina2", "s3:GetObject")
    assert names(iam.policies("user", "gina2")) == ["user/gina2 inline:P"]


def test_unknown_principal_has_no_policies_and_other_kinds_are_refused(iam: Iam) -> None:
    assert iam.policies("user", "nobody") == PrincipalPolicies((), None)
    assert iam.policies("role", "nobody") == PrincipalPolicies((), None)
    with pytest.raises(ValueError, match="kind must be"):
        iam.policies("group", "devs")


def test_a_stored_document_that_no_longer_compiles_denies_everything(
    iam: Iam, monkeypatch: pytest.MonkeyPatch
) -> None:
    iam.create_user(UserName="hal")
    iam.put_user_policy(UserName="hal", PolicyName="P", PolicyDocument=allow("s3:GetObject"))
    monkeypatch.setattr(principal_policies, "_compiled", {})
    monkeypatch.setattr(principal_policies, "_assembled", {})
    real_parse = principal_policies.parse_policy

    def stricter(text: str, kind: str, **options: Any) -> Any:
        if "s3:GetObject" in text:
            raise principal_policies.PolicyError(["no longer valid"])
        return real_parse(text, kind, **options)

    monkeypatch.setattr(principal_policies, "parse_policy", stricter)
    found = iam.policies("user", "hal")
    assert [policy.statements[0].effect for policy in found.identity] == ["Deny"]
    assert not iam.allowed("user", "hal", "s3:GetObject")
