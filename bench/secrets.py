"""`python -m bench secrets`: Secrets Manager GetSecretValue and SSM GetParameter(WithDecryption), shieldwall
beside moto's server. shieldwall decrypts for real through its KMS, with the caller's kms:Decrypt judged (key
policy and IAM) and the audit trail on — the service call's event and the KMS call's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.json_ops import Operation, Scenario
from bench.json_ops import main as run_scenario

RESULTS = Path(__file__).resolve().parent / "results" / "secrets.md"
VALUE = '{"username":"app","password":"' + "p" * 32 + '"}'


def setup(make: Callable[[str], Any]) -> list[Operation]:
    make("secretsmanager").create_secret(Name="bench/db", SecretString=VALUE)
    make("ssm").put_parameter(Name="/bench/db/password", Value="p" * 32, Type="SecureString")
    return [
        Operation(
            "GetSecretValue",
            "secretsmanager",
            "secretsmanager.GetSecretValue",
            {"SecretId": "bench/db"},
            lambda c: c.get_secret_value(SecretId="bench/db"),
        ),
        Operation(
            "GetParameter (WithDecryption)",
            "ssm",
            "AmazonSSM.GetParameter",
            {"Name": "/bench/db/password", "WithDecryption": True},
            lambda c: c.get_parameter(Name="/bench/db/password", WithDecryption=True),
        ),
    ]


SCENARIO = Scenario(
    "Secrets benchmark",
    "A 70-byte secret under the AWS managed key aws/secretsmanager; a 32-byte SecureString under aws/ssm.",
    setup,
)


def main(argv: list[str] | None = None) -> int:
    return run_scenario(SCENARIO, RESULTS, argv)
