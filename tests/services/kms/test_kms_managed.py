"""`aws_managed_key`, as another service calls it inside its own transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shieldwall import ids
from shieldwall.auth.principal import Principal
from shieldwall.clock import Clock
from shieldwall.policy.authorizer import ActionRequest, PolicySet, decide
from shieldwall.policy.request import AuthzRequest
from shieldwall.services.base import Call
from shieldwall.services.kms import crypto
from shieldwall.services.kms.authz import via_service
from shieldwall.services.kms.cipher import open_symmetric, seal_symmetric
from shieldwall.services.kms.managed import aws_managed_key
from shieldwall.services.kms.models import Alias, Key
from shieldwall.services.kms.records import kept_up
from shieldwall.store.base import Scope
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

NOW = datetime(2025, 1, 1, tzinfo=UTC)
SCOPE = Scope("aws", "111122223333", "eu-west-1")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path)
    yield opened
    opened.close()


def managed(store: SqliteStore, service: str, sealer: Sealer | None = None) -> Key:
    with store.transaction() as tx:
        return aws_managed_key(tx, "aws", "111122223333", "eu-west-1", service, NOW, sealer=sealer)


def test_the_first_call_creates_the_key_and_later_calls_return_it(store: SqliteStore) -> None:
    first = managed(store, "aws/secretsmanager", Sealer(ids.token_bytes(32)))

    assert managed(store, "alias/aws/secretsmanager") == first
    with store.read() as reader:
        alias = reader.get(SCOPE, Alias, "alias/aws/secretsmanager")
    assert alias is not None and alias.target_key_id == first.key_id
    assert first.key_manager == "AWS" and first.rotation_period_days == 365
    assert '"kms:ViaService" : "secretsmanager.eu-west-1.amazonaws.com"' in first.policy


def test_a_key_made_without_a_sealer_gets_its_material_on_first_use(store: SqliteStore) -> None:
    sealer = Sealer(ids.token_bytes(32))
    key = managed(store, "aws/ssm")
    assert key.materials == []

    usable = kept_up(store, key, NOW, sealer, None)

    blob, material = seal_symmetric(sealer, usable, b"parameter", {"PARAMETER_ARN": "p"})
    assert crypto.blob_key(blob) == (usable.key_id, material.version)
    assert open_symmetric(sealer, usable, blob, material.version, {"PARAMETER_ARN": "p"})[0] == b"parameter"


def test_only_aws_aliases_name_aws_managed_keys(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="not an AWS managed key alias"):
        managed(store, "alias/mine")


def judged_for(request: ActionRequest, caller: Principal) -> bool:
    context = {name.lower(): values for name, values in request.context.items()}
    authz = AuthzRequest(
        caller.arn, caller.account_id, request.action, request.resource, "111122223333", context
    )
    policies = PolicySet(resource=request.resource_policy, resource_required=request.resource_required)
    return decide(authz, policies).allowed


def call_of(store: SqliteStore, caller: Principal) -> Call:
    return Call(
        "r", "secretsmanager", "GetSecretValue", caller, "aws", "111122223333", "eu-west-1", Clock(), store
    )


def test_the_aws_managed_key_policy_allows_the_account_through_its_service_only(store: SqliteStore) -> None:
    key = managed(store, "aws/secretsmanager", Sealer(ids.token_bytes(32)))
    alice = Principal("user", "111122223333", "arn:aws:iam::111122223333:user/alice", "AIDAALICE")
    stranger = Principal("user", "444455556666", "arn:aws:iam::444455556666:user/eve", "AIDAEVE")

    through = via_service("kms:Decrypt", key, call_of(store, alice), "secretsmanager", {"SecretARN": "s"})
    assert through.context["kms:ViaService"] == ("secretsmanager.eu-west-1.amazonaws.com",)
    assert judged_for(through, alice)
    assert not judged_for(via_service("kms:Decrypt", key, call_of(store, alice), "ssm"), alice)
    assert not judged_for(
        via_service("kms:Decrypt", key, call_of(store, stranger), "secretsmanager"), stranger
    )
