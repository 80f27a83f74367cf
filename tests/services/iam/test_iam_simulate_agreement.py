"""SimulateCustomPolicy agrees with enforcement: each case runs through `decide` directly and through boto3.

Every case also names the decision AWS documents for it, so the two paths cannot agree on a wrong answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.document import parse_policy
from shieldwall.policy.request import AuthzRequest

ALICE = "arn:aws:iam::000000000000:user/alice"
OUTSIDER = "arn:aws:iam::111111111111:user/mallory"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def entry(name: str, kind: str, *values: str) -> dict[str, Any]:
    return {"ContextKeyName": name, "ContextKeyType": kind, "ContextKeyValues": list(values)}


BUCKET_FOR_OUTSIDER = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": OUTSIDER},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::shared/*",
            }
        ],
    }
)
BUCKET_FOR_ALICE = BUCKET_FOR_OUTSIDER.replace(OUTSIDER, ALICE)

CASES: list[dict[str, Any]] = [
    {"id": "allowed", "identity": [doc(allow("s3:GetObject", "arn:aws:s3:::b/*"))], "expect": "allowed"},
    {"id": "other-action", "identity": [doc(allow("s3:PutObject"))], "expect": "implicitDeny"},
    {
        "id": "deny-wins",
        "identity": [doc(allow("s3:*")), doc(deny("s3:GetObject"))],
        "expect": "explicitDeny",
    },
    {
        "id": "tag-matches",
        "identity": [doc(allow("s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}))],
        "context": [entry("aws:PrincipalTag/team", "string", "blue")],
        "expect": "allowed",
    },
    {
        "id": "tag-differs",
        "identity": [doc(allow("s3:*", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}))],
        "context": [entry("aws:PrincipalTag/team", "string", "red")],
        "expect": "implicitDeny",
    },
    {
        "id": "ip-inside",
        "identity": [doc(allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))],
        "context": [entry("aws:SourceIp", "ip", "10.1.2.3")],
        "expect": "allowed",
    },
    {
        "id": "ip-outside",
        "identity": [doc(allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))],
        "context": [entry("aws:SourceIp", "ip", "192.168.0.1")],
        "expect": "implicitDeny",
    },
    {
        "id": "numeric",
        "identity": [doc(allow("s3:ListBucket", Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}}))],
        "action": "s3:ListBucket",
        "context": [entry("s3:max-keys", "numeric", "5")],
        "expect": "allowed",
    },
    {
        "id": "insecure-transport-denied",
        "identity": [doc(allow("s3:*"), deny("s3:*", Condition={"Bool": {"aws:SecureTransport": "false"}}))],
        "context": [entry("aws:SecureTransport", "boolean", "FALSE")],
        "expect": "explicitDeny",
    },
    {
        "id": "variable-own-prefix",
        "identity": [doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"))],
        "resource": "arn:aws:s3:::b/alice/notes.txt",
        "context": [entry("aws:username", "string", "alice")],
        "expect": "allowed",
    },
    {
        "id": "variable-other-prefix",
        "identity": [doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"))],
        "resource": "arn:aws:s3:::b/bob/notes.txt",
        "context": [entry("aws:username", "string", "alice")],
        "expect": "implicitDeny",
    },
    {
        "id": "tag-keys-any-value",
        "identity": [doc(allow("s3:*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}))],
        "context": [entry("aws:TagKeys", "stringList", "owner", "env")],
        "expect": "allowed",
    },
    {
        "id": "after-a-date",
        "identity": [
            doc(allow("s3:*", Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}))
        ],
        "context": [entry("aws:CurrentTime", "date", "2024-06-01T12:00:00Z")],
        "expect": "allowed",
    },
    {
        "id": "boundary-allows",
        "identity": [doc(allow("s3:*"))],
        "boundary": doc(allow("s3:GetObject")),
        "expect": "allowed",
    },
    {
        "id": "boundary-cuts",
        "identity": [doc(allow("s3:*"))],
        "boundary": doc(allow("s3:GetObject")),
        "action": "s3:PutObject",
        "expect": "implicitDeny",
    },
    {
        "id": "cross-account-both-sides",
        "identity": [doc(allow("s3:GetObject"))],
        "caller": OUTSIDER,
        "owner": "000000000000",
        "resource_policy": BUCKET_FOR_OUTSIDER,
        "resource": "arn:aws:s3:::shared/report.csv",
        "expect": "allowed",
    },
    {
        "id": "cross-account-identity-only",
        "identity": [doc(allow("s3:GetObject"))],
        "caller": OUTSIDER,
        "owner": "000000000000",
        "resource_policy": BUCKET_FOR_ALICE,
        "resource": "arn:aws:s3:::shared/report.csv",
        "expect": "implicitDeny",
    },
    {
        "id": "same-account-resource-policy-names-the-user",
        "identity": [doc(allow("sqs:SendMessage"))],
        "resource_policy": BUCKET_FOR_ALICE,
        "resource": "arn:aws:s3:::shared/report.csv",
        "expect": "allowed",
    },
]


def typed_context(entries: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    context = {}
    for item in entries:
        values = tuple(item["ContextKeyValues"])
        if item["ContextKeyType"].startswith("boolean"):
            values = tuple(value.lower() for value in values)
        context[item["ContextKeyName"].lower()] = values
    return context


def direct_decision(case: dict[str, Any]) -> str:
    caller = case.get("caller", ALICE)
    account = caller.split(":")[4]
    resource = case.get("resource", "arn:aws:s3:::b/key")
    owner = case.get("owner", account)
    resource_account = resource.split(":")[4] or owner
    request = AuthzRequest(
        caller,
        account,
        case.get("action", "s3:GetObject"),
        resource,
        resource_account,
        typed_context(case.get("context", [])),
    )
    policies = PolicySet(
        identity=tuple(parse_policy(text, "identity") for text in case["identity"]),
        resource=parse_policy(case["resource_policy"], "resource") if "resource_policy" in case else None,
        boundary=parse_policy(case["boundary"], "boundary") if "boundary" in case else None,
    )
    decision = decide(request, policies)
    if decision.allowed:
        return "allowed"
    explicit = decision.explanation is not None and decision.explanation.steps[0].outcome == "deny"
    return "explicitDeny" if explicit else "implicitDeny"


def simulated_decision(iam: Any, case: dict[str, Any]) -> str:
    params: dict[str, Any] = {
        "PolicyInputList": case["identity"],
        "ActionNames": [case.get("action", "s3:GetObject")],
        "ResourceArns": [case.get("resource", "arn:aws:s3:::b/key")],
        "CallerArn": case.get("caller", ALICE),
        "ContextEntries": case.get("context", []),
    }
    if "resource_policy" in case:
        params["ResourcePolicy"] = case["resource_policy"]
    if "owner" in case:
        params["ResourceOwner"] = f"arn:aws:iam::{case['owner']}:root"
    if "boundary" in case:
        params["PermissionsBoundaryPolicyInputList"] = [case["boundary"]]
    result = iam.simulate_custom_policy(**params)["EvaluationResults"][0]
    assert result["ResourceSpecificResults"][0]["EvalResourceDecision"] == result["EvalDecision"]
    return str(result["EvalDecision"])


def test_simulator_and_enforcement_decide_every_case_alike(iam: Any) -> None:
    for case in CASES:
        direct = direct_decision(case)
        simulated = simulated_decision(iam, case)
        assert (case["id"], direct, simulated) == (case["id"], case["expect"], case["expect"])


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_engine_alone_decides_each_case_as_documented(case: dict[str, Any]) -> None:
    assert direct_decision(case) == case["expect"]
