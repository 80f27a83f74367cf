"""Inline policies of users, groups and roles, through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
QUOTAS = {"user": 2048, "group": 5120, "role": 10240}


def document(*actions: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }


def sized(characters: int) -> str:
    """A document of exactly `characters` characters once white space is removed."""
    base = len(json.dumps(document("s3:"), separators=(",", ":")))
    return json.dumps(document("s3:" + "a" * (characters - base)), separators=(",", ":"))


def make_entity(iam: Any, kind: str, name: str) -> None:
    if kind == "user":
        iam.create_user(UserName=name)
    elif kind == "group":
        iam.create_group(GroupName=name)
    else:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)


class Inline:
    def __init__(self, iam: Any, kind: str) -> None:
        self.iam, self.kind, self.member = iam, kind, f"{kind.capitalize()}Name"

    def __getattr__(self, verb: str) -> Any:
        operation = getattr(
            self.iam, f"{verb}_{self.kind}_policy" if verb != "list" else f"list_{self.kind}_policies"
        )

        def call(*, name: str, **params: Any) -> Any:
            return operation(**{self.member: name}, **params)

        return call


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policies_put_get_replace_list_and_delete(iam: Any, kind: str) -> None:
    make_entity(iam, kind, "Entity")
    inline = Inline(iam, kind)
    inline.put(name="Entity", PolicyName="B", PolicyDocument=json.dumps(document("s3:GetObject")))
    inline.put(name="entity", PolicyName="A", PolicyDocument=json.dumps(document("sqs:SendMessage")))
    fetched = inline.get(name="ENTITY", PolicyName="B")
    assert fetched[f"{kind.capitalize()}Name"] == "Entity"
    assert (fetched["PolicyName"], fetched["PolicyDocument"]) == ("B", document("s3:GetObject"))
    inline.put(name="Entity", PolicyName="B", PolicyDocument=json.dumps(document("s3:PutObject")))
    assert inline.get(name="Entity", PolicyName="B")["PolicyDocument"] == document("s3:PutObject")
    assert inline.list(name="Entity")["PolicyNames"] == ["A", "B"]
    page = inline.list(name="Entity", MaxItems=1)
    assert (page["PolicyNames"], page["IsTruncated"]) == (["A"], True)
    assert inline.list(name="Entity", Marker=page["Marker"])["PolicyNames"] == ["B"]
    inline.delete(name="Entity", PolicyName="A")
    assert inline.list(name="Entity")["PolicyNames"] == ["B"]


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policy_errors_are_worded_as_aws_words_them(iam: Any, aws_error: Any, kind: str) -> None:
    inline = Inline(iam, kind)
    valid = json.dumps(document("s3:GetObject"))
    assert aws_error(inline.put, name="ghost", PolicyName="P", PolicyDocument=valid) == (
        "NoSuchEntity",
        404,
        f"The {kind} with name ghost cannot be found.",
    )
    make_entity(iam, kind, "e1")
    for verb in ("get", "delete"):
        assert aws_error(getattr(inline, verb), name="e1", PolicyName="P") == (
            "NoSuchEntity",
            404,
            f"The {kind} policy with name P cannot be found.",
        )
    principal = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}],
    }
    assert aws_error(inline.put, name="e1", PolicyName="P", PolicyDocument=json.dumps(principal)) == (
        "MalformedPolicyDocument",
        400,
        "Policy document should not specify a principal.",
    )
    assert aws_error(inline.put, name="e1", PolicyName="P", PolicyDocument="[1, 2") == (
        "MalformedPolicyDocument",
        400,
        "This policy contains invalid Json",
    )
    assert inline.list(name="e1")["PolicyNames"] == []


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policies_share_one_size_quota_per_entity(iam: Any, aws_error: Any, kind: str) -> None:
    make_entity(iam, kind, "e1")
    inline = Inline(iam, kind)
    quota = QUOTAS[kind]
    inline.put(name="e1", PolicyName="Full", PolicyDocument=sized(quota))
    assert aws_error(inline.put, name="e1", PolicyName="More", PolicyDocument=sized(100)) == (
        "LimitExceeded",
        409,
        f"Maximum policy size of {quota} bytes exceeded for {kind} e1",
    )
    # replacing a policy counts its new size, not both
    inline.put(name="e1", PolicyName="Full", PolicyDocument=sized(quota - 100))
    inline.put(name="e1", PolicyName="More", PolicyDocument=sized(100))
    assert aws_error(inline.put, name="e1", PolicyName="Over", PolicyDocument=sized(120))[:2] == (
        "LimitExceeded",
        409,
    )
    assert inline.list(name="e1")["PolicyNames"] == ["Full", "More"]


def test_white_space_does_not_count_against_the_inline_quota(iam: Any) -> None:
    make_entity(iam, "user", "alice")
    roomy = json.dumps(json.loads(sized(2000)), indent=400)
    assert len(roomy) > 2048
    Inline(iam, "user").put(name="alice", PolicyName="P", PolicyDocument=roomy)
    assert iam.get_user_policy(UserName="alice", PolicyName="P")["PolicyDocument"] == json.loads(roomy)


def test_hostile_documents_get_aws_errors_and_leave_stored_policies_alone(iam: Any, aws_error: Any) -> None:
    make_entity(iam, "role", "app")
    inline = Inline(iam, "role")
    kept = json.dumps(document("s3:GetObject"))
    inline.put(name="app", PolicyName="Kept", PolicyDocument=kept)
    hostile = [
        "[" * 9000,
        '{"Version": "2012-10-17", "Statement": ' + "[" * 3000 + "]" * 3000 + "}",
        json.dumps(document("s3:Get(.*)[")),
        json.dumps(document("s3:" + "a" * 100_000)),
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:*",
                        "Resource": "*",
                        "Condition": {"StringLike": {"s3:prefix": [{"nested": ["*?" * 2000]}]}},
                    }
                ],
            }
        ),
    ]
    for text in hostile:
        code, status, _ = aws_error(inline.put, name="app", PolicyName="Kept", PolicyDocument=text)
        assert (code, status) in {("MalformedPolicyDocument", 400), ("LimitExceeded", 409)}, text[:40]
        assert aws_error(iam.create_policy, PolicyName="H", PolicyDocument=text)[1] in (400, 409)
    assert inline.get(name="app", PolicyName="Kept")["PolicyDocument"] == json.loads(kept)
    assert iam.list_policies(Scope="Local")["Policies"] == []
