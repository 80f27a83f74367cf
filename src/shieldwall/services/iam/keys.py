"""IAM access keys: at most two per user, the secret shown once and sealed at rest, last use from the trail."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import botocore.session

from shieldwall import ids
from shieldwall.audit.log import AuditLog
from shieldwall.errors import AwsError, not_implemented
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import (
    IamBase,
    check_names,
    limit_exceeded,
    no_such_entity,
    now_seconds,
    page,
)
from shieldwall.services.iam.credentials import seal_secret
from shieldwall.services.iam.models import AccessKey, User, UserKey
from shieldwall.services.iam.users import user_not_found
from shieldwall.store.base import Reader, Scope
from shieldwall.store.sealing import Sealer

KEYS_PER_USER = 2
STATUSES = ("Active", "Inactive")


def key_not_found(access_key_id: str) -> AwsError:
    return no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")


def key_metadata(record: AccessKey) -> dict[str, Any]:
    return {
        "UserName": record.user_name,
        "AccessKeyId": record.access_key_id,
        "Status": record.status,
        "CreateDate": record.create_date,
    }


@functools.cache
def partition_regions(partition: str) -> tuple[str, ...]:
    return tuple(botocore.session.Session().get_available_regions("sts", partition_name=partition))


class KeysMixin(IamBase):
    sealer: Sealer
    audit: AuditLog

    def key_owner(self, reader: Reader, call: Call, user_name: str | None) -> User:
        """The user named, or the calling user when none is named."""
        if user_name is None:
            if call.principal.kind != "user":
                raise not_implemented("iam", f"{call.operation} for the root user's own access keys")
            user_name = call.principal.username
        check_names(UserName=user_name)
        return self.read_required(reader, call, User, user_name, user_not_found(user_name))

    def user_key_record(self, reader: Reader, call: Call, user: User, access_key_id: str) -> AccessKey:
        scope = call.account_scope
        if reader.get(scope, UserKey, f"{user.name.lower()}/{access_key_id}") is None:
            raise key_not_found(access_key_id)
        record = reader.get(Scope.partition_wide(call.partition), AccessKey, access_key_id)
        if record is None:
            raise key_not_found(access_key_id)
        return record

    def create_access_key(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            user = self.key_owner(tx, call, params.get("UserName"))
            prefix = f"{user.name.lower()}/"
            if len(tx.list(call.account_scope, UserKey, prefix=prefix)) >= KEYS_PER_USER:
                raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}")
            access_key_id, secret = ids.access_key_id(), ids.secret_access_key()
            record = AccessKey(
                access_key_id=access_key_id,
                account_id=call.account_id,
                user_name=user.name,
                user_arn=user.arn,
                user_id=user.user_id,
                status="Active",
                create_date=now_seconds(call),
                sealed_secret=seal_secret(self.sealer, access_key_id, secret),
            )
            tx.put(Scope.partition_wide(call.partition), access_key_id, record)
            tx.put(call.account_scope, prefix + access_key_id, UserKey(access_key_id))
        return {"AccessKey": {**key_metadata(record), "SecretAccessKey": secret}}

    def list_access_keys(self, call: Call, params: Params) -> Params:
        if params.get("UserName") is None and call.principal.kind != "user":
            return {"AccessKeyMetadata": [], "IsTruncated": False}
        index = Scope.partition_wide(call.partition)
        with self.store.read() as reader:
            user = self.key_owner(reader, call, params.get("UserName"))
            pointers = reader.list(call.account_scope, UserKey, prefix=f"{user.name.lower()}/")
            records = [
                (key, reader.get(index, AccessKey, pointer.access_key_id)) for key, pointer in pointers
            ]
        found = [(key, record) for key, record in records if record is not None]
        chosen, info = page(found, params.get("Marker"), params.get("MaxItems"))
        return {"AccessKeyMetadata": [key_metadata(record) for record in chosen], **info}

    def update_access_key(self, call: Call, params: Params) -> Params:
        status = params["Status"]
        if status not in STATUSES:
            raise AwsError(
                "ValidationError",
                f"1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: "
                "Member must satisfy enum value set: [Active, Inactive]",
                400,
            )
        with self.store.transaction() as tx:
            user = self.key_owner(tx, call, params.get("UserName"))
            record = self.user_key_record(tx, call, user, params["AccessKeyId"])
            tx.put(Scope.partition_wide(call.partition), record.access_key_id, replace(record, status=status))
        return {}

    def delete_access_key(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            user = self.key_owner(tx, call, params.get("UserName"))
            record = self.user_key_record(tx, call, user, params["AccessKeyId"])
            tx.delete(Scope.partition_wide(call.partition), AccessKey, record.access_key_id)
            tx.delete(call.account_scope, UserKey, f"{user.name.lower()}/{record.access_key_id}")
        return {}

    def get_access_key_last_used(self, call: Call, params: Params) -> Params:
        access_key_id = params["AccessKeyId"]
        with self.store.read() as reader:
            record = reader.get(Scope.partition_wide(call.partition), AccessKey, access_key_id)
        if record is None or record.account_id != call.account_id:
            raise key_not_found(access_key_id)
        return {"UserName": record.user_name, "AccessKeyLastUsed": self.last_use(call, access_key_id)}

    def last_use(self, call: Call, access_key_id: str) -> dict[str, Any]:
        """The newest authenticated request the key signed, as the audit trail recorded it, in any region."""
        newest: dict[str, Any] | None = None
        for region in {call.region, *partition_regions(call.partition)}:
            event = self._newest_signed_event(call.account_id, region, access_key_id)
            if event is not None and (newest is None or event["EventTime"] > newest["EventTime"]):
                newest = {**event, "Region": region}
        if newest is None:
            return {"ServiceName": "N/A", "Region": "N/A"}
        service = str(newest["EventSource"]).removesuffix(".amazonaws.com")
        return {"LastUsedDate": newest["EventTime"], "ServiceName": service, "Region": newest["Region"]}

    def _newest_signed_event(self, account: str, region: str, access_key_id: str) -> dict[str, Any] | None:
        attribute = [{"AttributeKey": "AccessKeyId", "AttributeValue": access_key_id}]
        events = self.audit.lookup(account=account, region=region, attributes=attribute)["Events"]
        # Only requests the key authenticated count: a failed signature is recorded without a user name.
        return next((event for event in events if event.get("Username")), None)
