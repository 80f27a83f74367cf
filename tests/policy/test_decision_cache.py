"""Plans, the decision cache and the lazy explanation: fast where safe, never a stale or different answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shieldwall.policy import authorizer, plan
from shieldwall.policy.authorizer import Decision, PolicySet, combine, decide
from shieldwall.policy.context import ConditionContext
from shieldwall.policy.document import Policy, parse_policy
from shieldwall.policy.explain import Explanation
from shieldwall.policy.request import AuthzRequest

ALICE = "arn:aws:iam::111122223333:user/alice"
OBJECT = "arn:aws:s3:::bucket/home/alice/report.csv"


def policy(*statements: dict[str, Any], name: str = "p") -> Policy:
    return parse_policy(
        json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), "identity", name=name
    )


def request(action: str = "s3:GetObject", resource: str = OBJECT, **context: tuple[str, ...]) -> AuthzRequest:
    return AuthzRequest(ALICE, "111122223333", action, resource, context=context)


ALLOW_TEAM = {
    "Sid": "Team",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}},
}
BEFORE_2030 = {
    "Sid": "Window",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "*",
    "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
}


@pytest.fixture(autouse=True)
def fresh_caches() -> Any:
    plan.clear_caches()
    yield
    plan.set_decision_cache_limit(plan.DECISION_LIMIT)


def test_repeated_request_gets_the_same_decision() -> None:
    policies = PolicySet(identity=(policy(ALLOW_TEAM),))
    first = decide(request(**{"aws:principaltag/team": ("red",)}), policies)
    second = decide(request(**{"aws:principaltag/team": ("red",)}), policies)
    assert first == second and second.allowed and second.deciding == ("p Team",)


def test_a_key_a_condition_reads_changes_the_decision_despite_the_cache() -> None:
    policies = PolicySet(identity=(policy(ALLOW_TEAM),))
    assert decide(request(**{"aws:principaltag/team": ("red",)}), policies).allowed
    assert not decide(request(**{"aws:principaltag/team": ("blue",)}), policies).allowed
    assert not decide(request(), policies).allowed


def test_a_key_no_statement_reads_does_not_split_the_cache() -> None:
    policies = PolicySet(identity=(policy(ALLOW_TEAM),))
    decide(request(**{"aws:principaltag/team": ("red",), "aws:sourceip": ("10.0.0.1",)}), policies)
    decide(request(**{"aws:principaltag/team": ("red",), "aws:sourceip": ("10.0.0.2",)}), policies)
    assert len(plan._DECISIONS) == 1


def test_decisions_that_read_the_clock_are_never_cached() -> None:
    policies = PolicySet(identity=(policy(BEFORE_2030),))
    assert decide(request(**{"aws:currenttime": ("2029-12-31T23:59:59Z",)}), policies).allowed
    assert not decide(request(**{"aws:currenttime": ("2030-01-01T00:00:01Z",)}), policies).allowed
    assert not plan._DECISIONS


def test_a_new_policy_version_takes_effect_on_the_next_decision() -> None:
    allow = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    assert decide(request(), PolicySet(identity=(policy(allow),))).allowed
    replaced = policy({**allow, "Effect": "Deny"}, {**allow, "Sid": "Other"})
    decision = decide(request(), PolicySet(identity=(replaced,)))
    assert not decision.allowed and decision.reason == "with an explicit deny in an identity-based policy"


def test_the_same_policies_in_a_new_policy_set_share_one_plan() -> None:
    policies = (policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),)
    assert plan.plan_for(PolicySet(identity=policies)) is plan.plan_for(PolicySet(identity=policies))


def test_unhashable_context_values_are_decided_without_the_cache() -> None:
    policies = PolicySet(identity=(policy(ALLOW_TEAM),))
    context: Any = {"aws:principaltag/team": ["red"]}
    assert decide(
        AuthzRequest(ALICE, "111122223333", "s3:GetObject", OBJECT, context=context), policies
    ).allowed


def test_the_decision_cache_is_bounded() -> None:
    plan.set_decision_cache_limit(8)
    policies = PolicySet(identity=(policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),))
    for number in range(50):
        assert decide(request(resource=f"arn:aws:s3:::bucket/{number}"), policies).allowed
    assert len(plan._DECISIONS) == 8


def test_statements_for_other_actions_are_not_candidates() -> None:
    statements = [
        {"Sid": f"S{n}", "Effect": "Allow", "Action": f"s3:Action{n}", "Resource": "*"} for n in range(50)
    ]
    policies = PolicySet(
        identity=(
            policy(*statements, {"Sid": "Get", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}),
        )
    )
    candidates = plan.plan_for(policies).for_action("s3:getobject").kinds["identity"].allows
    assert [c.name for group in candidates for c in group] == ["p Get"]
    assert decide(request(), policies).deciding == ("p Get",)


def test_explanation_is_built_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = authorizer.evaluate_policy

    def counting(policy: Policy, env: Any) -> Any:
        calls.append(policy.name)
        return original(policy, env)

    monkeypatch.setattr(authorizer, "evaluate_policy", counting)
    policies = PolicySet(identity=(policy(ALLOW_TEAM),))
    decision = decide(request(), policies)
    assert calls == []
    explanation = decision.explanation
    assert explanation is not None and calls == ["p"]
    assert decision.explanation is explanation and calls == ["p"]
    assert explanation.render() == combine(request(), policies).render()


def test_lazy_explanation_matches_the_decision() -> None:
    policies = PolicySet(identity=(policy(ALLOW_TEAM),))
    decision = decide(request(**{"aws:principaltag/team": ("blue",)}), policies)
    assert decision.explanation is not None
    assert (decision.explanation.allowed, decision.explanation.reason) == (decision.allowed, decision.reason)
    assert (
        "aws:PrincipalTag/team" in decision.explanation.render() and "`blue`" in decision.explanation.render()
    )


def test_a_given_explanation_is_kept() -> None:
    given = Explanation(False, "because", (), ())
    assert Decision(False, "because", explanation=given).explanation is given
    assert Decision(True, "no permission needed").explanation is None


def test_explanation_rendered_after_the_context_is_sealed_still_sees_lazily_loaded_keys() -> None:
    """The gateway seals a request's lazy context once it has decided; the explanation may be read later."""
    loads: list[str] = []

    def principal_tags() -> dict[str, tuple[str, ...]]:
        loads.append("tags")
        return {"aws:principaltag/team": ("red",)}

    deny_blue = {
        "Effect": "Deny",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
    }
    policies = PolicySet(identity=(policy(deny_blue, {**ALLOW_TEAM, "Action": "s3:*"}),))
    context = ConditionContext({}, lazy=[(("aws:principaltag/",), principal_tags)])
    decision = decide(AuthzRequest(ALICE, "111122223333", "s3:GetObject", OBJECT, context=context), policies)
    context.seal()
    assert decision.allowed and loads == ["tags"]
    assert decision.explanation is not None and "`red`" in decision.explanation.render()
