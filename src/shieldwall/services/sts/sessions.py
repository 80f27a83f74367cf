"""What every role session request shares (AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML) and
GetFederationToken too: durations, session policies, session tags, transitive tags and source identity,
checked as STS checks them, then the session record built from them.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shieldwall.auth.principal import Principal
from shieldwall.errors import AwsError
from shieldwall.services.iam.models import Role
from shieldwall.services.iam.policy_documents import compiled
from shieldwall.services.sts.models import StoredSession

CHAINED_LIMIT = 3600
_POLICY_ARN = re.compile(r"arn:[a-z-]+:iam::(?:\d{12}|aws):policy/.+")
PACKED_BUDGET = 2048  # bytes of packed (compressed) session policies and tags that count as 100%


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def access_denied(message: str) -> AwsError:
    return AwsError("AccessDenied", message, 403)


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """The checked parts of a session request that outlive the call: its policies, tags and source identity."""

    inline_policy: str | None
    policy_arns: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]
    transitive_tag_keys: tuple[str, ...]
    source_identity: str | None

    @property
    def packed_size(self) -> int | None:
        """PackedPolicySize: the share (in percent) of the packed-policy budget the session's policies and tags
        take; None when the request passed none (AWS then omits it). shieldwall packs with zlib, so the figure
        tracks AWS's without matching it byte for byte."""
        if self.inline_policy is None and not self.policy_arns and not self.tags:
            return None
        packed = json.dumps([self.inline_policy, self.policy_arns, self.tags], separators=(",", ":"))
        return max(1, math.ceil(len(zlib.compress(packed.encode("utf-8"), 9)) * 100 / PACKED_BUDGET))


def session_options(params: Mapping[str, Any], caller: Principal) -> SessionOptions:
    """Policy, PolicyArns, Tags, TransitiveTagKeys and SourceIdentity, checked; a chained session inherits the
    caller's transitive tags and source identity, which the request can neither drop nor change."""
    inline = params.get("Policy")
    if inline is not None:
        compiled(inline, "session", "session policy")
    arns = tuple(entry["arn"] for entry in params.get("PolicyArns") or ())
    for policy_arn in arns:
        if not _POLICY_ARN.fullmatch(policy_arn):
            # unconfirmed: STS's wording for a PolicyArns entry that is not an IAM policy ARN
            raise validation_error(f"The policy ARN {policy_arn} is not valid.")
    inherited = _inherited_tags(caller)
    tags = _tags(params.get("Tags") or (), inherited)
    transitive = _transitive_keys(params.get("TransitiveTagKeys") or (), tags, caller)
    options = SessionOptions(inline, arns, tags, transitive, _source_identity(params, caller))
    size = options.packed_size
    if size is not None and size > 100:
        raise AwsError(
            "PackedPolicyTooLarge",
            f"Packed policy consumes {size}% of allotted space, please use smaller policy.",
            400,
        )
    return options


def _inherited_tags(caller: Principal) -> tuple[tuple[str, str], ...]:
    session = caller.session
    if session is None or caller.kind != "assumed-role":
        return ()
    keys = {key.lower() for key in session.transitive_tag_keys}
    return tuple((key, value) for key, value in session.tags if key.lower() in keys)


def _tags(
    requested: Sequence[Mapping[str, str]], inherited: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    seen: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for tag in requested:
        key = tag["Key"]
        if key.lower() in seen:
            # unconfirmed: AWS's wording
            raise validation_error(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        if key.lower().startswith("aws:"):
            raise validation_error(f"Tag key {key} uses the reserved prefix aws:")  # unconfirmed
        seen.add(key.lower())
        pairs.append((key, tag["Value"]))
    for key, _ in inherited:
        if key.lower() in seen:
            # unconfirmed: AWS refuses to override a transitive tag of the calling session
            raise access_denied(f"Cannot override transitive tag key {key} set by the calling session.")
    return (*inherited, *pairs)


def _transitive_keys(
    requested: Sequence[str], tags: tuple[tuple[str, str], ...], caller: Principal
) -> tuple[str, ...]:
    present = {key.lower() for key, _ in tags}
    for key in requested:
        if key.lower() not in present:
            # unconfirmed: AWS's wording
            raise validation_error(f"The transitive tag key {key} is not one of the session tags.")
    inherited = caller.session.transitive_tag_keys if caller.session and caller.kind == "assumed-role" else ()
    merged = dict.fromkeys([*inherited, *requested])
    return tuple(merged)


def _source_identity(params: Mapping[str, Any], caller: Principal) -> str | None:
    requested = params.get("SourceIdentity")
    if requested is not None and requested.lower().startswith("aws:"):
        raise validation_error("SourceIdentity cannot begin with the prefix aws:")  # unconfirmed
    inherited = caller.session.source_identity if caller.session is not None else None
    if inherited is not None and requested is not None and requested != inherited:
        # unconfirmed: AWS keeps the first source identity of a chain and refuses to change it
        raise access_denied("The source identity of the calling session cannot be changed.")
    return inherited if inherited is not None else requested


def role_duration(params: Mapping[str, Any], role: Role, *, chained: bool, default: int = 3600) -> int:
    duration = int(params.get("DurationSeconds") or default)
    if chained and duration > CHAINED_LIMIT:
        raise validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    if duration > role.max_session_duration:
        raise validation_error(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    return duration


def role_session(
    role: Role,
    session_name: str,
    options: SessionOptions,
    *,
    now: datetime,
    duration: int,
    chained: bool = False,
    mfa_at: datetime | None = None,
    federated_provider: str | None = None,
    web_identity: Mapping[str, str] | None = None,
) -> StoredSession:
    account = role.arn.split(":")[4]
    partition = role.arn.split(":")[1]
    return StoredSession(
        access_key_id="",
        sealed=b"",
        account_id=account,
        kind="assumed-role",
        arn=f"arn:{partition}:sts::{account}:assumed-role/{role.name}/{session_name}",
        principal_id=f"{role.role_id}:{session_name}",
        issued_at=now,
        expires_at=now + timedelta(seconds=duration),
        issuer_type="Role",
        issuer_id=role.role_id,
        issuer_arn=role.arn,
        issuer_name=role.name,
        mfa_authenticated=mfa_at is not None,
        mfa_authenticated_at=mfa_at,
        source_identity=options.source_identity,
        tags=[[key, value] for key, value in options.tags],
        transitive_tag_keys=list(options.transitive_tag_keys),
        inline_policy=options.inline_policy,
        policy_arns=list(options.policy_arns),
        federated_provider=federated_provider,
        web_identity=dict(web_identity or {}),
        chained=chained,
    )


def assumed_role_user(session: StoredSession) -> dict[str, str]:
    return {"AssumedRoleId": session.principal_id, "Arn": session.arn}
