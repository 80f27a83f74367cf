"""State across a restart of the server (versions, labels, tags, SecureStrings, policies) and the per-Region
parameter quotas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ssm_helpers import ACCOUNT, DAY, REGION

from shieldwall.services.ssm.models import Tally
from shieldwall.store.base import Scope
from shieldwall.store.sqlite import SqliteStore
from shieldwall.testing import ServerInfo, ShieldwallServer, aws_error


@contextmanager
def running(data_dir: Path) -> Iterator[ServerInfo]:
    server = ShieldwallServer(data_dir=data_dir)
    try:
        yield server.start()
    finally:
        server.stop()


def test_versions_labels_and_secrets_survive_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    expires = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with running(data_dir) as first:
        ssm, kms = first.client("ssm"), first.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        for value in ("one", "two", "three"):
            ssm.put_parameter(Name="/app/secret", Value=value, Type="SecureString", KeyId=key, Overwrite=True)
        ssm.label_parameter_version(Name="/app/secret", ParameterVersion=2, Labels=["stable"])
        ssm.put_parameter(Name="/app/plain", Value="p", Type="String", Tags=[{"Key": "team", "Value": "red"}])
        policies = json.dumps(
            [{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": expires}}]
        )
        ssm.put_parameter(
            Name="/app/temp", Value="t", Type="SecureString", Tier="Advanced", Policies=policies
        )

    with running(data_dir) as second:
        ssm = second.client("ssm")
        history = ssm.get_parameter_history(Name="/app/secret", WithDecryption=True)["Parameters"]
        assert [(entry["Value"], entry["Labels"]) for entry in history] == [
            ("one", []),
            ("two", ["stable"]),
            ("three", []),
        ]
        assert (
            ssm.get_parameter(Name="/app/secret:stable", WithDecryption=True)["Parameter"]["Value"] == "two"
        )
        assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/app/plain")["TagList"] == [
            {"Key": "team", "Value": "red"}
        ]
        assert ssm.put_parameter(Name="/app/secret", Value="four", Overwrite=True)["Version"] == 4
        assert ssm.get_parameter(Name="/app/temp", WithDecryption=True)["Parameter"]["Value"] == "t"
        second.advance_clock(4 * DAY)
        assert aws_error(ssm.get_parameter, Name="/app/temp")[0] == "ParameterNotFound"


def seed_tally(data_dir: Path, standard: int) -> None:
    store = SqliteStore(data_dir)
    try:
        with store.transaction() as tx:
            tx.put(Scope("aws", ACCOUNT, REGION), "tally", Tally(standard=standard))
    finally:
        store.close()


def test_ten_thousand_standard_parameters_per_region(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    with running(data_dir) as server:
        server.client("ssm").put_parameter(Name="/first", Value="v", Type="String")
    seed_tally(data_dir, 9_999)
    with running(data_dir) as server:
        ssm: Any = server.client("ssm")
        ssm.put_parameter(Name="/last", Value="v", Type="String")
        assert aws_error(ssm.put_parameter, Name="/over", Value="v", Type="String") == (
            "ParameterLimitExceeded",
            400,
            "You have exceeded the number of parameters for this AWS account. Delete one or more parameters and "
            "try again.",
        )
        assert (
            ssm.put_parameter(Name="/over", Value="v", Type="String", Tier="Advanced")["Tier"] == "Advanced"
        )
        ssm.put_parameter(Name="/first", Value="w", Type="String", Overwrite=True)
        ssm.delete_parameter(Name="/last")
        assert ssm.put_parameter(Name="/again", Value="v", Type="String")["Version"] == 1
