"""The authorize step in-process: several permissions per operation, an operation's own condition keys, the
root user across accounts, anonymous callers, operations without a mapping, and the authorizer's store cache."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from shieldwall import ids
from shieldwall.auth.principal import ANONYMOUS
from shieldwall.gateway import app
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.gateway.steps.authorize import call_for, judge
from shieldwall.http import HttpRequest
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.protocol.router import Route
from shieldwall.services.base import Call
from shieldwall.spec.loader import service_model

ACCOUNT = "000000000000"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"


def signed(access_key: str, secret: str, **params: str) -> HttpRequest:
    body = "&".join(f"{name}={value}" for name, value in {**params, "Version": "2010-05-08"}.items())
    request = AWSRequest(
        "POST",
        "http://127.0.0.1:4566/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials(access_key, secret), "iam", "us-east-1").add_auth(request)
    headers = [("host", "127.0.0.1:4566"), *request.headers.items()]
    return HttpRequest("POST", "/", "", headers, body.encode(), "127.0.0.1")


def send(rt: Runtime, access_key: str, secret: str, **params: str) -> str:
    response = app.handle(signed(access_key, secret, **params), rt)
    assert response.status == 200, response.body
    return response.body.decode()


def prepared(rt: Runtime, request: HttpRequest) -> RequestContext:
    """A request taken through the steps before authorize (route, authenticate, parse) and given its Call."""
    ctx = RequestContext(request, ids.request_id(), datetime.now(UTC))
    for step in app.PIPELINE[:3]:
        step(ctx, rt)
    ctx.call = call_for(ctx, rt)
    return ctx


def rule_of(*requests: ActionRequest) -> Any:
    def rule(_params: Any, _call: Call) -> list[ActionRequest]:
        return list(requests)

    return rule


@pytest.fixture
def alice(rt: Runtime) -> RequestContext:
    """A ListUsers request of user alice, whose policy allows CreateUser only with boundary BOUNDARY."""
    send(rt, "test", "test", Action="CreateUser", UserName="alice")
    created = send(rt, "test", "test", Action="CreateAccessKey", UserName="alice")
    key_id = re.search(r"<AccessKeyId>(.+?)</AccessKeyId>", created)
    secret = re.search(r"<SecretAccessKey>(.+?)</SecretAccessKey>", created)
    assert key_id and secret
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:CreateUser",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}},
            },
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
        ],
    }
    send(
        rt,
        "test",
        "test",
        Action="PutUserPolicy",
        UserName="alice",
        PolicyName="p",
        PolicyDocument=json.dumps(policy),
    )
    return prepared(rt, signed(key_id.group(1), secret.group(1), Action="ListUsers"))


def test_an_operations_own_condition_keys_reach_the_policy(rt: Runtime, alice: RequestContext) -> None:
    bounded = ActionRequest(
        "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/bob", context={"iam:PermissionsBoundary": (BOUNDARY,)}
    )
    assert judge(alice, rt, rule_of(bounded))[1].allowed
    other = ActionRequest(
        "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/bob", context={"iam:PermissionsBoundary": ("x",)}
    )
    assert not judge(alice, rt, rule_of(other))[1].allowed
    assert not judge(alice, rt, rule_of(ActionRequest("iam:CreateUser", "*")))[1].allowed


def test_every_permission_must_be_allowed_and_checking_stops_at_the_first_denial(
    rt: Runtime, alice: RequestContext
) -> None:
    listing = ActionRequest("iam:ListUsers", "*")
    tagging = ActionRequest("iam:TagUser", ALICE)
    never = ActionRequest("iam:DeleteUser", ALICE)
    checks, decision = judge(alice, rt, rule_of(listing, tagging, never))
    assert [request for request, _ in checks] == [listing, tagging]
    assert not decision.allowed and decision.denied_action == ActionRequest("iam:TagUser", ALICE)
    checks, decision = judge(alice, rt, rule_of(listing, listing))
    assert decision.allowed and len(checks) == 2


def test_the_root_user_is_allowed_in_its_account_only(rt: Runtime) -> None:
    ctx = prepared(rt, signed("test", "test", Action="ListUsers"))
    own = ActionRequest("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/r")
    assert judge(ctx, rt, rule_of(own))[1].allowed
    foreign = ActionRequest("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k", "111122223333")
    decision = judge(ctx, rt, rule_of(own, foreign))[1]
    assert not decision.allowed
    assert decision.reason == "because no resource-based policy allows the kms:Decrypt action"


def test_anonymous_callers_reach_only_unsigned_operations(rt: Runtime) -> None:
    ctx = prepared(rt, signed("test", "test", Action="ListUsers"))
    ctx.principal = ANONYMOUS
    assert not judge(ctx, rt, rule_of(ActionRequest("iam:ListUsers", "*")))[1].allowed
    assert not judge(ctx, rt, rule_of())[1].allowed
    sts = service_model("sts")
    ctx.route = Route("sts", sts.operation_model("AssumeRoleWithWebIdentity"), {})
    assert judge(ctx, rt, rule_of(ActionRequest("sts:AssumeRoleWithWebIdentity", "*")))[1].allowed


def test_an_operation_without_a_mapping_is_denied(rt: Runtime, alice: RequestContext) -> None:
    checks, decision = judge(alice, rt, None)
    assert checks == () and not decision.allowed
    assert "no authorization mapping" in decision.reason


def test_the_authorizer_reads_the_store_only_after_a_write(rt: Runtime, alice: RequestContext) -> None:
    reads = 0
    real_read = rt.store.read

    def counting_read() -> Any:
        nonlocal reads
        reads += 1
        return real_read()

    rt.store.read = counting_read  # type: ignore[method-assign]
    listing = rule_of(ActionRequest("iam:ListUsers", "*"))
    judge(alice, rt, listing)
    first = reads
    judge(alice, rt, listing)
    assert reads == first  # nothing changed: policies come from the cache
    rt.store.read = real_read  # type: ignore[method-assign]
    send(rt, "test", "test", Action="DeleteUserPolicy", UserName="alice", PolicyName="p")
    assert not judge(alice, rt, listing)[1].allowed
