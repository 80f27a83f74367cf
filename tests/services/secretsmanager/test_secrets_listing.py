"""ListSecrets' filters, order and pages; BatchGetSecretValue by id list and by filters, with per-secret errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from secrets_helpers import allow, error_of, make_user

from shieldwall.testing import ServerInfo


@pytest.fixture
def catalogue(sm: Any) -> Any:
    sm.create_secret(
        Name="prod/db",
        SecretString="1",
        Description="Main database password",
        Tags=[{"Key": "team", "Value": "payments"}],
    )
    sm.create_secret(
        Name="prod/api",
        SecretString="2",
        Description="Partner API key",
        Tags=[{"Key": "team", "Value": "platform"}, {"Key": "Owner", "Value": "alice"}],
    )
    sm.create_secret(Name="dev/db", SecretString="3", Description="database for credsDatabase892 tests")
    return sm


def names(sm: Any, **kwargs: Any) -> list[str]:
    return [entry["Name"] for entry in sm.list_secrets(**kwargs)["SecretList"]]


def by(key: str, *values: str) -> list[dict[str, Any]]:
    return [{"Key": key, "Values": list(values)}]


def test_secrets_are_listed_by_creation_date(catalogue: Any) -> None:
    assert names(catalogue) == ["prod/db", "prod/api", "dev/db"]
    assert names(catalogue, SortOrder="desc") == ["dev/db", "prod/api", "prod/db"]
    assert names(catalogue, SortBy="name") == ["dev/db", "prod/api", "prod/db"]


def test_name_tag_key_and_tag_value_filters_match_prefixes_case_sensitively(catalogue: Any) -> None:
    assert names(catalogue, Filters=by("name", "prod/")) == ["prod/db", "prod/api"]
    assert names(catalogue, Filters=by("name", "Prod/")) == []
    assert names(catalogue, Filters=by("tag-key", "Own")) == ["prod/api"]
    assert names(catalogue, Filters=by("tag-key", "own")) == []
    assert names(catalogue, Filters=by("tag-value", "pay", "plat")) == ["prod/db", "prod/api"]


def test_description_and_all_filters_match_words_in_any_case(catalogue: Any) -> None:
    assert names(catalogue, Filters=by("description", "DATA")) == ["prod/db", "dev/db"]
    assert names(catalogue, Filters=by("description", "partner key")) == ["prod/api"]
    assert names(catalogue, Filters=by("all", "creds")) == ["dev/db"]
    assert names(catalogue, Filters=by("all", "ALICE")) == ["prod/api"]


def test_negated_values_exclude_and_different_keys_must_all_match(catalogue: Any) -> None:
    assert names(catalogue, Filters=by("name", "!prod/")) == ["dev/db"]
    filters = [*by("name", "prod/"), *by("tag-value", "!pay")]
    assert names(catalogue, Filters=filters) == ["prod/api"]


def test_an_unknown_filter_key_is_a_validation_error(shieldwall: ServerInfo, catalogue: Any) -> None:
    unchecked = shieldwall.client("secretsmanager", config=Config(parameter_validation=False))
    code, status, message = error_of(unchecked.list_secrets, Filters=by("colour", "red"))
    assert (code, status) == ("ValidationException", 400)
    assert "Value 'colour' at 'filters.1.member.key' failed to satisfy constraint" in message


def test_secrets_are_paged_with_next_tokens(catalogue: Any) -> None:
    first = catalogue.list_secrets(MaxResults=2)
    second = catalogue.list_secrets(MaxResults=2, NextToken=first["NextToken"])
    assert [e["Name"] for e in first["SecretList"] + second["SecretList"]] == [
        "prod/db",
        "prod/api",
        "dev/db",
    ]
    assert "NextToken" not in second
    assert error_of(catalogue.list_secrets, NextToken="garbage")[:2] == ("InvalidNextTokenException", 400)


def test_batch_get_reports_each_missing_secret_in_errors(catalogue: Any) -> None:
    catalogue.delete_secret(SecretId="dev/db")
    answer = catalogue.batch_get_secret_value(SecretIdList=["prod/db", "nope", "dev/db", "prod/api"])

    assert [(v["Name"], v["SecretString"]) for v in answer["SecretValues"]] == [
        ("prod/db", "1"),
        ("prod/api", "2"),
    ]
    assert answer["Errors"] == [
        {
            "SecretId": "nope",
            "ErrorCode": "ResourceNotFoundException",
            "Message": "Secrets Manager can't find the specified secret.",
        },
        {
            "SecretId": "dev/db",
            "ErrorCode": "InvalidRequestException",
            "Message": "You can't perform this operation on the secret because it was marked for deletion.",
        },
    ]


def test_batch_get_by_filters_pages(catalogue: Any) -> None:
    first = catalogue.batch_get_secret_value(Filters=by("name", "prod/"), MaxResults=1)
    second = catalogue.batch_get_secret_value(
        Filters=by("name", "prod/"), MaxResults=1, NextToken=first["NextToken"]
    )
    assert [v["SecretString"] for v in first["SecretValues"] + second["SecretValues"]] == ["1", "2"]
    assert "NextToken" not in second


def test_batch_get_needs_ids_or_filters_but_not_both(catalogue: Any) -> None:
    assert error_of(catalogue.batch_get_secret_value, SecretIdList=["prod/db"], Filters=by("name", "p")) == (
        "InvalidParameterException",
        400,
        "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
    )
    assert error_of(catalogue.batch_get_secret_value, SecretIdList=["prod/db"], MaxResults=5)[0] == (
        "InvalidParameterException"
    )


def test_batch_get_lists_a_secret_the_caller_may_not_read_in_errors(shieldwall: ServerInfo, sm: Any) -> None:
    sm.create_secret(Name="open/one", SecretString="1")
    sm.create_secret(Name="closed/two", SecretString="2")
    reader = make_user(
        shieldwall,
        "reader",
        allow("secretsmanager:BatchGetSecretValue"),
        allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:open/*"),
    )
    answer = reader.client("secretsmanager").batch_get_secret_value(SecretIdList=["open/one", "closed/two"])
    assert [value["Name"] for value in answer["SecretValues"]] == ["open/one"]
    assert answer["SecretValues"][0]["SecretString"] == "1"
    [failed] = answer["Errors"]
    assert failed["SecretId"] == "closed/two" and failed["ErrorCode"] == "AccessDeniedException"
    assert "is not authorized to perform: secretsmanager:GetSecretValue on resource:" in failed["Message"]
