"""What a KeyId (or TargetKeyId, SourceKeyId, ...) parameter names: a key or an alias, in which account and region.

AWS accepts four spellings: a key id, a key ARN, an alias name (`alias/...`) and an alias ARN. Names resolve in
the caller's account and Region; ARNs name their own account (a cross-account request) but must name the
caller's Region ("Invalid arn <region>", NotFoundException). Operations that manage a key take only its id or
ARN ("Key Aliases are not supported for this operation.").
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from shieldwall import arn
from shieldwall.services.base import Call
from shieldwall.services.kms import errors
from shieldwall.store.base import Scope

KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}")
_ACCOUNT = re.compile(r"\d{12}")
_ALIAS_NAME = re.compile(r"alias/[a-zA-Z0-9/_-]+")
ALIAS_PREFIX = "alias/"
RESERVED_PREFIX = "alias/aws/"


class KeyRef(NamedTuple):
    kind: str  # "key" | "alias"
    name: str  # the key id, or the alias name ("alias/...")
    partition: str
    account: str
    region: str

    @property
    def scope(self) -> Scope:
        return Scope(self.partition, self.account, self.region)

    @property
    def arn(self) -> str:
        return arn.build("kms", self.region, self.account, self.resource, self.partition)

    @property
    def resource(self) -> str:
        return self.name if self.kind == "alias" else f"key/{self.name}"

    @property
    def is_alias(self) -> bool:
        return self.kind == "alias"


def key_arn(partition: str, region: str, account: str, key_id: str) -> str:
    return arn.build("kms", region, account, f"key/{key_id}", partition)


def alias_arn(partition: str, region: str, account: str, alias_name: str) -> str:
    return arn.build("kms", region, account, alias_name, partition)


def parse_key_ref(value: str, call: Call, *, aliases: bool = True) -> KeyRef:
    """The key or alias `value` names; NotFoundException / InvalidArnException when it names none AWS would find."""
    if value.startswith("arn:"):
        return _from_arn(value, call.partition, call.region, aliases)
    if value.startswith(ALIAS_PREFIX):
        if not aliases:
            raise errors.aliases_not_supported()
        return KeyRef("alias", value, call.partition, call.account_id, call.region)
    if not KEY_ID.fullmatch(value):
        raise errors.invalid_key_id(value)
    return KeyRef("key", value, call.partition, call.account_id, call.region)


@functools.lru_cache(maxsize=1024)
def _from_arn(value: str, partition: str, region: str, aliases: bool) -> KeyRef:
    """Cached: a service reads a secret's or parameter's key by its ARN on every request (errors are not
    cached, only references)."""
    try:
        parsed = arn.parse(value)
    except ValueError:
        raise errors.invalid_arn(f"Invalid arn {value}") from None
    if parsed.service != "kms" or parsed.partition != partition or not _ACCOUNT.fullmatch(parsed.account):
        raise errors.invalid_arn(f"Invalid arn {value}")
    if parsed.region != region:
        raise errors.invalid_arn_region(parsed.region)
    if parsed.resource.startswith("key/"):
        key_id = parsed.resource[4:]
        if not KEY_ID.fullmatch(key_id):
            raise errors.invalid_key_id(key_id)
        return KeyRef("key", key_id, parsed.partition, parsed.account, parsed.region)
    if parsed.resource.startswith(ALIAS_PREFIX) and len(parsed.resource) > len(ALIAS_PREFIX):
        if not aliases:
            raise errors.aliases_not_supported()
        return KeyRef("alias", parsed.resource, parsed.partition, parsed.account, parsed.region)
    raise errors.invalid_arn(f"Invalid arn {value}")


def check_alias_name(name: str, *, creating: bool = False) -> None:
    """An alias name AWS accepts: `alias/` and letters, digits, `/`, `_` and `-`; `alias/aws/` is AWS's own."""
    if not name.startswith(ALIAS_PREFIX):
        raise errors.validation(
            'Alias must start with the prefix "alias/". Please see '
            "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
        )
    if not _ALIAS_NAME.fullmatch(name):
        raise errors.validation(f"{name} contains invalid characters for an alias")
    if creating and name.startswith(RESERVED_PREFIX):
        raise errors.kms_error(
            "InvalidAliasNameException", f"{name} is reserved: the alias/aws/ prefix names AWS managed keys."
        )
