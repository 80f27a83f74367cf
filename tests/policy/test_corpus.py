from __future__ import annotations

import pytest
from policy_corpus import CASES, Case

from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.document import Policy, parse_policy
from shieldwall.policy.request import AuthzRequest


def _named(kind: str, texts: tuple[str, ...]) -> tuple[Policy, ...]:
    return tuple(parse_policy(text, kind, name=f"{kind}{index}") for index, text in enumerate(texts))


def policy_set(case: Case) -> PolicySet:
    return PolicySet(
        identity=_named("identity", case.identity),
        resource=None
        if case.resource_policy is None
        else parse_policy(case.resource_policy, "resource", name="resource0"),
        boundary=None if case.boundary is None else parse_policy(case.boundary, "boundary", name="boundary0"),
        session=_named("session", case.session),
        scps=tuple(_named("scp", level) for level in case.scps),
        rcps=tuple(_named("rcp", level) for level in case.rcps),
        scp_exempt=case.scp_exempt,
        rcp_exempt=case.rcp_exempt,
    )


def request_for(case: Case) -> AuthzRequest:
    return AuthzRequest(
        principal_arn=case.principal,
        principal_account=case.account,
        action=case.action,
        resource=case.resource,
        resource_account=case.resource_account,
        context=case.context,
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus_case_decides_as_aws_documents(case: Case) -> None:
    decision = decide(request_for(case), policy_set(case))
    assert decision.explanation is not None
    walk = decision.explanation.render()
    assert decision.allowed is case.allowed, walk
    assert case.reason in decision.reason, walk
    if case.deciding:
        assert decision.deciding == case.deciding, walk
    if not case.allowed:
        assert decision.denied_action is not None and decision.denied_action.action == case.action


def test_corpus_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
