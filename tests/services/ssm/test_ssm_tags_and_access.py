"""Tags of parameters, and the IAM permissions and condition keys Parameter Store requests carry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ssm_helpers import allow, arn_of, policy, statement

from shieldwall.testing import ServerInfo, aws_error


def test_tags_are_added_listed_and_removed(ssm: Any) -> None:
    ssm.put_parameter(Name="/t", Value="v", Type="String", Tags=[{"Key": "team", "Value": "red"}])
    ssm.add_tags_to_resource(
        ResourceType="Parameter", ResourceId="/t", Tags=[{"Key": "env", "Value": "prod"}]
    )
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")["TagList"] == [
        {"Key": "env", "Value": "prod"},
        {"Key": "team", "Value": "red"},
    ]
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId="/t", TagKeys=["team"])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")["TagList"] == [
        {"Key": "env", "Value": "prod"}
    ]


def test_tags_survive_an_overwrite(ssm: Any) -> None:
    ssm.put_parameter(Name="/t", Value="v", Type="String", Tags=[{"Key": "team", "Value": "red"}])
    ssm.put_parameter(Name="/t", Value="w", Overwrite=True)
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId="/t")["TagList"] == [
        {"Key": "team", "Value": "red"}
    ]


def test_tagging_nothing_or_too_much(ssm: Any) -> None:
    assert aws_error(ssm.list_tags_for_resource, ResourceType="Parameter", ResourceId="/none")[:2] == (
        "InvalidResourceId",
        400,
    )
    ssm.put_parameter(Name="/t", Value="v", Type="String")
    tags = [{"Key": f"k{n}", "Value": "v"} for n in range(51)]
    assert aws_error(ssm.add_tags_to_resource, ResourceType="Parameter", ResourceId="/t", Tags=tags)[0] == (
        "TooManyTagsError"
    )


def test_other_resource_types_are_not_implemented(ssm: Any) -> None:
    code, status, message = aws_error(ssm.list_tags_for_resource, ResourceType="Document", ResourceId="doc")
    assert (code, status) == ("NotImplemented", 501)
    assert "ListTagsForResource for ResourceType Document" in message


def test_other_ssm_operations_answer_501(ssm: Any) -> None:
    assert aws_error(ssm.list_documents)[:2] == ("NotImplemented", 501)


def test_user_needs_the_action_on_the_parameter_arn(ssm: Any, user_server: Callable[..., ServerInfo]) -> None:
    ssm.put_parameter(Name="/team/a/key", Value="v", Type="String")
    ssm.put_parameter(Name="/team/b/key", Value="v", Type="String")
    reader = user_server("reader", allow("ssm:GetParameter", arn_of("/team/a/*"))).client("ssm")
    assert reader.get_parameter(Name="/team/a/key")["Parameter"]["Value"] == "v"
    assert aws_error(reader.get_parameter, Name="/team/b/key") == (
        "AccessDeniedException",
        400,
        "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: ssm:GetParameter on resource: "
        f"{arn_of('/team/b/key')} because no identity-based policy allows the ssm:GetParameter action",
    )
    assert aws_error(reader.get_parameter, Name="/team/a/missing")[0] == "ParameterNotFound"
    assert aws_error(reader.get_parameters, Names=["/team/a/key"])[0] == "AccessDeniedException"


def test_by_path_is_authorized_on_the_path(ssm: Any, user_server: Callable[..., ServerInfo]) -> None:
    ssm.put_parameter(Name="/team/a/key", Value="v", Type="String")
    reader = user_server("reader", allow("ssm:GetParametersByPath", arn_of("/team/a"))).client("ssm")
    assert len(reader.get_parameters_by_path(Path="/team/a")["Parameters"]) == 1
    assert aws_error(reader.get_parameters_by_path, Path="/team")[0] == "AccessDeniedException"


def test_resource_tag_conditions(ssm: Any, user_server: Callable[..., ServerInfo]) -> None:
    ssm.put_parameter(Name="/red", Value="v", Type="String", Tags=[{"Key": "team", "Value": "red"}])
    ssm.put_parameter(Name="/blue", Value="v", Type="String", Tags=[{"Key": "team", "Value": "blue"}])
    condition = {"StringEquals": {"ssm:ResourceTag/team": "red"}}
    reader = user_server("reader", allow("ssm:GetParameter", "*", condition)).client("ssm")
    assert reader.get_parameter(Name="/red")["Parameter"]["Name"] == "/red"
    assert aws_error(reader.get_parameter, Name="/blue")[0] == "AccessDeniedException"


def test_put_with_tags_needs_add_tags_permission(ssm: Any, user_server: Callable[..., ServerInfo]) -> None:
    writer = user_server("writer", allow("ssm:PutParameter")).client("ssm")
    writer.put_parameter(Name="/w", Value="v", Type="String")
    code, _, message = aws_error(
        writer.put_parameter, Name="/x", Value="v", Type="String", Tags=[{"Key": "k", "Value": "v"}]
    )
    assert code == "AccessDeniedException" and "ssm:AddTagsToResource" in message


def test_overwrite_condition_key(ssm: Any, user_server: Callable[..., ServerInfo]) -> None:
    document = policy(
        statement("ssm:PutParameter"),
        {
            "Effect": "Deny",
            "Action": "ssm:PutParameter",
            "Resource": "*",
            "Condition": {"StringEquals": {"ssm:Overwrite": "true"}},
        },
    )
    writer = user_server("writer", document).client("ssm")
    writer.put_parameter(Name="/w", Value="v", Type="String")
    code, _, message = aws_error(writer.put_parameter, Name="/w", Value="x", Overwrite=True)
    assert code == "AccessDeniedException" and "explicit deny" in message
