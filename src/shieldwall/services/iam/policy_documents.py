"""Policy documents as IAM accepts them: sizes against IAM's quotas, grammar through the policy engine.

The engine reports every problem of a document in its own words; IAM answers `MalformedPolicyDocument` with
AWS's wording where AWS's text is known (the sentences clients and tutorials match on, e.g. "Policy document
should not specify a principal."), and the engine's sentence otherwise, every problem once, in order.
Sizes are IAM quotas, not grammar, so they answer `LimitExceeded` as AWS does; IAM does not count white space.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from shieldwall.errors import AwsError
from shieldwall.policy import validate
from shieldwall.policy.document import Policy, PolicyError, parse_policy
from shieldwall.services.iam.common import limit_exceeded

MANAGED_POLICY_QUOTA = validate.SIZE_LIMITS["identity"]
INLINE_QUOTAS = validate.INLINE_LIMITS

_Rewrite = Callable[[re.Match[str]], str]
_STATEMENT = r"(?:statement \d+: )?"
_REWRITES: tuple[tuple[re.Pattern[str], _Rewrite], ...] = tuple(
    (re.compile(_STATEMENT + pattern), rewrite)
    for pattern, rewrite in (
        (r"policy document is not valid (?:JSON|UTF-8).*", lambda m: "This policy contains invalid Json"),
        (r"policy document nests deeper than .*", lambda m: "This policy contains invalid Json"),
        (
            r"(?:Not)?Principal is not allowed in (?:identity|boundary) policies",
            lambda m: "Policy document should not specify a principal.",
        ),
        (r"one of Resource or NotResource is required", lambda m: "Policy statement must contain resources."),
        (r"one of Action or NotAction is required", lambda m: "Policy statement must contain actions."),
        (
            r"(?:Not)?Action `.*` must be `\*` or `service:action`",
            lambda m: "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            r"(?:Not)?Resource `(.*)` must be `\*` or an ARN",
            lambda m: f'Resource {m.group(1)} must be in ARN format or "*".',
        ),
        (r"Version must be one of .*", lambda m: "The policy failed legacy parsing"),
        (r"one of Principal or NotPrincipal is required", lambda m: "Missing required field Principal"),
        (
            r"(Resource|NotResource) is not allowed in trust policies",
            lambda m: f"Has prohibited field {m[1]}",
        ),
    )
)


def malformed_policy(problems: list[str]) -> AwsError:
    sentences = list(dict.fromkeys(aws_sentence(problem) for problem in problems))
    return AwsError("MalformedPolicyDocument", " ".join(sentences) or "Syntax errors in policy.", 400)


def aws_sentence(problem: str) -> str:
    for pattern, rewrite in _REWRITES:
        match = pattern.fullmatch(problem)
        if match:
            return rewrite(match)
    return problem


def compiled(text: str, kind: str, name: str = "") -> Policy:
    """`text` parsed and compiled as a policy of `kind`, or `MalformedPolicyDocument`; callers check sizes."""
    try:
        return parse_policy(text, kind, name=name, limit=validate.HARD_LIMIT)
    except PolicyError as error:
        raise malformed_policy(error.problems) from None


def document_size(text: str) -> int:
    return validate.policy_size(text, "identity")


def check_managed_size(text: str) -> None:
    if document_size(text) > MANAGED_POLICY_QUOTA:
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_QUOTA}")


def check_inline_total(total: int, entity_kind: str, entity_name: str) -> None:
    """The inline policies of one entity share one quota (their sizes added up)."""
    quota = INLINE_QUOTAS[entity_kind]
    if total > quota:
        raise limit_exceeded(f"Maximum policy size of {quota} bytes exceeded for {entity_kind} {entity_name}")
