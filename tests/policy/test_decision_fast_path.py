"""The decision path (action index, lazy outcomes, `holds`) decides exactly as the full explained walk does.

`decide` evaluates only the statements whose action matches and builds no reasons; `combine` evaluates every
statement with its reasons and records the walk. Both must give the same decision, reason and deciding
statements, on the evaluation corpus and on generated policy sets and requests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from policy_corpus import CASES, Case
from test_corpus import policy_set, request_for

from shieldwall.policy import plan
from shieldwall.policy.authorizer import PolicySet, combine, decide
from shieldwall.policy.conditions import compile_condition
from shieldwall.policy.document import Policy, PolicyError, parse_policy
from shieldwall.policy.request import AuthzRequest

A = "111122223333"
B = "444455556666"


@pytest.fixture(autouse=True)
def no_decision_cache() -> Any:
    plan.set_decision_cache_limit(0)  # every decision below is evaluated, none recalled
    yield
    plan.set_decision_cache_limit(plan.DECISION_LIMIT)


def assert_same(request: AuthzRequest, policies: PolicySet) -> None:
    decision = decide(request, policies)
    walk = combine(request, policies)
    assert (decision.allowed, decision.reason, decision.deciding) == (
        walk.allowed,
        walk.reason,
        walk.deciding,
    ), walk.render()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_decision_path_agrees_with_the_explained_walk_on_the_corpus(case: Case) -> None:
    assert_same(request_for(case), policy_set(case))


# --- generated policy sets ---------------------------------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "kms:Decrypt", "kms:*", "*", "s3:?etObject"]
RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/home/${aws:username}/*",
    "arn:aws:s3:::other/*",
    f"arn:aws:kms:us-east-1:{A}:key/*",
    "arn:aws:*:*:*:*",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*",
]
CONDITIONS = [
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:username}"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "env*"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": "owner"}},
    {"Null": {"aws:PrincipalTag/team": "true"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
]
PRINCIPALS = [
    "*",
    {"AWS": A},
    {"AWS": B},
    {"AWS": f"arn:aws:iam::{A}:user/alice"},
    {"AWS": f"arn:aws:iam::{A}:role/app"},
]
CALLERS = [
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:iam::{A}:user/bob",
    f"arn:aws:sts::{A}:assumed-role/app/s1",
    f"arn:aws:iam::{A}:root",
    f"arn:aws:iam::{B}:user/carol",
    "*",
]


@st.composite
def statements(draw: st.DrawFn, with_principal: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    actions = draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3))
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = actions
    resources = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2))
    statement["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = resources
    if draw(st.booleans()):
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    if with_principal:
        statement["NotPrincipal" if draw(st.integers(0, 7)) == 0 else "Principal"] = draw(
            st.sampled_from(PRINCIPALS)
        )
    return statement


@st.composite
def documents(draw: st.DrawFn, kind: str, with_principal: bool = False) -> Policy:
    items = draw(st.lists(statements(with_principal), min_size=1, max_size=4))
    text = json.dumps({"Version": "2012-10-17", "Statement": items})
    try:
        return parse_policy(text, kind, name=f"{kind}{draw(st.integers(0, 9))}")
    except PolicyError:
        reject()  # a statement this kind of policy may not hold


@st.composite
def policy_sets(draw: st.DrawFn) -> PolicySet:
    optional = st.one_of(st.none(), documents("resource", with_principal=True))
    return PolicySet(
        identity=tuple(draw(st.lists(documents("identity"), max_size=3))),
        resource=draw(optional),
        boundary=draw(st.one_of(st.none(), documents("boundary"))),
        session=tuple(draw(st.lists(documents("session"), max_size=1))),
        scps=tuple(
            tuple(level) for level in draw(st.lists(st.lists(documents("scp"), max_size=2), max_size=2))
        ),
        rcps=tuple(
            tuple(level) for level in draw(st.lists(st.lists(documents("rcp", True), max_size=1), max_size=1))
        ),
        scp_exempt=draw(st.integers(0, 5)) == 0,
    )


@st.composite
def requests(draw: st.DrawFn) -> AuthzRequest:
    caller = draw(st.sampled_from(CALLERS))
    account = B if f":{B}:" in caller else A
    context: dict[str, tuple[str, ...]] = {"aws:username": ("alice",)}
    if caller.startswith(f"arn:aws:sts::{A}:assumed-role/"):
        context["aws:principalarn"] = (f"arn:aws:iam::{A}:role/app",)
    optional = {
        "aws:principaltag/team": st.sampled_from([("red",), ("alice",), ("",)]),
        "aws:sourceip": st.sampled_from([("10.1.2.3",), ("8.8.8.8",), ("not-an-ip",)]),
        "aws:multifactorauthpresent": st.sampled_from([("true",), ("false",)]),
        "aws:multifactorauthage": st.sampled_from([("30",), ("7200",), ("x",)]),
        "aws:tagkeys": st.sampled_from([("team",), ("team", "owner"), ("envx", "team"), ()]),
        "aws:currenttime": st.sampled_from([("2026-01-01T00:00:00Z",), ("2031-01-01T00:00:00Z",)]),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            context[key] = draw(values)
    return AuthzRequest(
        caller,
        "" if caller == "*" else account,
        draw(st.sampled_from(["s3:GetObject", "s3:putobject", "kms:Decrypt", "ec2:RunInstances"])),
        draw(
            st.sampled_from(
                ["arn:aws:s3:::bucket/home/alice/x", "arn:aws:s3:::bucket/red/k", "arn:aws:s3:::other/k"]
            )
        ),
        draw(st.sampled_from(["", A, B])),
        context,
    )


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(policies=policy_sets(), request=requests())
def test_decision_path_agrees_with_the_explained_walk_on_generated_sets(
    policies: PolicySet, request: AuthzRequest
) -> None:
    assert_same(request, policies)


# --- conditions: `holds` is `evaluate` without the reason --------------------------------------------------

OPERATOR_VALUES = [
    ("StringEquals", ["red", "blue"]),
    ("StringNotEqualsIgnoreCase", ["RED"]),
    ("StringLike", ["r*", "b?ue"]),
    ("ForAllValues:StringNotLike", ["x*"]),
    ("ForAnyValue:StringEquals", ["red"]),
    ("NumericGreaterThanIfExists", ["10"]),
    ("DateLessThanEquals", ["2030-01-01T00:00:00Z"]),
    ("Bool", ["true"]),
    ("IpAddress", ["10.0.0.0/8"]),
    ("NotIpAddressIfExists", ["10.0.0.0/8"]),
    ("ArnLike", ["arn:aws:iam::*:role/*"]),
    ("Null", ["false"]),
    ("StringEquals", ["${aws:username}"]),
]
REQUEST_VALUES = st.sampled_from(
    [
        *(None, (), ("",), ("red",), ("RED", "blue"), ("15",), ("2029-12-31T00:00:00Z",), ("true",)),
        *(("10.2.3.4",), ("arn:aws:iam::1:role/r",), ("x1", "x2"), ("nope", "red"), ("alice",)),
    ]
)


@given(spec=st.sampled_from(OPERATOR_VALUES), values=REQUEST_VALUES)
def test_condition_holds_answers_as_evaluate_does(spec: tuple[str, list[str]], values: Any) -> None:
    operator, policy_values = spec
    condition = compile_condition(operator, "k:Key", policy_values)
    context = {} if values is None else {"k:key": values}

    def resolve(text: str) -> str | None:
        return "alice" if text == "${aws:username}" else None

    result = condition.evaluate(context, resolve)
    assert condition.holds(context, resolve) == (None if result.error else result.matched)
