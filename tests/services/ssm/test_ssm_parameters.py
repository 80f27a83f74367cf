"""PutParameter and GetParameter(s): types, versions, selectors, overwrite rules, tiers, patterns, data types."""

from __future__ import annotations

from typing import Any

from botocore.config import Config
from ssm_helpers import arn_of, events_named

from shieldwall.testing import ServerInfo, aws_error


def test_string_parameter_round_trips_with_its_metadata(ssm: Any) -> None:
    ssm.put_parameter(Name="/app/url", Value="https://x", Type="String", Description="d")
    found = ssm.get_parameter(Name="/app/url")["Parameter"]
    assert {key: found[key] for key in ("Name", "Type", "Value", "Version", "ARN", "DataType")} == {
        "Name": "/app/url",
        "Type": "String",
        "Value": "https://x",
        "Version": 1,
        "ARN": arn_of("/app/url"),
        "DataType": "text",
    }
    assert "Selector" not in found


def test_put_answers_version_and_tier(ssm: Any) -> None:
    answer = ssm.put_parameter(Name="plain", Value="v", Type="String")
    assert (answer["Version"], answer["Tier"]) == (1, "Standard")
    answer = ssm.put_parameter(Name="plain", Value="w", Overwrite=True)
    assert (answer["Version"], answer["Tier"]) == (2, "Standard")


def test_name_without_slash_has_the_same_arn_shape(ssm: Any) -> None:
    ssm.put_parameter(Name="flat", Value="v", Type="String")
    assert ssm.get_parameter(Name="flat")["Parameter"]["ARN"] == arn_of("flat")
    assert ssm.get_parameter(Name=arn_of("flat"))["Parameter"]["Value"] == "v"


def test_string_list_keeps_its_commas(ssm: Any) -> None:
    ssm.put_parameter(Name="/days", Value="Mon,Wed,Fri", Type="StringList")
    found = ssm.get_parameter(Name="/days")["Parameter"]
    assert (found["Type"], found["Value"]) == ("StringList", "Mon,Wed,Fri")


def test_existing_parameter_needs_overwrite(ssm: Any) -> None:
    ssm.put_parameter(Name="/p", Value="1", Type="String")
    assert aws_error(ssm.put_parameter, Name="/p", Value="2", Type="String") == (
        "ParameterAlreadyExists",
        400,
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    )
    assert ssm.get_parameter(Name="/p")["Parameter"]["Value"] == "1"


def test_overwrite_keeps_type_description_and_pattern_when_not_named(ssm: Any) -> None:
    ssm.put_parameter(Name="/p", Value="1", Type="String", Description="port", AllowedPattern=r"^\d+$")
    ssm.put_parameter(Name="/p", Value="2", Overwrite=True)
    meta = ssm.describe_parameters()["Parameters"][0]
    assert (meta["Type"], meta["Description"], meta["AllowedPattern"], meta["Version"]) == (
        "String",
        "port",
        r"^\d+$",
        2,
    )
    assert aws_error(ssm.put_parameter, Name="/p", Value="x", Overwrite=True) == (
        "ParameterPatternMismatchException",
        400,
        r"Parameter value, cannot be validated against allowedPattern: ^\d+$",
    )


def test_new_parameter_needs_a_type(ssm: Any) -> None:
    assert aws_error(ssm.put_parameter, Name="/p", Value="1") == (
        "ValidationException",
        400,
        "A parameter type is required when you create a parameter.",
    )


def test_type_cannot_change(ssm: Any) -> None:
    ssm.put_parameter(Name="/p", Value="1", Type="String")
    code, status, message = aws_error(
        ssm.put_parameter, Name="/p", Value="1", Type="SecureString", Overwrite=True
    )
    assert (code, status) == ("HierarchyTypeMismatchException", 400)
    assert message.startswith("Parameter Store doesn't support changing a parameter type")


def test_unknown_type_and_tier_answer_awss_enum_message(shieldwall: ServerInfo) -> None:
    raw = shieldwall.client("ssm", config=Config(parameter_validation=False))
    assert aws_error(raw.put_parameter, Name="/p", Value="1", Type="Number") == (
        "ValidationException",
        400,
        "1 validation error detected: Value 'Number' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [SecureString, StringList, String]",
    )
    assert (
        aws_error(raw.put_parameter, Name="/p", Value="1", Type="String", Tier="Gold")[0]
        == "ValidationException"
    )


