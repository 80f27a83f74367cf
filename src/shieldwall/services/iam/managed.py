"""Managed policies: create, read, list, delete and tag customer managed policies; list AWS managed ones.

AWS managed policies (`arn:aws:iam::aws:policy/...`) are the same in every account, readable and attachable, and
refuse every change.
"""

from __future__ import annotations

import re
from typing import Any

from shieldwall import ids
from shieldwall.errors import AwsError
from shieldwall.protocol.validate import Problem, summary
from shieldwall.services.base import Call, Params
from shieldwall.services.iam import aws_managed
from shieldwall.services.iam.common import (
    IamBase,
    already_exists,
    by_name,
    check_names,
    delete_conflict,
    iam_arn,
    merged_tags,
    now_seconds,
    page,
    tags_page,
    without_tags,
)
from shieldwall.services.iam.policy_documents import check_managed_size, compiled
from shieldwall.services.iam.policy_models import ManagedPolicy, PolicyVersion
from shieldwall.services.iam.policy_store import (
    ManagedRef,
    find_policy,
    local_ref,
    policy_output,
    policy_usage,
    require_policy,
    touch_policies,
    usage_counts,
    versions_of,
)
from shieldwall.store.base import Reader, Transaction

POLICY_PATH_PATTERN = r"((/[A-Za-z0-9\.,\+@=_-]+)*)/"
_POLICY_PATH = re.compile(POLICY_PATH_PATTERN)
SCOPES = ("All", "AWS", "Local")
USAGES = ("PermissionsPolicy", "PermissionsBoundary")


