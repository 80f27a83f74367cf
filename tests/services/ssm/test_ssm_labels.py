"""Labels (rules, moving, the ten-per-version limit) and the 100-version history."""

from __future__ import annotations

from typing import Any

from shieldwall.testing import aws_error


def put_versions(ssm: Any, name: str, count: int) -> None:
    for number in range(count):
        ssm.put_parameter(Name=name, Value=str(number), Type="String", Overwrite=True)


def test_label_attaches_to_latest_by_default(ssm: Any) -> None:
    put_versions(ssm, "/l", 2)
    assert ssm.label_parameter_version(Name="/l", Labels=["prod"])["ParameterVersion"] == 2
    assert ssm.get_parameter(Name="/l:prod")["Parameter"]["Version"] == 2


def test_invalid_labels_come_back_unattached(ssm: Any) -> None:
    put_versions(ssm, "/l", 1)
    labels = ["ok-label", "1starts", "awsname", "SSMname", "has/slash", "good.one_2"]
    answer = ssm.label_parameter_version(Name="/l", ParameterVersion=1, Labels=labels)
    assert answer["InvalidLabels"] == ["1starts", "awsname", "SSMname", "has/slash"]
    history = ssm.get_parameter_history(Name="/l")["Parameters"]
    assert history[0]["Labels"] == ["good.one_2", "ok-label"]


def test_label_moves_between_versions(ssm: Any) -> None:
    put_versions(ssm, "/l", 2)
    ssm.label_parameter_version(Name="/l", ParameterVersion=1, Labels=["live"])
    ssm.label_parameter_version(Name="/l", ParameterVersion=2, Labels=["live"])
    assert [entry["Labels"] for entry in ssm.get_parameter_history(Name="/l")["Parameters"]] == [[], ["live"]]


def test_a_version_holds_ten_labels(ssm: Any) -> None:
    put_versions(ssm, "/l", 1)
    ssm.label_parameter_version(Name="/l", ParameterVersion=1, Labels=[f"label{n}" for n in range(10)])
    assert aws_error(ssm.label_parameter_version, Name="/l", ParameterVersion=1, Labels=["eleventh"]) == (
        "ParameterVersionLabelLimitExceeded",
        400,
        "A parameter version can have a maximum of ten labels.",
    )
    ssm.label_parameter_version(Name="/l", ParameterVersion=1, Labels=["label3"])


def test_labelling_what_is_not_there(ssm: Any) -> None:
    assert aws_error(ssm.label_parameter_version, Name="/none", Labels=["x"]) == (
        "ParameterNotFound",
        400,
        "Parameter /none not found.",
    )
    put_versions(ssm, "/l", 1)
    assert aws_error(ssm.label_parameter_version, Name="/l", ParameterVersion=5, Labels=["x"]) == (
        "ParameterVersionNotFound",
        400,
        "Systems Manager could not find version 5 of /l. Verify the version and try again.",
    )


def test_unlabel_removes_only_labels_of_that_version(ssm: Any) -> None:
    put_versions(ssm, "/l", 2)
    ssm.label_parameter_version(Name="/l", ParameterVersion=1, Labels=["a", "b"])
    ssm.label_parameter_version(Name="/l", ParameterVersion=2, Labels=["c"])
    answer = ssm.unlabel_parameter_version(Name="/l", ParameterVersion=1, Labels=["a", "c", "zz"])
    assert (answer["RemovedLabels"], answer["InvalidLabels"]) == (["a"], ["c", "zz"])
    assert aws_error(ssm.get_parameter, Name="/l:a")[0] == "ParameterVersionNotFound"
    assert aws_error(ssm.unlabel_parameter_version, Name="/l", ParameterVersion=9, Labels=["c"])[0] == (
        "ParameterVersionNotFound"
    )


def test_history_keeps_the_latest_hundred_versions(ssm: Any) -> None:
    put_versions(ssm, "/many", 101)
    history = ssm.get_parameter_history(Name="/many", MaxResults=50)
    versions = [entry["Version"] for entry in history["Parameters"]]
    assert versions[0] == 2 and len(versions) == 50
    assert aws_error(ssm.get_parameter, Name="/many:1")[0] == "ParameterVersionNotFound"
    assert ssm.get_parameter(Name="/many:2")["Parameter"]["Value"] == "1"


def test_labelled_oldest_version_blocks_the_hundred_and_first(ssm: Any) -> None:
    put_versions(ssm, "/many", 100)
    ssm.label_parameter_version(Name="/many", ParameterVersion=1, Labels=["keep"])
    assert aws_error(ssm.put_parameter, Name="/many", Value="x", Overwrite=True) == (
        "ParameterMaxVersionLimitExceeded",
        400,
        "You attempted to create a new version of /many by calling the PutParameter API with the overwrite flag. "
        "Version 1, the oldest version, can't be deleted because it has a label associated with it. Move the "
        "label to another version of the parameter, and try again.",
    )
    ssm.label_parameter_version(Name="/many", ParameterVersion=100, Labels=["keep"])
    assert ssm.put_parameter(Name="/many", Value="x", Overwrite=True)["Version"] == 101