def test_tags_and_overwrite_together_are_refused(ssm: Any) -> None:
    code, _, message = aws_error(
        ssm.put_parameter,
        Name="/p",
        Value="1",
        Type="String",
        Overwrite=True,
        Tags=[{"Key": "k", "Value": "v"}],
    )
    assert code == "ValidationException"
    assert message.startswith("Invalid request: tags and overwrite can't be used together.")


def test_allowed_pattern_is_checked_on_create(ssm: Any) -> None:
    assert aws_error(ssm.put_parameter, Name="/n", Value="abc", Type="String", AllowedPattern=r"^\d+$")[
        0
    ] == ("ParameterPatternMismatchException")
    assert aws_error(ssm.put_parameter, Name="/n", Value="1", Type="String", AllowedPattern="([a-")[0] == (
        "InvalidAllowedPatternException"
    )
    assert aws_error(ssm.get_parameter, Name="/n")[0] == "ParameterNotFound"


def test_catastrophic_allowed_pattern_does_not_stall_the_server(ssm: Any) -> None:
    code = aws_error(
        ssm.put_parameter, Name="/n", Value="a" * 40 + "!", Type="String", AllowedPattern="(a+)+$"
    )[0]
    assert code == "ParameterPatternMismatchException"
    assert ssm.put_parameter(Name="/ok", Value="1", Type="String")["Version"] == 1


def test_value_cannot_nest_a_parameter(ssm: Any) -> None:
    assert aws_error(ssm.put_parameter, Name="/n", Value="{{ssm:other}}", Type="String") == (
        "ValidationException",
        400,
        'Parameter value can\'t nest another parameter. Do not use "{{}}" in the value.',
    )


def test_versions_and_selectors(ssm: Any) -> None:
    for value in ("a", "b", "c"):
        ssm.put_parameter(Name="/v", Value=value, Type="String", Overwrite=True)
    ssm.label_parameter_version(Name="/v", ParameterVersion=1, Labels=["first"])
    assert ssm.get_parameter(Name="/v")["Parameter"]["Value"] == "c"
    second = ssm.get_parameter(Name="/v:2")["Parameter"]
    assert (second["Value"], second["Version"], second["Selector"]) == ("b", 2, ":2")
    labelled = ssm.get_parameter(Name="/v:first")["Parameter"]
    assert (labelled["Value"], labelled["Version"], labelled["Selector"]) == ("a", 1, ":first")
    assert aws_error(ssm.get_parameter, Name="/v:9") == (
        "ParameterVersionNotFound",
        400,
        "Systems Manager could not find version 9 of /v. Verify the version and try again.",
    )


def test_get_parameters_lists_what_it_cannot_find(ssm: Any) -> None:
    ssm.put_parameter(Name="/b", Value="2", Type="String")
    ssm.put_parameter(Name="/a", Value="1", Type="String")
    found = ssm.get_parameters(Names=["/b", "/a", "/missing", "/a:7", "bad name!"])
    assert [entry["Name"] for entry in found["Parameters"]] == ["/a", "/b"]
    assert found["InvalidParameters"] == ["/missing", "/a:7", "bad name!"]


def test_get_parameter_of_nothing_answers_without_a_message(ssm: Any) -> None:
    assert aws_error(ssm.get_parameter, Name="/nothing") == ("ParameterNotFound", 400, "")


def test_history_lists_every_version_with_its_labels(ssm: Any) -> None:
    ssm.put_parameter(Name="/h", Value="1", Type="String", Description="one")
    ssm.put_parameter(Name="/h", Value="2", Overwrite=True, Description="two")
    ssm.label_parameter_version(Name="/h", ParameterVersion=2, Labels=["live"])
    history = ssm.get_parameter_history(Name="/h")["Parameters"]
    assert [
        (entry["Version"], entry["Value"], entry["Description"], entry["Labels"]) for entry in history
    ] == [
        (1, "1", "one", []),
        (2, "2", "two", ["live"]),
    ]
    assert history[0]["LastModifiedUser"] == "arn:aws:iam::000000000000:root"
    assert aws_error(ssm.get_parameter_history, Name="/none") == (
        "ParameterNotFound",
        400,
        "Parameter /none not found.",
    )


