"""What creating and deleting a user, group or role means for its policies.

The identity modules call these inside their own transactions: `use_boundary` when CreateUser/CreateRole name a
PermissionsBoundary, `release_policies` before an entity is deleted (AWS refuses while policies remain attached
or inline, and forgets the entity's permissions boundary with it).
"""

from __future__ import annotations

from typing import Any

from shieldwall.services.iam.common import delete_conflict
from shieldwall.services.iam.models import Role, User
from shieldwall.services.iam.policy_models import Attachment, BoundaryUse, InlinePolicy
from shieldwall.services.iam.policy_store import (
    Entity,
    check_policy_arn,
    entity_id,
    find_policy,
    not_attachable,
    touch_policies,
)
from shieldwall.store.base import Reader, Scope, Transaction


def boundary_output(entity: User | Role) -> dict[str, Any]:
    """The `PermissionsBoundary` member of GetUser/GetRole (and CreateUser/CreateRole), empty when none is set."""
    if entity.permissions_boundary is None:
        return {}
    return {
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": entity.permissions_boundary,
        }
    }


def check_boundary_arn(reader: Reader, scope: Scope, policy_arn: str) -> None:
    check_policy_arn(policy_arn)
    if find_policy(reader, scope, policy_arn) is None:
        raise not_attachable(policy_arn)


def use_boundary(
    tx: Transaction, scope: Scope, kind: str, entity: User | Role, policy_arn: str | None
) -> None:
    """Set (or with None, remove) `entity`'s permissions boundary; the caller stores the entity."""
    if policy_arn is not None:
        check_boundary_arn(tx, scope, policy_arn)
    key = entity_id(entity)
    if entity.permissions_boundary is not None:
        tx.delete(scope, BoundaryUse, f"{entity.permissions_boundary}/{key}")
    if policy_arn is not None:
        tx.put(scope, f"{policy_arn}/{key}", BoundaryUse(policy_arn, kind, key, entity.name))
    entity.permissions_boundary = policy_arn
    touch_policies(tx, scope)


def release_policies(tx: Transaction, scope: Scope, kind: str, entity: Entity) -> None:
    """Refuse to delete an entity that still has policies; forget its permissions boundary."""
    key = entity_id(entity)
    if tx.list(scope, Attachment, prefix=f"e/{key}/", limit=1):
        raise delete_conflict("Cannot delete entity, must detach all policies first.")
    if tx.list(scope, InlinePolicy, prefix=f"{key}/", limit=1):
        raise delete_conflict("Cannot delete entity, must delete policies first.")
    if isinstance(entity, User | Role) and entity.permissions_boundary is not None:
        use_boundary(tx, scope, kind, entity, None)
