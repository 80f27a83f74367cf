"""Every Secrets Manager operation answers hostile input with a 4xx AWS error, and what is stored is unchanged."""

from __future__ import annotations

import os
from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config

from shieldwall.services.secretsmanager.authz import AUTHZ
from shieldwall.spec.loader import service_model
from shieldwall.testing import ServerInfo

HOSTILE = (
    "",
    "arn:aws:secretsmanager",
    "arn:aws:secretsmanager:us-east-1:abc:secret:x",
    "arn:aws:iam::000000000000:user/s",
    "../../etc/passwd",
    "s" * 2048,
    "\u0000\u202e",
    "cron(* * * * * *)",
)
# Operations hostile input can legitimately succeed for (they name no secret, or every member is optional).
MAY_SUCCEED = {"ListSecrets", "GetRandomPassword", "CreateSecret", "DeleteSecret", "ValidateResourcePolicy"}


def hostile_value(shape: Any, text: str, depth: int = 0) -> Any:
    if depth > 3:
        return None
    kinds = {
        "string": lambda: text,
        "blob": lambda: os.urandom(64),
        "integer": lambda: -5,
        "long": lambda: 10**12,
        "boolean": lambda: True,
        "map": lambda: {text or "k": text},
        "list": lambda: [hostile_value(shape.member, text, depth + 1)],
        "structure": lambda: {
            name: hostile_value(member, text, depth + 1) for name, member in shape.members.items()
        },
        "timestamp": lambda: 0,
    }
    return kinds[shape.type_name]()


@pytest.mark.parametrize("operation", sorted(AUTHZ))
def test_hostile_input_is_answered_with_a_client_error(shieldwall: ServerInfo, operation: str) -> None:
    owner = shieldwall.client("secretsmanager")
    owner.create_secret(Name="kept", SecretString="unchanged", Tags=[{"Key": "k", "Value": "v"}])
    client = shieldwall.client(
        "secretsmanager", config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
    )
    shape = service_model("secretsmanager").operation_model(operation).input_shape
    method = getattr(client, botocore.xform_name(operation))
    for text in HOSTILE:
        params = {name: hostile_value(member, text) for name, member in shape.members.items()}
        try:
            method(**params)
        except botocore.exceptions.ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            assert 400 <= status < 500 or status == 501, (operation, text, error.response["Error"])
        except botocore.exceptions.ParamValidationError:
            continue
        else:
            assert operation in MAY_SUCCEED, (operation, text)
    assert owner.get_secret_value(SecretId="kept")["SecretString"] == "unchanged"
    assert owner.describe_secret(SecretId="kept")["Tags"] == [{"Key": "k", "Value": "v"}]
