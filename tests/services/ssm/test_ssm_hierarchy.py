"""GetParametersByPath and DescribeParameters: hierarchies, filters, paging; and the AWS CLI over them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ssm_helpers import PATH_RULES

from shieldwall.testing import ServerInfo, aws_error


@pytest.fixture
def tree(ssm: Any) -> Any:
    for name, kind in [
        ("/app/db/host", "String"),
        ("/app/db/password", "SecureString"),
        ("/app/name", "String"),
        ("/app/zones", "StringList"),
        ("/other/x", "String"),
        ("rootless", "String"),
    ]:
        ssm.put_parameter(Name=name, Value=f"value of {name}", Type=kind)
    return ssm


def names(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["Name"] for entry in entries]


def test_one_level_or_recursive(tree: Any) -> None:
    assert names(tree.get_parameters_by_path(Path="/app")["Parameters"]) == ["/app/name", "/app/zones"]
    assert names(tree.get_parameters_by_path(Path="/app/", Recursive=True)["Parameters"]) == [
        "/app/db/host",
        "/app/db/password",
        "/app/name",
        "/app/zones",
    ]
    assert names(tree.get_parameters_by_path(Path="/")["Parameters"]) == ["rootless"]


def test_secure_strings_come_encrypted_unless_asked(tree: Any) -> None:
    plain = tree.get_parameters_by_path(Path="/app/db")["Parameters"]
    assert plain[1]["Value"] != "value of /app/db/password"
    clear = tree.get_parameters_by_path(Path="/app/db", WithDecryption=True)["Parameters"]
    assert clear[1]["Value"] == "value of /app/db/password"


def test_by_path_filters(tree: Any) -> None:
    found = tree.get_parameters_by_path(
        Path="/app",
        Recursive=True,
        ParameterFilters=[{"Key": "Type", "Values": ["SecureString", "StringList"]}],
    )
    assert names(found["Parameters"]) == ["/app/db/password", "/app/zones"]
    assert aws_error(
        tree.get_parameters_by_path, Path="/app", ParameterFilters=[{"Key": "Name", "Values": ["x"]}]
    ) == (
        "InvalidFilterKey",
        400,
        "The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId, Label].",
    )
    assert aws_error(
        tree.get_parameters_by_path,
        Path="/app",
        ParameterFilters=[{"Key": "Label", "Option": "BeginsWith", "Values": ["x"]}],
    ) == (
        "InvalidFilterOption",
        400,
        "The following filter option is not valid: BeginsWith. Valid options include: [Equals].",
    )


def test_label_filter_shows_the_labelled_version(tree: Any) -> None:
    tree.put_parameter(Name="/app/name", Value="newer", Overwrite=True)
    tree.label_parameter_version(Name="/app/name", ParameterVersion=1, Labels=["stable"])
    found = tree.get_parameters_by_path(
        Path="/app", ParameterFilters=[{"Key": "Label", "Values": ["stable"]}]
    )
    assert [(entry["Name"], entry["Version"]) for entry in found["Parameters"]] == [("/app/name", 1)]


def test_by_path_pages(ssm: Any) -> None:
    for number in range(12):
        ssm.put_parameter(Name=f"/p/n{number:02d}", Value="v", Type="String")
    first = ssm.get_parameters_by_path(Path="/p")
    assert len(first["Parameters"]) == 10
    rest = ssm.get_parameters_by_path(Path="/p", NextToken=first["NextToken"])
    assert names(rest["Parameters"]) == ["/p/n10", "/p/n11"] and "NextToken" not in rest
    paged = ssm.get_paginator("get_parameters_by_path").paginate(Path="/p", PaginationConfig={"PageSize": 5})
    assert sum(len(page["Parameters"]) for page in paged) == 12


def test_invalid_path_answers_awss_message(ssm: Any) -> None:
    assert aws_error(ssm.get_parameters_by_path, Path="app") == ("ValidationException", 400, PATH_RULES)


def test_describe_filters(tree: Any) -> None:
    def described(**kwargs: Any) -> list[str]:
        return names(tree.describe_parameters(**kwargs)["Parameters"])

    assert described(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/app/db"]}]) == [
        "/app/db/host",
        "/app/db/password",
    ]
    assert described(ParameterFilters=[{"Key": "Name", "Option": "Contains", "Values": ["zone"]}]) == [
        "/app/zones"
    ]
    assert described(ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]) == ["/app/db/password"]
    assert described(ParameterFilters=[{"Key": "KeyId", "Values": ["alias/aws/ssm"]}]) == ["/app/db/password"]
    assert described(Filters=[{"Key": "Name", "Values": ["/app/d"]}]) == ["/app/db/host", "/app/db/password"]
    assert described(ParameterFilters=[{"Key": "Tier", "Values": ["Advanced"]}]) == []
    assert described(ParameterFilters=[{"Key": "DataType", "Values": ["text"]}])[0] == "/app/db/host"


def test_describe_tag_filters(ssm: Any) -> None:
    ssm.put_parameter(Name="/t1", Value="v", Type="String", Tags=[{"Key": "team", "Value": "red"}])
    ssm.put_parameter(Name="/t2", Value="v", Type="String", Tags=[{"Key": "team", "Value": "blue"}])
    ssm.put_parameter(Name="/t3", Value="v", Type="String")
    by_value = ssm.describe_parameters(ParameterFilters=[{"Key": "tag:team", "Values": ["red"]}])
    assert names(by_value["Parameters"]) == ["/t1"]
    by_key = ssm.describe_parameters(ParameterFilters=[{"Key": "tag:team"}])
    assert names(by_key["Parameters"]) == ["/t1", "/t2"]


def test_describe_refuses_both_filter_kinds_and_label(ssm: Any) -> None:
    assert aws_error(
        ssm.describe_parameters,
        Filters=[{"Key": "Name", "Values": ["a"]}],
        ParameterFilters=[{"Key": "Name", "Values": ["a"]}],
    ) == ("ValidationException", 400, "You can use either Filters or ParameterFilters in a single request.")
    assert aws_error(ssm.describe_parameters, ParameterFilters=[{"Key": "Label", "Values": ["a"]}])[0] == (
        "InvalidFilterKey"
    )
    assert aws_error(ssm.describe_parameters, ParameterFilters=[{"Key": "Type", "Values": ["Number"]}])[
        0
    ] == ("InvalidFilterValue")


def test_describe_pages(ssm: Any) -> None:
    for number in range(13):
        ssm.put_parameter(Name=f"/d/n{number:02d}", Value="v", Type="String")
    first = ssm.describe_parameters()
    assert len(first["Parameters"]) == 10
    rest = ssm.describe_parameters(NextToken=first["NextToken"])
    assert len(rest["Parameters"]) == 3


def aws_cli(server: ServerInfo, *args: str) -> Any:
    cli = shutil.which("aws", path=str(Path(sys.executable).parent))
    assert cli is not None
    environment = {**os.environ, **server.env(), "AWS_PAGER": ""}
    done = subprocess.run(
        [cli, *args, "--output", "json"], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_aws_cli_reads_a_hierarchy_with_decryption(shieldwall: ServerInfo, tree: Any) -> None:
    found = aws_cli(
        shieldwall, "ssm", "get-parameters-by-path", "--path", "/app", "--recursive", "--with-decryption"
    )
    values = {entry["Name"]: entry["Value"] for entry in found["Parameters"]}
    assert values["/app/db/password"] == "value of /app/db/password"
    assert sorted(values) == ["/app/db/host", "/app/db/password", "/app/name", "/app/zones"]
