"""A request's objects are freed by reference counting when it is answered, never left to the cycle collector.

A cycle (the request context held by its own call's judge, or by the frames of an error's traceback) made every
request's objects garbage that only a collection could free; those collections cost about 5% of a
GetSecretValue. Allowed, denied and failed requests, of the root user and of an IAM user, are checked here.
"""

from __future__ import annotations

import gc
import json

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from shieldwall.gateway import app
from shieldwall.gateway.runtime import Runtime
from shieldwall.http import HttpRequest

ROOT = ("test", "test")


def query(keys: tuple[str, str], service: str, version: str, **params: str) -> HttpRequest:
    body = "&".join(f"{name}={value}" for name, value in {**params, "Version": version}.items())
    return _signed(keys, service, body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})


def json_call(keys: tuple[str, str], service: str, target: str, document: dict[str, object]) -> HttpRequest:
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    return _signed(keys, service, json.dumps(document).encode(), headers)


def _signed(keys: tuple[str, str], service: str, body: bytes, headers: dict[str, str]) -> HttpRequest:
    request = AWSRequest("POST", "http://127.0.0.1:4566/", data=body, headers=headers)
    SigV4Auth(Credentials(*keys), service, "us-east-1").add_auth(request)
    wire = [
        ("host", "127.0.0.1:4566"),
        *((name.lower(), str(value)) for name, value in request.headers.items()),
    ]
    return HttpRequest("POST", "/", "", wire, body, "127.0.0.1")


def _answer(rt: Runtime, request: HttpRequest, status: int = 200) -> bytes:
    response = app.handle(request, rt)
    assert response.status == status, response.body
    return response.body


def _user_keys(rt: Runtime) -> tuple[str, str]:
    _answer(rt, query(ROOT, "iam", "2010-05-08", Action="CreateUser", UserName="alice"))
    policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}'
    )
    _answer(
        rt,
        query(
            ROOT, "iam", "2010-05-08", Action="PutUserPolicy", UserName="alice", PolicyName="list",
            PolicyDocument=policy.replace('"', "%22").replace("{", "%7B").replace("}", "%7D"),
        ),
    )  # fmt: skip
    body = _answer(rt, query(ROOT, "iam", "2010-05-08", Action="CreateAccessKey", UserName="alice")).decode()
    key_id = body.split("<AccessKeyId>")[1].split("<")[0]
    secret = body.split("<SecretAccessKey>")[1].split("<")[0]
    return key_id, secret


def test_answered_requests_leave_no_cyclic_garbage(rt: Runtime) -> None:
    alice = _user_keys(rt)
    _answer(
        rt,
        json_call(
            ROOT,
            "secretsmanager",
            "secretsmanager.CreateSecret",
            {"Name": "db", "SecretString": "s3cr3t", "ClientRequestToken": "a" * 32},
        ),
    )
    requests = [
        (json_call(ROOT, "secretsmanager", "secretsmanager.GetSecretValue", {"SecretId": "db"}), 200),
        (json_call(ROOT, "secretsmanager", "secretsmanager.GetSecretValue", {"SecretId": "nope"}), 400),
        (query(ROOT, "sts", "2011-06-15", Action="GetCallerIdentity"), 200),
        (query(alice, "iam", "2010-05-08", Action="ListUsers"), 200),
        (query(alice, "iam", "2010-05-08", Action="ListRoles"), 403),
        (query(("AKIAIOSFODNN7EXAMPLE", "wrong"), "sts", "2011-06-15", Action="GetCallerIdentity"), 403),
    ]
    for request, status in requests:  # caches filled, models loaded
        _answer(rt, request, status)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for request, status in requests:
            _answer(rt, request, status)
        gc.collect()
        left = sorted({type(thing).__qualname__ for thing in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
