"""Versions of customer managed policies: at most five, one of them the default, ids never reused."""

from __future__ import annotations

from dataclasses import replace

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import (
    IamBase,
    delete_conflict,
    limit_exceeded,
    no_such_entity,
    now_seconds,
    page,
)
from shieldwall.services.iam.managed import changeable_policy, version_output
from shieldwall.services.iam.policy_documents import check_managed_size, compiled
from shieldwall.services.iam.policy_models import ManagedPolicy, PolicyVersion
from shieldwall.services.iam.policy_store import (
    default_document,
    require_policy,
    touch_policies,
    version_key,
    versions_of,
)
from shieldwall.store.base import Reader

MAX_VERSIONS = 5


def version_not_found(policy_arn: str, version_id: str) -> AwsError:
    return no_such_entity(f"Policy {policy_arn} version {version_id} does not exist.")


def _existing_version(reader: Reader, call: Call, record: ManagedPolicy, version_id: str) -> PolicyVersion:
    version = reader.get(call.account_scope, PolicyVersion, version_key(record, version_id))
    if version is None:
        raise version_not_found(record.arn, version_id)
    return version


class VersionsMixin(IamBase):
    def create_policy_version(self, call: Call, params: Params) -> Params:
        document = params["PolicyDocument"]
        check_managed_size(document)
        compiled(document, "identity")
        scope = call.account_scope
        with self.store.transaction() as tx:
            record = changeable_policy(tx, call, params["PolicyArn"])
            if len(versions_of(tx, scope, record)) >= MAX_VERSIONS:
                raise limit_exceeded(
                    f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new version, "
                    "you must delete an existing version."
                )
            version = PolicyVersion(f"v{record.next_version}", document, now_seconds(call))
            updated = replace(record, next_version=record.next_version + 1)
            if params.get("SetAsDefault"):
                updated = replace(
                    updated, default_version=version.version_id, update_date=version.create_date
                )
                touch_policies(tx, scope)
            tx.put(scope, version_key(record, version.version_id), version)
            tx.put(scope, record.name.lower(), updated)
        return {"PolicyVersion": version_output(version, updated.default_version, document=False)}

    def get_policy_version(self, call: Call, params: Params) -> Params:
        policy_arn, version_id = params["PolicyArn"], params["VersionId"]
        with self.store.read() as reader:
            ref = require_policy(reader, call.account_scope, policy_arn)
            if ref.record is None:
                version = default_document(reader, call.account_scope, ref)
                if version is None or version.version_id != version_id:
                    raise version_not_found(policy_arn, version_id)
            else:
                version = _existing_version(reader, call, ref.record, version_id)
        return {"PolicyVersion": version_output(version, ref.default_version)}

    def list_policy_versions(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            ref = require_policy(reader, call.account_scope, params["PolicyArn"])
            if ref.record is None:
                default = default_document(reader, call.account_scope, ref)
                versions = [] if default is None else [default]
            else:
                versions = versions_of(reader, call.account_scope, ref.record)
        keyed = [(f"{index:05d}", version) for index, version in enumerate(versions)]
        chosen, info = page(keyed, params.get("Marker"), params.get("MaxItems"))
        listed = [version_output(version, ref.default_version, document=False) for version in chosen]
        return {"Versions": listed, **info}

    def delete_policy_version(self, call: Call, params: Params) -> Params:
        version_id = params["VersionId"]
        with self.store.transaction() as tx:
            record = changeable_policy(tx, call, params["PolicyArn"])
            _existing_version(tx, call, record, version_id)
            if version_id == record.default_version:
                raise delete_conflict("Cannot delete the default version of a policy.")
            tx.delete(call.account_scope, PolicyVersion, version_key(record, version_id))
        return {}

    def set_default_policy_version(self, call: Call, params: Params) -> Params:
        version_id = params["VersionId"]
        with self.store.transaction() as tx:
            record = changeable_policy(tx, call, params["PolicyArn"])
            version = _existing_version(tx, call, record, version_id)
            updated = replace(record, default_version=version.version_id, update_date=now_seconds(call))
            tx.put(call.account_scope, record.name.lower(), updated)
            touch_policies(tx, call.account_scope)
        return {}
