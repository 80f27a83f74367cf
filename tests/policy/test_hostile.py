"""Hostile policies are rejected or evaluated in bounded time; nothing crashes."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.document import PolicyError, parse_policy
from shieldwall.policy.request import AuthzRequest

USER = "arn:aws:iam::111122223333:user/alice"


def rejected(text: str | bytes, kind: str = "identity", **options: Any) -> list[str]:
    try:
        parse_policy(text, kind, **options)
    except PolicyError as error:
        return error.problems
    raise AssertionError("the policy was accepted")


def identity(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def request(resource: str = "*", action: str = "s3:GetObject", **context: tuple[str, ...]) -> AuthzRequest:
    return AuthzRequest(USER, "111122223333", action, resource, context=context)


def test_deeply_nested_json_is_rejected_without_recursion() -> None:
    assert rejected("[" * 100_000 + "]" * 100_000)
    assert rejected("[" * 3_000 + "]" * 3_000, "resource", limit=100_000)
    nested: Any = "x"
    for _ in range(100):
        nested = {"a": nested}
    assert rejected(json.dumps({"Version": "2012-10-17", "Statement": [nested]}))


def test_hundred_thousand_character_strings_are_rejected() -> None:
    assert rejected(identity({"Effect": "Allow", "Action": "s3:" + "A" * 100_000, "Resource": "*"}))


def test_lone_surrogates_and_control_characters_do_not_crash() -> None:
    assert rejected('{"Version": "2012-10-17", "Statement": "\\ud800"}')
    assert rejected(b"\xed\xa0\x80")


def test_regex_metacharacters_in_wildcards_are_literal() -> None:
    policy = parse_policy(
        identity({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/(a+)+$.*[x]"}), "identity"
    )
    assert not decide(request("arn:aws:s3:::b/aaaa"), PolicySet(identity=(policy,))).allowed
    assert decide(request("arn:aws:s3:::b/(a+)+$.anything[x]"), PolicySet(identity=(policy,))).allowed


def test_pathological_wildcards_evaluate_in_bounded_time() -> None:
    pattern = "arn:aws:s3:::b/" + "*a?" * 600 + "b"
    policy = parse_policy(identity({"Effect": "Allow", "Action": "s3:*", "Resource": pattern}), "identity")
    started = time.perf_counter()
    decision = decide(request("arn:aws:s3:::b/" + "a" * 20_000), PolicySet(identity=(policy,)))
    assert not decision.allowed
    assert time.perf_counter() - started < 2.0


def test_huge_condition_value_lists_evaluate_in_bounded_time() -> None:
    values = [f"team-{index}-*" for index in range(1_500)]
    text = identity(
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalTag/team": values}},
        }
    )
    policy = parse_policy(text, "identity", limit=100_000)
    started = time.perf_counter()
    for _ in range(20):
        decide(request(**{"aws:principaltag/team": ("nobody",)}), PolicySet(identity=(policy,)))
    assert decide(
        request(**{"aws:principaltag/team": ("team-1499-x",)}), PolicySet(identity=(policy,))
    ).allowed
    assert time.perf_counter() - started < 2.0


def test_many_policies_are_indexed_by_service() -> None:
    policies = tuple(
        parse_policy(
            identity({"Effect": "Allow", "Action": f"svc{index}:Get*", "Resource": "*"}),
            "identity",
            name=str(index),
        )
        for index in range(1_000)
    )
    decision = decide(request(action="svc999:GetThing"), PolicySet(identity=policies))
    assert decision.allowed and decision.deciding == ("999 #0",)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
element_names = st.sampled_from(
    [
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    ]
)
statements = st.dictionaries(
    element_names, json_values | st.sampled_from(["*", "Allow", "s3:*", "arn:aws:s3:::*"])
)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["identity", "resource", "trust", "boundary", "session", "scp", "rcp"]),
    version=st.sampled_from(["2012-10-17", "2008-10-17", None, 5]),
    body=st.lists(statements, max_size=3) | json_values,
)
def test_arbitrary_documents_parse_or_fail_with_problems(kind: str, version: Any, body: Any) -> None:
    text = json.dumps({"Version": version, "Statement": body})
    try:
        policy = parse_policy(text, kind)
    except PolicyError as error:
        assert error.problems and all(isinstance(problem, str) for problem in error.problems)
        return
    decide(request("arn:aws:s3:::b/k"), PolicySet(identity=(policy,)) if kind == "identity" else PolicySet())
