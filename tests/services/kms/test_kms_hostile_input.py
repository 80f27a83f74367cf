"""Every implemented KMS operation answers hostile input with a 4xx AWS error: never a 500, never success."""

from __future__ import annotations

import os
from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config

from shieldwall.services.kms.authz import AUTHZ
from shieldwall.spec.loader import service_model
from shieldwall.testing import ServerInfo

HOSTILE_IDS = (
    "",
    "arn:aws:kms",
    "arn:aws:kms:us-east-1:abc:key/x",
    "arn:aws:iam::000000000000:user/key",
    "alias/",
    "alias/aws/../../etc",
    "mrk-" + "z" * 32,
    "k" * 2048,
    "\u0000\u202e",
)


def hostile_value(shape: Any, text: str) -> Any:
    kinds = {
        "string": lambda: text,
        "blob": lambda: os.urandom(64),
        "integer": lambda: -5,
        "long": lambda: -5,
        "boolean": lambda: False,
        "map": lambda: {text or "k": text},
        "list": lambda: [hostile_value(shape.member, text)],
        "structure": lambda: {},
        "timestamp": lambda: 0,
    }
    return kinds[shape.type_name]()


@pytest.mark.parametrize("operation", sorted(AUTHZ))
def test_hostile_input_is_answered_with_a_client_error(shieldwall: ServerInfo, operation: str) -> None:
    client = shieldwall.client(
        "kms", config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
    )
    shape = service_model("kms").operation_model(operation).input_shape
    method = getattr(client, botocore.xform_name(operation))
    for text in HOSTILE_IDS:
        params = {name: hostile_value(shape.members[name], text) for name in shape.required_members}
        if "KeyId" in shape.members:
            params["KeyId"] = text
        try:
            method(**params)
        except botocore.exceptions.ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            assert 400 <= status < 500, (operation, text, error.response["Error"])
        except botocore.exceptions.ParamValidationError:
            continue
        else:
            assert operation in ("ListKeys", "ListAliases", "CreateKey"), (operation, text)
