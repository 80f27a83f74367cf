from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from shieldwall.audit.redact import HIDDEN, redact
from shieldwall.spec.loader import operation_model

SECRET = "correct horse battery staple"


def request_json(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
    return redact(operation_model(service, operation).input_shape, params)


def response_json(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
    return redact(operation_model(service, operation).output_shape, params)


def test_kms_encrypt_plaintext_never_appears() -> None:
    params = {"KeyId": "alias/app", "Plaintext": SECRET.encode(), "EncryptionContext": {"purpose": "test"}}
    recorded = request_json("kms", "Encrypt", params)
    assert recorded == {"keyId": "alias/app", "encryptionContext": {"purpose": "test"}}
    assert SECRET not in json.dumps(recorded)


def test_kms_generate_data_key_response_keeps_no_key_material() -> None:
    response = {"CiphertextBlob": b"\x01" * 32, "Plaintext": b"\x02" * 32, "KeyId": "arn:aws:kms:k"}
    assert response_json("kms", "GenerateDataKey", response) == {"keyId": "arn:aws:kms:k"}


def test_secretsmanager_secret_string_is_hidden() -> None:
    params = {"Name": "db", "SecretString": SECRET, "Description": "database"}
    recorded = request_json("secretsmanager", "CreateSecret", params)
    assert recorded == {"name": "db", "secretString": HIDDEN, "description": "database"}


def test_secretsmanager_secret_binary_is_omitted() -> None:
    recorded = request_json("secretsmanager", "CreateSecret", {"Name": "db", "SecretBinary": SECRET.encode()})
    assert recorded == {"name": "db"}


def test_sts_assume_role_credentials_are_hidden() -> None:
    expiration = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    response = {
        "Credentials": {
            "AccessKeyId": "ASIAEXAMPLE",
            "SecretAccessKey": SECRET,
            "SessionToken": "FwoGZXIvYXdzEXAMPLETOKEN",
            "Expiration": expiration,
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:s", "Arn": "arn:aws:sts::1:assumed-role/r/s"},
    }
    recorded = response_json("sts", "AssumeRole", response)
    assert recorded is not None
    assert recorded["credentials"] == {
        "accessKeyId": "ASIAEXAMPLE",
        "secretAccessKey": HIDDEN,
        "sessionToken": HIDDEN,
        "expiration": "2024-01-02T03:04:05Z",
    }
    assert recorded["assumedRoleUser"]["arn"] == "arn:aws:sts::1:assumed-role/r/s"
    assert SECRET not in json.dumps(recorded)
    assert "FwoGZXIvYXdzEXAMPLETOKEN" not in json.dumps(recorded)


def test_cognito_initiate_auth_password_is_hidden() -> None:
    params = {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": "client",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": SECRET},
    }
    recorded = request_json("cognito-idp", "InitiateAuth", params)
    assert recorded is not None
    assert recorded["authFlow"] == "USER_PASSWORD_AUTH"
    assert recorded["authParameters"] == HIDDEN
    assert SECRET not in json.dumps(recorded)


def test_cognito_tokens_in_a_response_are_hidden() -> None:
    response = {"AuthenticationResult": {"AccessToken": "eyJaccess", "IdToken": "eyJid", "ExpiresIn": 3600}}
    recorded = response_json("cognito-idp", "InitiateAuth", response)
    assert recorded == {
        "authenticationResult": {"accessToken": HIDDEN, "idToken": HIDDEN, "expiresIn": 3600},
    }


def test_iam_login_profile_password_is_hidden_but_flags_stay() -> None:
    params = {"UserName": "bob", "Password": SECRET, "PasswordResetRequired": True}
    recorded = request_json("iam", "CreateLoginProfile", params)
    assert recorded == {"userName": "bob", "password": HIDDEN, "passwordResetRequired": True}


def test_iam_access_key_secret_is_hidden() -> None:
    response = {
        "AccessKey": {
            "UserName": "bob",
            "AccessKeyId": "AKIAEXAMPLE",
            "Status": "Active",
            "SecretAccessKey": SECRET,
            "CreateDate": datetime(2024, 1, 1, tzinfo=UTC),
        }
    }
    recorded = response_json("iam", "CreateAccessKey", response)
    assert recorded is not None
    assert recorded["accessKey"]["secretAccessKey"] == HIDDEN
    assert recorded["accessKey"]["createDate"] == "2024-01-01T00:00:00Z"


def test_lambda_environment_variable_named_like_a_secret_is_hidden() -> None:
    params = {
        "FunctionName": "f",
        "Environment": {"Variables": {"DB_PASSWORD": SECRET, "STAGE": "prod"}},
        "ZipFile": b"PK\x03\x04",
    }
    recorded = request_json("lambda", "UpdateFunctionConfiguration", params)
    assert recorded is not None
    assert SECRET not in json.dumps(recorded)
    assert "zipFile" not in recorded


def test_map_of_strings_keyed_like_a_secret_hides_the_value() -> None:
    params = {"KeyId": "k", "Plaintext": b"x", "EncryptionContext": {"password": SECRET, "app": "web"}}
    recorded = request_json("kms", "Encrypt", params)
    assert recorded is not None
    assert recorded["encryptionContext"] == {"password": HIDDEN, "app": "web"}


def test_lists_and_nested_structures_keep_their_shape() -> None:
    params = {"UserName": "bob", "Tags": [{"Key": "team", "Value": "sec"}, {"Key": "env", "Value": "dev"}]}
    recorded = request_json("iam", "CreateUser", params)
    assert recorded == {
        "userName": "bob",
        "tags": [{"key": "team", "value": "sec"}, {"key": "env", "value": "dev"}],
    }


def test_member_unknown_to_the_shape_is_dropped() -> None:
    recorded = request_json("iam", "CreateUser", {"UserName": "bob", "Smuggled": SECRET})
    assert recorded == {"userName": "bob"}


def test_no_parameters_record_as_none() -> None:
    assert request_json("sts", "GetCallerIdentity", {}) is None
    assert redact(None, {"a": 1}) is None
    assert redact(operation_model("iam", "CreateUser").input_shape, None) is None
