"""Parameter names and hierarchies as AWS validates them: characters, the reserved aws/ssm prefixes, 15 levels,
the length limit, selectors, and names given as ARNs."""

from __future__ import annotations

from typing import Any

import pytest
from ssm_helpers import arn_of

from shieldwall.testing import aws_error

NAME_RULES = (
    'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of '
    "sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following "
    "3 symbols .-_"
)


@pytest.mark.parametrize(
    "name", ["has space", "/a//b", "a/b", "/a/", "/a/b@c", "ssm-thing", "/SSM/x", "/a:b"]
)
def test_invalid_names_are_refused_with_awss_message(ssm: Any, name: str) -> None:
    assert aws_error(ssm.put_parameter, Name=name, Value="v", Type="String") == (
        "ValidationException",
        400,
        NAME_RULES,
    )


def test_same_rules_apply_when_reading(ssm: Any) -> None:
    assert aws_error(ssm.get_parameter, Name="bad name") == ("ValidationException", 400, NAME_RULES)


def test_surrounding_spaces_are_removed(ssm: Any) -> None:
    ssm.put_parameter(Name="  /trim/me  ", Value="v", Type="String")
    assert ssm.get_parameter(Name="/trim/me")["Parameter"]["Name"] == "/trim/me"


@pytest.mark.parametrize("name", ["/aws/mine", "awsome", "/AWS/x"])
def test_names_under_aws_are_reserved(ssm: Any, name: str) -> None:
    bare = name.removeprefix("/")
    assert aws_error(ssm.put_parameter, Name=name, Value="v", Type="String") == (
        "AccessDeniedException",
        400,
        f"No access to reserved parameter name: {bare}.",
    )
    assert aws_error(ssm.delete_parameter, Name=name)[0] == "AccessDeniedException"


def test_reading_under_aws_is_allowed_and_finds_nothing_here(ssm: Any) -> None:
    assert (
        aws_error(ssm.get_parameter, Name="/aws/service/global-infrastructure/regions")[0]
        == "ParameterNotFound"
    )


def test_fifteen_levels_at_most(ssm: Any) -> None:
    fifteen = "".join(f"/l{level}" for level in range(15))
    ssm.put_parameter(Name=fifteen, Value="v", Type="String")
    assert aws_error(ssm.put_parameter, Name=f"{fifteen}/l15", Value="v", Type="String") == (
        "HierarchyLevelLimitExceededException",
        400,
        "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for "
        "parameter names in the Amazon Web Services Systems Manager User Guide.",
    )


def test_name_length_counts_the_arn_before_it(ssm: Any) -> None:
    prefix = len(arn_of(""))
    longest = "/" + "n" * (1011 - prefix)
    ssm.put_parameter(Name=longest, Value="v", Type="String")
    code, _, message = aws_error(ssm.put_parameter, Name=longest + "n", Value="v", Type="String")
    assert code == "ValidationException" and "1011" in message


def test_slash_and_no_slash_are_two_parameters(ssm: Any) -> None:
    ssm.put_parameter(Name="twin", Value="plain", Type="String")
    ssm.put_parameter(Name="/twin", Value="rooted", Type="String")
    assert ssm.get_parameter(Name="twin")["Parameter"]["Value"] == "plain"
    assert ssm.get_parameter(Name="/twin")["Parameter"]["Value"] == "rooted"


def test_hierarchical_parameter_read_by_arn_with_selector(ssm: Any) -> None:
    ssm.put_parameter(Name="/team/key", Value="1", Type="String")
    ssm.put_parameter(Name="/team/key", Value="2", Type="String", Overwrite=True)
    found = ssm.get_parameter(Name=arn_of("/team/key") + ":1")["Parameter"]
    assert (found["Name"], found["Value"], found["Version"]) == ("/team/key", "1", 1)


def test_another_accounts_parameter_is_denied_without_a_share(ssm: Any) -> None:
    other = "arn:aws:ssm:us-east-1:111122223333:parameter/shared"
    assert aws_error(ssm.get_parameter, Name=other) == (
        "AccessDeniedException",
        400,
        "User: arn:aws:iam::000000000000:root is not authorized to perform: ssm:GetParameter on resource: "
        f"{other} because no resource-based policy allows the ssm:GetParameter action",
    )


def test_another_regions_arn_names_nothing_here(ssm: Any) -> None:
    ssm.put_parameter(Name="/here", Value="v", Type="String")
    assert aws_error(ssm.get_parameter, Name="arn:aws:ssm:eu-west-1:000000000000:parameter/here")[0] == (
        "ParameterNotFound"
    )


def test_selector_must_be_a_version_or_a_label(ssm: Any) -> None:
    ssm.put_parameter(Name="/s", Value="1", Type="String")
    assert aws_error(ssm.get_parameter, Name="/s:0")[0] == "ValidationException"
    assert aws_error(ssm.get_parameter, Name="/s:nolabel")[0] == "ParameterVersionNotFound"
