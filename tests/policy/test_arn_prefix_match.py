"""Resource patterns whose partition, service, region and account are literal are matched by one prefix test.

The answers must stay those of segment-by-segment matching: a wildcard never crosses the first five colons, the
resource part keeps its colons, and a variable that cannot be resolved matches nothing.
"""

from __future__ import annotations

import pytest

from shieldwall.policy.match import ArnPattern, Var


def lookup(var: Var) -> str | None:
    return {"aws:username": "alice"}.get(var.key)


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b:c", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3::bucket/x", False),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucketx/y", False),
        ("arn:aws:s3:::*", "arn:aws:s3:::anything:at/all", True),
        ("arn:aws:kms:us-east-1:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/k1", True),
        ("arn:aws:kms:us-east-1:111122223333:key/*", "arn:aws:kms:us-east-1:444455556666:key/k1", False),
        ("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:eu-west-1:111122223333:key/k1", True),
        ("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:eu-west-1:extra:111122223333:key/k1", False),
        ("arn:aws:iam::111122223333:user/${aws:username}", "arn:aws:iam::111122223333:user/alice", True),
        ("arn:aws:iam::111122223333:user/${aws:username}", "arn:aws:iam::111122223333:user/bob", False),
        ("arn:aws:iam::111122223333:user/${aws:userid}", "arn:aws:iam::111122223333:user/alice", False),
        ("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/notes.txt", True),
        ("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice", False),
    ],
)
def test_resource_pattern_matches_segment_by_segment(pattern: str, resource: str, expected: bool) -> None:
    assert ArnPattern(pattern, True).matches(resource, lookup) is expected


def test_a_variable_matched_for_many_users_resolves_each_one_literally() -> None:
    pattern = ArnPattern("arn:aws:s3:::home/${aws:username}/*", True)
    for name in ("alice", "bob", "*", "a?c"):
        assert pattern.matches(f"arn:aws:s3:::home/{name}/x", lambda var, name=name: name)
        assert not pattern.matches("arn:aws:s3:::home/zed/x", lambda var, name=name: name)
