"""Malformed, oversize and hostile input to every Parameter Store operation: a 4xx answer (or a harmless success,
like DeleteParameters listing what it could not delete), never a server error, and nothing already stored is
lost or changed."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest
from botocore.config import Config

from shieldwall.testing import ServerInfo

HOSTILE: list[tuple[str, dict[str, Any]]] = [
    ("put_parameter", {"Name": "/keep", "Value": "x", "Type": "String"}),
    ("put_parameter", {"Name": "/keep", "Value": "x", "Overwrite": True, "Type": "SecureString"}),
    ("put_parameter", {"Name": "/n", "Value": "x" * 9000, "Type": "String", "Tier": "Advanced"}),
    ("put_parameter", {"Name": "/n", "Value": "", "Type": "String"}),
    ("put_parameter", {"Name": "/n" * 600, "Value": "x", "Type": "String"}),
    ("put_parameter", {"Name": "/n\u0000x", "Value": "x", "Type": "String"}),
    (
        "put_parameter",
        {"Name": "/n", "Value": "x", "Type": "String", "Tier": "Advanced", "Policies": "{not json"},
    ),
    (
        "put_parameter",
        {"Name": "/n", "Value": "x", "Type": "String", "Tier": "Advanced", "Policies": "[1, 2]"},
    ),
    (
        "put_parameter",
        {"Name": "/n", "Value": "x", "Type": "String", "Tier": "Advanced", "Policies": '"text"'},
    ),
    ("put_parameter", {"Name": "/n", "Value": "x", "Type": "String", "AllowedPattern": "(" * 500}),
    ("put_parameter", {"Name": "/n", "Value": "x", "Type": "SecureString", "KeyId": "arn:aws:kms:x"}),
    ("put_parameter", {"Name": "/n", "Value": "x", "Type": "SecureString", "KeyId": "alias/none"}),
    ("get_parameter", {"Name": "/keep:99999999999999999999"}),
    ("get_parameter", {"Name": "arn:aws:ssm:us-east-1:000000000000:parameter/"}),
    ("get_parameter", {"Name": "arn:aws:iam::000000000000:user/keep"}),
    ("get_parameter", {"Name": "/keep:label:extra"}),
    ("get_parameters", {"Names": ["/keep", "::", "arn:", ""]}),
    ("get_parameters_by_path", {"Path": "//"}),
    ("get_parameters_by_path", {"Path": "/", "NextToken": "bm90IGpzb24="}),
    ("get_parameters_by_path", {"Path": "/", "ParameterFilters": [{"Key": "Type", "Values": []}]}),
    ("get_parameters_by_path", {"Path": "/", "ParameterFilters": [{"Key": "Bogus", "Values": ["x"]}]}),
    ("get_parameter_history", {"Name": "/keep", "NextToken": "eyJhZnRlciI6ICJ4In0="}),
    ("get_parameter_history", {"Name": "/keep:1"}),
    ("label_parameter_version", {"Name": "/keep", "ParameterVersion": -5, "Labels": ["x"]}),
    ("label_parameter_version", {"Name": "/keep", "Labels": ["x" * 101]}),
    ("unlabel_parameter_version", {"Name": "/keep", "ParameterVersion": 0, "Labels": ["x"]}),
    ("delete_parameters", {"Names": ["/aws/x", "bad name", "/missing"]}),
    ("describe_parameters", {"ParameterFilters": [{"Key": "Path", "Values": ["not/a/path"]}]}),
    ("describe_parameters", {"ParameterFilters": [{"Key": "Name", "Option": "Regex", "Values": ["x"]}]}),
    ("describe_parameters", {"ParameterFilters": [{"Key": "tag:"}]}),
    ("describe_parameters", {"MaxResults": 0}),
    ("add_tags_to_resource", {"ResourceType": "Parameter", "ResourceId": "bad name", "Tags": []}),
    ("add_tags_to_resource", {"ResourceType": "Nope", "ResourceId": "/keep", "Tags": []}),
    ("remove_tags_from_resource", {"ResourceType": "Parameter", "ResourceId": "/missing", "TagKeys": ["k"]}),
]


@pytest.fixture
def raw(shieldwall: ServerInfo) -> Any:
    return shieldwall.client(
        "ssm", config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
    )


@pytest.mark.parametrize(
    ("operation", "params"), HOSTILE, ids=[f"{op}-{n}" for n, (op, _) in enumerate(HOSTILE)]
)
def test_hostile_input_is_answered_and_harms_nothing(
    raw: Any, operation: str, params: dict[str, Any]
) -> None:
    raw.put_parameter(Name="/keep", Value="kept", Type="String")
    raw.label_parameter_version(Name="/keep", ParameterVersion=1, Labels=["stable"])
    try:
        getattr(raw, operation)(**params)
    except botocore.exceptions.ClientError as error:
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        assert 400 <= status < 500 or status == 501, error.response
    found = raw.get_parameter(Name="/keep")["Parameter"]
    assert (found["Value"], found["Version"], found["Type"]) == ("kept", 1, "String")
    assert raw.get_parameter(Name="/keep:stable")["Parameter"]["Version"] == 1
