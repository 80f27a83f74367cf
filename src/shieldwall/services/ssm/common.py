"""What every part of the Parameter Store provider shares: finding a parameter after the clock's work on it,
reading a value (decrypting a SecureString), the response entries, and paging tokens."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import timedelta
from typing import Any

from shieldwall.audit.log import AuditLog
from shieldwall.services.base import Call, Params
from shieldwall.services.kms import via_service
from shieldwall.services.ssm import crypto, errors, events, policies
from shieldwall.services.ssm.models import SECURE_STRING, Parameter, Policy, Version
from shieldwall.services.ssm.names import Selected
from shieldwall.services.ssm.records import find_selected, fresh, remove, save
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

_UNIT_NAMES = ((86_400, "days"), (3_600, "hours"))


class SsmBase:
    store: SqliteStore
    sealer: Sealer
    audit: AuditLog

    def found(self, call: Call, selected: Selected) -> Parameter | None:
        """The parameter `selected` names, after the clock's work on it (None when there is none)."""
        return self.settled(call, find_selected(self.store, call.regional_scope, selected))

    def settled(self, call: Call, parameter: Parameter | None) -> Parameter | None:
        """`parameter` once its due policies have run: None when it expired (and is now deleted)."""
        if parameter is None or not parameter.current.policies:
            return parameter
        now = call.now()
        if policies.is_expired(parameter, now):
            self._expire(call, parameter)
            return None
        due = policies.notices_due(parameter, now)
        return self._notify(call, parameter, due) if due else parameter

    def _expire(self, call: Call, parameter: Parameter) -> None:
        scope = call.regional_scope
        with self.store.transaction() as tx:
            stored = fresh(tx, scope, parameter.name)
            if stored is None or not policies.is_expired(stored, call.now()):
                return
            remove(tx, scope, stored)
        self._policy_event(call, parameter, policies.EXPIRATION, "Parameter expired and was deleted")

    def _notify(self, call: Call, parameter: Parameter, due: list[policies.Notice]) -> Parameter:
        scope = call.regional_scope
        with self.store.transaction() as tx:
            stored = fresh(tx, scope, parameter.name)
            if stored is None:
                return parameter
            due = policies.notices_due(stored, call.now())
            stored.notified = [*policies.still_relevant(stored), *(notice.key for notice in due)]
            save(tx, scope, stored)
        for notice in due:
            self._policy_event(call, stored, notice.policy.type, _reason(notice.policy))
        return stored

    def _policy_event(self, call: Call, parameter: Parameter, policy_type: str, reason: str) -> None:
        where = (call.account_id, call.region)
        subject = (parameter.name, parameter.arn, parameter.current.type)
        events.policy_action(self.audit, call.request_id, call.now(), where, subject, policy_type, reason)

    # -- values ----------------------------------------------------------------------------------------------

    def value_of(self, call: Call, parameter: Parameter, version: Version, decrypt: bool) -> str:
        """A version's value: a SecureString's ciphertext in base64, or decrypted through KMS when asked."""
        if version.type != SECURE_STRING or version.ciphertext is None:
            return version.value
        if not decrypt:
            return base64.b64encode(version.ciphertext).decode("ascii")
        value, key = crypto.open_value(self.store, self.sealer, call, version.ciphertext, parameter.arn)
        context = crypto.context_of(parameter.arn)
        via_service.record_kms_call(self.audit, call, crypto.SERVICE, "Decrypt", key, context)
        return value


def _reason(policy: Policy) -> str:
    amount = _spoken(policy.seconds)
    if policy.type == policies.EXPIRATION_NOTIFICATION:
        return f"Parameter will expire in {amount}"
    return f"Parameter has not been changed for {amount}"


def _spoken(seconds: int) -> str:
    for size, unit in _UNIT_NAMES:
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return str(timedelta(seconds=seconds))


# -- response entries ------------------------------------------------------------------------------------------


def parameter_entry(
    parameter: Parameter, version: Version, value: str, selector: str | None = None
) -> Params:
    entry: Params = {
        "Name": parameter.name,
        "Type": version.type,
        "Value": value,
        "Version": version.number,
        "LastModifiedDate": version.modified,
        "ARN": parameter.arn,
        "DataType": version.data_type,
    }
    if selector is not None:
        entry["Selector"] = selector
    return entry


def metadata_entry(parameter: Parameter) -> Params:
    version = parameter.current
    entry: Params = {"Name": parameter.name, "ARN": parameter.arn, "Type": version.type}
    if version.key_id is not None:
        entry["KeyId"] = version.key_id
    entry["LastModifiedDate"] = version.modified
    entry["LastModifiedUser"] = version.modified_by
    _describe(entry, version)
    entry["Version"] = version.number
    entry["Tier"] = version.tier
    entry["Policies"] = policies.policy_list(parameter, version)
    entry["DataType"] = version.data_type
    return entry


def history_entry(parameter: Parameter, version: Version, value: str) -> Params:
    entry: Params = {"Name": parameter.name, "Type": version.type}
    if version.key_id is not None:
        entry["KeyId"] = version.key_id
    entry["LastModifiedDate"] = version.modified
    entry["LastModifiedUser"] = version.modified_by
    _describe(entry, version)
    entry["Value"] = value
    entry["Version"] = version.number
    entry["Labels"] = parameter.labels_of(version.number)
    entry["Tier"] = version.tier
    entry["Policies"] = policies.policy_list(parameter, version)
    entry["DataType"] = version.data_type
    return entry


def _describe(entry: Params, version: Version) -> None:
    if version.description:
        entry["Description"] = version.description
    if version.allowed_pattern:
        entry["AllowedPattern"] = version.allowed_pattern


# -- paging ----------------------------------------------------------------------------------------------------


def encode_token(position: str) -> str:
    payload = json.dumps({"after": position}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(payload).decode("ascii")


def decode_token(token: str | None) -> str:
    """The position after which a page starts ("" for the first page); InvalidNextToken for a bad token."""
    if not token:
        return ""
    try:
        found: Any = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise errors.invalid_next_token() from None
    if not isinstance(found, dict) or not isinstance(found.get("after"), str) or not found["after"]:
        raise errors.invalid_next_token()
    return str(found["after"])