def test_history_pages(ssm: Any) -> None:
    for value in range(5):
        ssm.put_parameter(Name="/h", Value=str(value), Type="String", Overwrite=True)
    first = ssm.get_parameter_history(Name="/h", MaxResults=2)
    second = ssm.get_parameter_history(Name="/h", MaxResults=2, NextToken=first["NextToken"])
    assert [entry["Version"] for entry in first["Parameters"] + second["Parameters"]] == [1, 2, 3, 4]
    assert aws_error(ssm.get_parameter_history, Name="/h", NextToken="garbage!") == (
        "InvalidNextToken",
        400,
        "The specified token isn't valid.",
    )


def test_delete_parameter_and_parameters(ssm: Any) -> None:
    for name in ("/d1", "/d2", "/d3"):
        ssm.put_parameter(Name=name, Value="v", Type="String")
    ssm.delete_parameter(Name="/d1")
    assert aws_error(ssm.delete_parameter, Name="/d1") == ("ParameterNotFound", 400, "")
    found = ssm.delete_parameters(Names=["/d2", "/d3", "/d4"])
    assert (found["DeletedParameters"], found["InvalidParameters"]) == (["/d2", "/d3"], ["/d4"])
    assert ssm.describe_parameters()["Parameters"] == []


def test_deleted_parameter_starts_again_at_version_one(ssm: Any) -> None:
    ssm.put_parameter(Name="/again", Value="1", Type="String")
    ssm.put_parameter(Name="/again", Value="2", Type="String", Overwrite=True)
    ssm.delete_parameter(Name="/again")
    assert ssm.put_parameter(Name="/again", Value="3", Type="String")["Version"] == 1
    assert [entry["Version"] for entry in ssm.get_parameter_history(Name="/again")["Parameters"]] == [1]


# -- data types ------------------------------------------------------------------------------------------------


def test_image_id_data_type_accepts_an_ami_id(ssm: Any) -> None:
    ssm.put_parameter(
        Name="/golden-ami", Value="ami-0123456789abcdef0", Type="String", DataType="aws:ec2:image"
    )
    found = ssm.get_parameter(Name="/golden-ami")["Parameter"]
    assert (found["Value"], found["DataType"]) == ("ami-0123456789abcdef0", "aws:ec2:image")


def test_ill_formed_ami_gets_a_version_but_no_parameter(shieldwall: ServerInfo, ssm: Any) -> None:
    answer = ssm.put_parameter(
        Name="/golden-ami", Value="not-an-ami", Type="String", DataType="aws:ec2:image"
    )
    assert answer["Version"] == 1
    assert aws_error(ssm.get_parameter, Name="/golden-ami")[0] == "ParameterNotFound"
    found = events_named(shieldwall.client("cloudtrail"), "Parameter Store Change")
    detail = found[0]["serviceEventDetails"]
    assert detail["detail"] == {
        "exception": "Unable to Describe Resource",
        "dataType": "aws:ec2:image",
        "name": "/golden-ami",
        "type": "String",
        "operation": "Create",
    }
    assert (detail["source"], detail["resources"]) == ("aws.ssm", [arn_of("/golden-ami")])


def test_unknown_data_type_is_refused(ssm: Any) -> None:
    assert aws_error(ssm.put_parameter, Name="/p", Value="1", Type="String", DataType="Text") == (
        "ValidationException",
        400,
        "The following data type is not supported: Text (Data type names are all lowercase.)",
    )


def test_image_data_type_is_for_string_parameters(ssm: Any) -> None:
    code = aws_error(
        ssm.put_parameter, Name="/p", Value="ami-12345678", Type="SecureString", DataType="aws:ec2:image"
    )
    assert code[0] == "ValidationException"


def test_key_id_belongs_to_secure_strings(ssm: Any) -> None:
    assert aws_error(ssm.put_parameter, Name="/p", Value="1", Type="String", KeyId="alias/x")[0] == (
        "ValidationException"
    )