def check_enum(member: str, value: str | None, allowed: tuple[str, ...]) -> None:
    """Enums are left to the service by the wire validator; IAM's front end refuses unknown values."""
    if value is not None and value not in allowed:
        problem = Problem(member, value, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
        raise AwsError("ValidationError", summary([problem]), 400)


def check_policy_path(member: str, path: str | None) -> None:
    if path is not None and not _POLICY_PATH.fullmatch(path):
        problem = Problem(
            member, path, f"Member must satisfy regular expression pattern: {POLICY_PATH_PATTERN}"
        )
        raise AwsError("ValidationError", summary([problem]), 400)


def aws_managed_refused(call: Call, ref: ManagedRef) -> AwsError:
    """AWS owns its managed policies: no account, not even its root user, may change them."""
    return AwsError(
        "AccessDenied",
        f"User: {call.principal.arn} is not authorized to perform: iam:{call.operation} on resource: "
        f"policy {ref.arn} because AWS managed policies cannot be modified or deleted",
        403,
    )


def changeable_policy(reader: Reader, call: Call, policy_arn: str) -> ManagedPolicy:
    """The customer managed policy `policy_arn` names, for an operation that changes it."""
    ref = require_policy(reader, call.account_scope, policy_arn)
    if ref.record is None:
        raise aws_managed_refused(call, ref)
    return ref.record


class ManagedPoliciesMixin(IamBase):
    def create_policy(self, call: Call, params: Params) -> Params:
        name, path, document = params["PolicyName"], params.get("Path") or "/", params["PolicyDocument"]
        check_names(PolicyName=name)
        check_policy_path("path", path)
        check_managed_size(document)
        compiled(document, "identity")
        tags = merged_tags({}, params.get("Tags"))
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, ManagedPolicy, name.lower()) is not None:
                raise already_exists(
                    f"A policy called {name} already exists. Duplicate names are not allowed."
                )
            now = now_seconds(call)
            arn = iam_arn(call, "policy", path, name)
            record = ManagedPolicy(name, ids.unique_id("ANPA"), path, arn, now, now, "v1", 2)
            record.description, record.tags = params.get("Description"), tags
            tx.put(call.account_scope, name.lower(), record)
            tx.put(call.account_scope, f"{name.lower()}/v1", PolicyVersion("v1", document, now))
        return {"Policy": policy_output(local_ref(record), (0, 0))}

    def get_policy(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            ref = require_policy(reader, call.account_scope, params["PolicyArn"])
            usage = policy_usage(reader, call.account_scope, ref.arn)
        return {"Policy": policy_output(ref, usage)}

    def delete_policy(self, call: Call, params: Params) -> Params:
        scope = call.account_scope
        with self.store.transaction() as tx:
            record = changeable_policy(tx, call, params["PolicyArn"])
            if any(policy_usage(tx, scope, record.arn)):
                raise delete_conflict("Cannot delete a policy attached to entities.")
            versions = versions_of(tx, scope, record)
            if len(versions) > 1:
                raise delete_conflict(
                    "This policy has more than one version. Before you delete a policy, you must delete the "
                    "policy's versions. The default version is deleted with the policy."
                )
            _delete_record(tx, call, record, versions)
        return {}

    def list_policies(self, call: Call, params: Params) -> Params:
        scope_filter, usage = params.get("Scope") or "All", params.get("PolicyUsageFilter")
        check_enum("scope", scope_filter, SCOPES)
        check_enum("policyUsageFilter", usage, USAGES)
        check_policy_path("pathPrefix", params.get("PathPrefix"))
        with self.store.read() as reader:
            refs = _policies_in_scope(reader, call, scope_filter)
            attached, bounding = usage_counts(reader, call.account_scope)
        counted = [(ref, (attached.get(ref.arn, 0), bounding.get(ref.arn, 0))) for ref in refs]
        chosen = [
            (f"{ref.name.lower()}/{ref.arn}", (ref, counts))
            for ref, counts in counted
            if ref.path.startswith(params.get("PathPrefix") or "/")
            and _in_use(counts, bool(params.get("OnlyAttached")), usage)
        ]
        listed, info = page(
            sorted(chosen, key=lambda pair: pair[0]), params.get("Marker"), params.get("MaxItems")
        )
        return {"Policies": [policy_output(ref, counts, listed=True) for ref, counts in listed], **info}

    def tag_policy(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: by_name(changeable_policy(tx, call, params["PolicyArn"])),
            lambda tags: merged_tags(tags, params["Tags"]),
        )

    def untag_policy(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: by_name(changeable_policy(tx, call, params["PolicyArn"])),
            lambda tags: without_tags(tags, params["TagKeys"]),
        )

    def list_policy_tags(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            ref = require_policy(reader, call.account_scope, params["PolicyArn"])
        return tags_page(ref.tags, params)


def _delete_record(tx: Transaction, call: Call, record: ManagedPolicy, versions: list[PolicyVersion]) -> None:
    key = record.name.lower()
    for version in versions:
        tx.delete(call.account_scope, PolicyVersion, f"{key}/{version.version_id}")
    tx.delete(call.account_scope, ManagedPolicy, key)
    touch_policies(tx, call.account_scope)


def _policies_in_scope(reader: Reader, call: Call, scope_filter: str) -> list[ManagedRef]:
    refs: list[ManagedRef] = []
    if scope_filter in ("All", "AWS"):
        arns = [policy.arn(call.partition) for policy in aws_managed.catalogue()]
        refs.extend(ref for ref in (find_policy(reader, call.account_scope, arn) for arn in arns) if ref)
    if scope_filter in ("All", "Local"):
        refs.extend(local_ref(record) for _, record in reader.list(call.account_scope, ManagedPolicy))
    return refs


def _in_use(counts: tuple[int, int], only_attached: bool, usage: str | None) -> bool:
    """OnlyAttached keeps policies attached to an entity; PolicyUsageFilter=PermissionsBoundary keeps those set
    as a permissions boundary (every managed policy can be a permissions policy, so that value alone keeps all)."""
    attached, bounding = counts
    if usage == "PermissionsBoundary":
        return bounding > 0
    return attached > 0 if only_attached else True


def policy_detail(reader: Reader, call: Call, ref: ManagedRef, counts: tuple[int, int]) -> dict[str, Any]:
    """A managed policy with every version, as GetAccountAuthorizationDetails lists it."""
    out = policy_output(ref, counts)
    out.pop("Tags", None)
    if ref.record is None:
        aws = aws_managed.find(ref.arn)
        versions = [] if aws is None else [PolicyVersion(aws.default_version, aws.document, aws.update_date)]
    else:
        versions = versions_of(reader, call.account_scope, ref.record)
    out["PolicyVersionList"] = [version_output(version, ref.default_version) for version in versions]
    return out


def version_output(version: PolicyVersion, default_version: str, *, document: bool = True) -> dict[str, Any]:
    """AWS returns the document only from GetPolicyVersion and GetAccountAuthorizationDetails."""
    out: dict[str, Any] = {"Document": version.document} if document else {}
    out["VersionId"] = version.version_id
    out["IsDefaultVersion"] = version.version_id == default_version
    out["CreateDate"] = version.create_date
    return out
