"""The AWS CLI, a restart in the middle, and no plaintext anywhere in the data directory."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from secrets_helpers import error_of

from shieldwall.testing import ServerInfo, ShieldwallServer

DAY = 86_400


def _aws() -> str:
    found = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    assert Path(found).exists(), "the AWS CLI is installed in the virtualenv"
    return found


def test_the_aws_cli_reads_a_secret(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="cli/secret", SecretString='{"password":"from-the-cli"}')
    env = {**os.environ, **shieldwall.env(), "AWS_PAGER": ""}
    result = subprocess.run(
        [_aws(), "secretsmanager", "get-secret-value", "--secret-id", "cli/secret", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["SecretString"] == '{"password":"from-the-cli"}'
    assert answer["VersionStages"] == ["AWSCURRENT"]

    missing = subprocess.run(
        [_aws(), "secretsmanager", "get-secret-value", "--secret-id", "nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr
    assert "Secrets Manager can't find the specified secret." in missing.stderr


def _forms(secret: bytes) -> list[bytes]:
    """`secret` as it could appear in a file: raw, hex, and base64 at any alignment."""
    forms = [secret, secret.hex().encode()]
    forms += [base64.b64encode(secret[start : start + 30]) for start in range(3)]
    return forms


def test_no_plaintext_reaches_the_data_directory(shieldwall: ServerInfo, sm: Any, key_arn: str) -> None:
    text = "PLAINTEXT-MARKER-" + os.urandom(12).hex() + "-" * 30
    binary = b"BINARY-MARKER-" + os.urandom(24)
    sm.create_secret(Name="text", SecretString=text, KmsKeyId=key_arn)
    sm.create_secret(Name="binary", SecretBinary=binary, AddReplicaRegions=[{"Region": "eu-west-1"}])
    sm.put_secret_value(SecretId="text", SecretString=text + "2")
    sm.update_secret(SecretId="text", KmsKeyId="")
    assert sm.get_secret_value(SecretId="text")["SecretString"] == text + "2"
    assert (
        sm.batch_get_secret_value(SecretIdList=["text", "binary"])["SecretValues"][1]["SecretBinary"]
        == binary
    )
    password = sm.get_random_password(PasswordLength=64)["RandomPassword"]

    files = [path.read_bytes() for path in shieldwall.data_dir.rglob("*") if path.is_file()]
    for secret in (text.encode(), binary, password.encode()):
        for form in _forms(secret):
            assert not any(form in content for content in files)


def test_versions_labels_and_deletion_windows_survive_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    first = ShieldwallServer(data_dir=data_dir)
    try:
        server = first.start()
        sm = server.client("secretsmanager")
        key = server.client("kms").create_key()["KeyMetadata"]["Arn"]
        v1 = sm.create_secret(Name="kept", SecretString="one", KmsKeyId=key)["VersionId"]
        v2 = sm.put_secret_value(SecretId="kept", SecretString="two", VersionStages=["AWSPENDING"])[
            "VersionId"
        ]
        sm.create_secret(Name="doomed", SecretString="gone soon")
        sm.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
        sm.put_resource_policy(
            SecretId="kept",
            ResourcePolicy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )
    finally:
        first.stop()

    second = ShieldwallServer(data_dir=data_dir)
    try:
        server = second.start()
        sm = server.client("secretsmanager")
        assert sm.get_secret_value(SecretId="kept")["SecretString"] == "one"
        assert sm.get_secret_value(SecretId="kept", VersionStage="AWSPENDING")["SecretString"] == "two"
        assert sm.describe_secret(SecretId="kept")["VersionIdsToStages"] == {
            v1: ["AWSCURRENT"],
            v2: ["AWSPENDING"],
        }
        assert "ResourcePolicy" in sm.get_resource_policy(SecretId="kept")
        assert error_of(sm.get_secret_value, SecretId="doomed")[0] == "InvalidRequestException"
        server.advance_clock(8 * DAY)
        assert error_of(sm.describe_secret, SecretId="doomed")[0] == "ResourceNotFoundException"
    finally:
        second.stop()
