"""The request context: the global condition keys AWS puts in every request, as the engine reads them.

Presence follows "AWS global condition context keys" (IAM User Guide, reference_policies_condition-keys.html)
and the principal table of "Policy variables" (reference_policies_variables.html):

- always: aws:CurrentTime, aws:EpochTime, aws:SecureTransport, aws:RequestedRegion, aws:ViaAWSService,
  aws:SourceIp (no VPC endpoints here), aws:UserAgent (when the client sends one), aws:PrincipalType;
- signed requests only: aws:PrincipalArn, aws:PrincipalAccount, aws:userid, aws:PrincipalIsAWSService;
- IAM users only: aws:username; users and roles with tags: aws:PrincipalTag/<key>;
- temporary credentials only: aws:TokenIssueTime, aws:MultiFactorAuthPresent (absent for long-term access keys,
  so `BoolIfExists` is the documented way to test it), aws:MultiFactorAuthAge (only after MFA),
  aws:SourceIdentity (when the session has one), aws:FederatedProvider (web identity and SAML sessions);
- requests carrying tags: aws:RequestTag/<key> and aws:TagKeys; Untag* requests: aws:TagKeys;
- resources that support tag-based authorization and have tags: aws:ResourceTag/<key>;
- never here: aws:CalledVia/First/Last (no service calls another on a caller's behalf), aws:SourceVpc(e),
  aws:VpcSourceIp, aws:SourceArn/Account (service-to-service calls), aws:PrincipalOrgID (issue 4).

Key names are case-insensitive, so every key is stored lower-cased (the tag-key part too: IAM tag keys are
unique regardless of case). Families that cost a store read (principal and resource tags) load on first use:
a request whose policies never ask for them never reads them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from shieldwall.auth.principal import Principal
from shieldwall.clock import fmt_iso8601

Values = tuple[str, ...]
Loader = Callable[[], Mapping[str, Values]]

PRINCIPAL_TAG = "aws:principaltag/"
RESOURCE_TAGS = ("aws:resourcetag/", "iam:resourcetag/")

# aws:PrincipalType per principal kind (the "Principal key values" table of the Policy variables page)
PRINCIPAL_TYPES = {
    "root": "Account",
    "user": "User",
    "assumed-role": "AssumedRole",
    "federated-user": "FederatedUser",
    "anonymous": "Anonymous",
}
_FALSE = ("false",)


class ConditionContext(Mapping[str, Values]):
    """Lower-cased condition keys → values: a shared read-only `base` (the global keys, reused by every request
    of the same caller within a second), this permission's `own` keys, and lazy families that load into `own`
    once, on the first key they cover. A base key is never overridden."""

    __slots__ = ("_base", "_lazy", "_own")

    def __init__(
        self,
        base: Mapping[str, Values],
        own: dict[str, Values] | None = None,
        lazy: Sequence[tuple[tuple[str, ...], Loader]] = (),
    ) -> None:
        self._base = base
        self._own = {} if own is None else own
        self._lazy = list(lazy)

    def get(self, key: str, default: Any = None) -> Any:
        found = self._base.get(key)
        if found is None:
            found = self._own.get(key)
            if found is None and self._lazy and self._load(key):
                found = self._own.get(key)
        return default if found is None else found

    def __getitem__(self, key: str) -> Values:
        found: Values | None = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged())

    def __len__(self) -> int:
        return len(self._merged())

    def seal(self) -> None:
        """Load nothing more: a family never asked for stays absent, so a walk rendered later reads what the
        decision read."""
        self._lazy.clear()

    def _merged(self) -> dict[str, Values]:
        while self._lazy:
            _, loader = self._lazy.pop()
            self._own.update(loader())
        return {**self._own, **self._base}

    def _load(self, key: str) -> bool:
        due = [entry for entry in self._lazy if key.startswith(entry[0])]
        for entry in due:
            self._lazy.remove(entry)
            self._own.update(entry[1]())
        return bool(due)


@functools.lru_cache(maxsize=4096)
def principal_keys(principal: Principal) -> Mapping[str, Values]:
    """The keys that depend only on who is calling (cached: principals are immutable). Never mutate the result."""
    keys: dict[str, Values] = {"aws:principaltype": (PRINCIPAL_TYPES.get(principal.kind, "Unknown"),)}
    if principal.is_anonymous:
        return keys
    keys["aws:principalarn"] = (principal_arn_key(principal),)
    keys["aws:principalaccount"] = (principal.account_id,)
    keys["aws:userid"] = (principal.user_id,)
    keys["aws:principalisawsservice"] = _FALSE
    if principal.kind == "user":
        keys["aws:username"] = (principal.username,)
    session = principal.session
    if session is not None:
        keys["aws:tokenissuetime"] = (fmt_iso8601(session.issued_at),)
        keys["aws:multifactorauthpresent"] = ("true",) if session.mfa_authenticated else _FALSE
        if session.source_identity is not None:
            keys["aws:sourceidentity"] = (session.source_identity,)
        if session.federated_provider is not None:
            keys["aws:federatedprovider"] = (session.federated_provider,)
    return keys


def principal_arn_key(principal: Principal) -> str:
    """aws:PrincipalArn: for a role session AWS gives the role's ARN (with its path), not the session's."""
    if principal.kind != "assumed-role":
        return principal.arn
    if principal.role_arn:
        return principal.role_arn
    prefix, _, resource = principal.arn.partition(":assumed-role/")
    role_name = resource.split("/", 1)[0]
    return f"{prefix.replace(':sts:', ':iam:', 1)}:role/{role_name}"


def global_keys(
    principal: Principal,
    *,
    received_at: datetime,
    source_ip: str,
    region: str,
    user_agent: str | None,
    referer: str | None = None,
) -> Mapping[str, Values]:
    """Every key but the request's tags: the caller's and the request's. Shared by the requests of one caller
    (from one address, region and client) within one second, so never mutate the result."""
    epoch = int(received_at.timestamp())
    key = (
        principal.access_key_id or principal.arn,
        principal.user_id,
        source_ip,
        region,
        user_agent,
        referer,
    )
    cached = _globals.get(key)
    if cached is not None and cached[0] == epoch:
        return cached[1]
    keys = {
        **principal_keys(principal),
        **request_keys(
            received_at=received_at,
            source_ip=source_ip,
            region=region,
            user_agent=user_agent,
            referer=referer,
        ),
    }
    session = principal.session
    if session is not None and session.mfa_authenticated_at is not None:
        age = max(0, epoch - int(session.mfa_authenticated_at.timestamp()))
        keys["aws:multifactorauthage"] = (str(age),)
    if len(_globals) >= _GLOBALS_LIMIT:
        _globals.clear()
    _globals[key] = (epoch, keys)
    return keys


_GLOBALS_LIMIT = 1024
_globals: dict[tuple[str, str, str, str, str | None, str | None], tuple[int, dict[str, Values]]] = {}


def request_keys(
    *,
    received_at: datetime,
    source_ip: str,
    region: str,
    user_agent: str | None,
    referer: str | None = None,
) -> dict[str, Values]:
    """The keys that describe the request itself: time, origin, region, transport."""
    keys: dict[str, Values] = {
        "aws:currenttime": (fmt_iso8601(received_at),),
        "aws:epochtime": (str(int(received_at.timestamp())),),
        "aws:sourceip": (source_ip,),
        "aws:securetransport": _FALSE,  # shieldwall serves plain HTTP
        "aws:requestedregion": (region,),
        "aws:viaawsservice": _FALSE,
    }
    if user_agent:
        keys["aws:useragent"] = (user_agent,)
    if referer:
        keys["aws:referer"] = (referer,)
    return keys


def request_tag_keys(params: Mapping[str, Any]) -> dict[str, Values]:
    """aws:RequestTag/<key> and aws:TagKeys from the request's `Tags` (or, for Untag*, its `TagKeys`)."""
    if "Tags" not in params and "TagKeys" not in params:
        return {}
    tags = tag_pairs(params.get("Tags"))
    if tags:
        keys: dict[str, Values] = {f"aws:requesttag/{key.lower()}": (value,) for key, value in tags}
        keys["aws:tagkeys"] = tuple(key for key, _ in tags)
        return keys
    removed = params.get("TagKeys")
    if isinstance(removed, list) and removed and all(isinstance(key, str) for key in removed):
        return {"aws:tagkeys": tuple(removed)}
    return {}


def tag_pairs(tags: object) -> list[tuple[str, str]]:
    """(key, value) pairs of the shapes services use: `[{Key, Value}]`, `[{TagKey, TagValue}]`, `{key: value}`."""
    if isinstance(tags, dict):
        return [(str(key), str(value)) for key, value in tags.items()]
    if not isinstance(tags, list):
        return []
    pairs = []
    for tag in tags:
        if isinstance(tag, dict):
            key = tag.get("Key", tag.get("TagKey"))
            if isinstance(key, str):
                pairs.append((key, str(tag.get("Value", tag.get("TagValue", "")))))
    return pairs


def tag_keys(prefixes: Sequence[str], tags: Mapping[str, str]) -> dict[str, Values]:
    """`{"<prefix><key lower>": (value,)}` for every tag under every prefix."""
    return {f"{prefix}{key.lower()}": (value,) for prefix in prefixes for key, value in tags.items()}


def operation_keys(context: Mapping[str, Values]) -> dict[str, Values]:
    """An ActionRequest's own condition keys, lower-cased like every other key."""
    return {key.lower(): values for key, values in context.items()}
