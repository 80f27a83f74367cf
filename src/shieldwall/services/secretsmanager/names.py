"""Secret names, ARNs, and what a SecretId names.

A secret's ARN is `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`.
A SecretId is the name (the caller's account and Region), the complete ARN, or a partial ARN (the ARN without
the hyphen and six characters). As AWS documents ("Finding a secret from a partial ARN"), an ARN whose last
segment ends in a hyphen and six characters is taken as complete: the partial ARN of a secret whose own name ends
that way does not find it. An ARN names its account (a cross-account request); a Region other than the
endpoint's names no secret here.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass

from shieldwall import arn
from shieldwall.services.base import Call
from shieldwall.services.secretsmanager import errors
from shieldwall.store.base import Scope

_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]+")
_SECRET_ID = re.compile(r"[A-Za-z0-9/_+=.@:-]+")
_COMPLETE = re.compile(r"(.+)-[A-Za-z0-9]{6}")
_ACCOUNT = re.compile(r"\d{12}")
_SUFFIX_ALPHABET = string.ascii_letters + string.digits
SECRET_PREFIX = "secret:"


@dataclass(frozen=True, slots=True)
class SecretRef:
    partition: str
    account: str
    region: str
    name: str
    arn: str | None  # the complete ARN the request gave, which the secret's ARN must equal
    given: str

    @property
    def scope(self) -> Scope:
        return Scope(self.partition, self.account, self.region)

    @property
    def guessed_arn(self) -> str:
        """The ARN a request about a secret that does not exist is authorized on."""
        return self.arn or secret_arn(self.partition, self.region, self.account, self.name)


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise errors.invalid_name()


def parse_secret_id(value: str, call: Call) -> SecretRef:
    """The secret `value` names; ValidationException for characters no name has, ResourceNotFoundException for
    an ARN that cannot name a secret served here."""
    if not _SECRET_ID.fullmatch(value):
        raise errors.invalid_name()
    if not value.startswith("arn:"):
        return SecretRef(call.partition, call.account_id, call.region, value, None, value)
    try:
        parsed = arn.parse(value)
    except ValueError:
        raise errors.not_found() from None
    rest = parsed.resource.removeprefix(SECRET_PREFIX)
    if (
        parsed.service != "secretsmanager"
        or not parsed.resource.startswith(SECRET_PREFIX)
        or parsed.partition != call.partition
        or parsed.region != call.region
        or not _ACCOUNT.fullmatch(parsed.account)
        or not rest
        or ":" in rest
    ):
        raise errors.not_found()
    complete = _COMPLETE.fullmatch(rest)
    if complete:
        return SecretRef(parsed.partition, parsed.account, parsed.region, complete.group(1), value, value)
    return SecretRef(parsed.partition, parsed.account, parsed.region, rest, None, value)


def secret_arn(partition: str, region: str, account: str, resource_name: str) -> str:
    return arn.build("secretsmanager", region, account, f"{SECRET_PREFIX}{resource_name}", partition)


def new_arn(call: Call, name: str) -> str:
    """The ARN CreateSecret gives `name`: six characters drawn from the request's (random) id, so the
    authorization rule and the provider of one request name the same ARN."""
    digest = hashlib.sha256(f"{call.request_id}/{name}".encode()).digest()
    suffix = "".join(_SUFFIX_ALPHABET[byte % len(_SUFFIX_ALPHABET)] for byte in digest[:6])
    return secret_arn(call.partition, call.region, call.account_id, f"{name}-{suffix}")


def in_region(secret_arn_text: str, region: str) -> str:
    """The same secret's ARN in another Region (a replica's ARN)."""
    parsed = arn.parse(secret_arn_text)
    return arn.build(parsed.service, region, parsed.account, parsed.resource, parsed.partition)
