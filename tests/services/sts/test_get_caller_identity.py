from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import botocore.exceptions
import pytest

from shieldwall.testing import ServerInfo

AWS_CLI = Path(sys.executable).parent / "aws"


def test_root_caller_identity_through_boto3(shieldwall: ServerInfo) -> None:
    answer = shieldwall.client("sts").get_caller_identity()
    assert answer["Account"] == "000000000000"
    assert answer["Arn"] == "arn:aws:iam::000000000000:root"
    assert answer["UserId"] == "000000000000"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer["ResponseMetadata"]["RequestId"]


def test_root_caller_identity_through_the_aws_cli(shieldwall: ServerInfo) -> None:
    environment = {**os.environ, **shieldwall.env()}
    result = subprocess.run(
        [str(AWS_CLI), "sts", "get-caller-identity", "--output", "json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "UserId": "000000000000",
        "Account": "000000000000",
        "Arn": "arn:aws:iam::000000000000:root",
    }


def test_wrong_secret_is_signature_does_not_match(shieldwall: ServerInfo) -> None:
    client = shieldwall.client("sts", aws_secret_access_key="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.get_caller_identity()
    error = raised.value.response
    assert error["Error"]["Code"] == "SignatureDoesNotMatch"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"].startswith("The request signature we calculated does not match")


def test_unknown_access_key_is_invalid_client_token_id(shieldwall: ServerInfo) -> None:
    client = shieldwall.client("sts", aws_access_key_id="AKIAUNKNOWNUNKNOWN00")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.get_caller_identity()
    error = raised.value.response
    assert error["Error"]["Code"] == "InvalidClientTokenId"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == "The security token included in the request is invalid."


def test_unsigned_call_is_missing_authentication_token(shieldwall: ServerInfo) -> None:
    from botocore import UNSIGNED
    from botocore.config import Config

    client = shieldwall.client("sts", config=Config(signature_version=UNSIGNED))
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.get_caller_identity()
    error = raised.value.response
    assert error["Error"]["Code"] == "MissingAuthenticationToken"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403


ROOT_TASK_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


def test_operation_not_implemented_answers_501_naming_it(shieldwall: ServerInfo) -> None:
    client = shieldwall.client("sts")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.assume_root(TargetPrincipal="123456789012", TaskPolicyArn={"arn": ROOT_TASK_POLICY})
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["Error"]["Code"] == "NotImplemented"
    assert "AssumeRoot" in error["Error"]["Message"]
