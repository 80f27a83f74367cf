"""The authorizer: `decide` with its explanation and AWS's wording."""

from __future__ import annotations

import json
from typing import Any

from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.document import parse_policy
from shieldwall.policy.explain import STEPS, access_denied_message
from shieldwall.policy.request import AuthzRequest

USER = "arn:aws:iam::111122223333:user/alice"


def identity(*statements: dict[str, Any], name: str = "p") -> PolicySet:
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return PolicySet(identity=(parse_policy(text, "identity", name=name),))


def request(action: str = "kms:Decrypt", **context: tuple[str, ...]) -> AuthzRequest:
    return AuthzRequest(
        USER, "111122223333", action, "arn:aws:kms:us-east-1:111122223333:key/k", context=context
    )


def test_decision_reason_reads_as_the_tail_of_aws_access_denied_message() -> None:
    decision = decide(request(), PolicySet())
    assert decision.denied_action is not None
    message = access_denied_message(
        USER, decision.denied_action.action, decision.denied_action.resource, decision.reason
    )
    assert message == (
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Decrypt on resource: "
        "arn:aws:kms:us-east-1:111122223333:key/k because no identity-based policy allows the kms:Decrypt action"
    )


def test_explanation_walks_every_step_in_aws_order() -> None:
    decision = decide(request(), identity({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))
    assert decision.explanation is not None
    assert [step.name for step in decision.explanation.steps] == list(STEPS)
    assert decision.explanation.steps[-1].outcome == "allow"


def test_explanation_names_the_condition_key_and_value_that_failed() -> None:
    policies = identity(
        {
            "Sid": "OnlyRed",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}},
        }
    )
    decision = decide(request(**{"aws:principaltag/team": ("blue",)}), policies)
    assert decision.explanation is not None
    text = decision.explanation.render()
    assert "OnlyRed" in text and "aws:PrincipalTag/team" in text and "blue" in text and "red" in text
    statement = decision.explanation.steps[-1].policies[0].statements[0]
    assert not statement.applies and statement.label == "OnlyRed"


def test_explicit_deny_step_names_the_deciding_statement() -> None:
    policies = identity(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoKms", "Effect": "Deny", "Action": "kms:*", "Resource": "*"},
        name="admin",
    )
    decision = decide(request(), policies)
    assert decision.deciding == ("admin NoKms",)
    assert decision.reason == "with an explicit deny in an identity-based policy"
    assert decision.explanation is not None and decision.explanation.steps[0].outcome == "deny"


def test_statements_for_other_services_are_skipped_and_counted() -> None:
    policies = identity(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["ec2:*", "iam:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
    )
    decision = decide(request(), policies)
    assert decision.explanation is not None
    result = decision.explanation.steps[-1].policies[0]
    assert result.skipped == 2 and [s.index for s in result.statements] == [2]
    assert "2 statement(s) for other services skipped" in decision.explanation.render()


def test_condition_error_is_shown_as_fail_closed() -> None:
    policies = identity(
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {"NumericGreaterThan": {"kms:x": "1"}},
        },
    )
    decision = decide(request(**{"kms:x": ("not-a-number",)}), policies)
    assert not decision.allowed
    assert decision.explanation is not None and "fail closed" in decision.explanation.render()
