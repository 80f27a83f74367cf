"""Key rotation (automatic and on demand) and scheduled deletion.

Both run on the server's clock: a rotation falls due at NextRotationDate and a key is deleted at its
DeletionDate; `records` does that work lazily, the next time anything reads the key (a restart in between
changes nothing, since the dates are stored).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shieldwall.services.base import Call, Params
from shieldwall.services.kms import errors, material
from shieldwall.services.kms.common import KmsBase, page, require_not_pending_deletion
from shieldwall.services.kms.models import (
    AWS_KMS,
    DISABLED,
    EXTERNAL,
    PENDING_DELETION,
    PENDING_IMPORT,
    PENDING_REPLICA_DELETION,
    REPLICA,
    Key,
    Material,
)

DEFAULT_ROTATION_DAYS = 365
DEFAULT_PENDING_WINDOW = 30
ON_DEMAND_LIMIT = 10


def _require_rotatable(key: Key) -> None:
    """Rotation settings apply to symmetric keys with AWS_KMS material (the key-state table's notes [1] and [7])."""
    if key.state == DISABLED:
        raise errors.disabled(key.arn)
    require_not_pending_deletion(key)
    _require_rotation_type(key)


def _require_rotation_type(key: Key) -> None:
    if key.multi_region_type == REPLICA:
        raise errors.unsupported(
            f"{key.arn} is a multi-Region replica key: manage the rotation of its primary key "
            f"in {key.primary_region}."
        )
    if key.origin == EXTERNAL:
        raise errors.origin_not_valid(key.arn, EXTERNAL)
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.origin != AWS_KMS:
        raise errors.unsupported()


def _last_rotation(key: Key) -> Any:
    current = key.current
    return current.created if current is not None else key.creation_date


def rotation_entry(key: Key, found: Material) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "KeyId": key.arn,
        "KeyMaterialId": found.material_id,
        "KeyMaterialState": "CURRENT" if found.version == key.current_version else "NON_CURRENT",
    }
    if found.rotation_type is not None:
        entry["RotationDate"] = found.created
        entry["RotationType"] = found.rotation_type
    return entry


class LifecycleMixin(KmsBase):
    def enable_key_rotation(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        _require_rotatable(key)
        period = params.get("RotationPeriodInDays") or DEFAULT_ROTATION_DAYS
        now = call.now()

        def enable(stored: Key) -> None:
            since = _last_rotation(stored) if stored.rotation_enabled else now
            stored.rotation_enabled = True
            stored.rotation_period_days = period
            stored.next_rotation_date = since + timedelta(days=period)

        self.change(key, enable)
        return {}

    def disable_key_rotation(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        _require_rotatable(key)

        def disable(stored: Key) -> None:
            stored.rotation_enabled = False
            stored.next_rotation_date = None

        self.change(key, disable)
        return {}

    def get_key_rotation_status(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        if key.multi_region_type != REPLICA:
            _require_rotation_type(key)
        out: dict[str, Any] = {"KeyRotationEnabled": key.rotation_enabled, "KeyId": key.arn}
        if key.rotation_enabled:
            out["RotationPeriodInDays"] = key.rotation_period_days
            out["NextRotationDate"] = key.next_rotation_date
        return out

    def rotate_key_on_demand(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        if key.state == DISABLED:
            raise errors.disabled(key.arn)
        if key.state == PENDING_IMPORT:
            raise errors.pending_import(key.arn)
        require_not_pending_deletion(key)
        if key.key_spec != "SYMMETRIC_DEFAULT":
            raise errors.unsupported()
        if key.origin == EXTERNAL:
            raise errors.invalid_state(f"No available key material pending rotation for the key: {key.arn}.")
        _require_rotation_type(key)
        if key.on_demand_rotations >= ON_DEMAND_LIMIT:
            raise errors.limit_exceeded(
                "The on-demand rotations limit has been reached for the given keyId. "
                f"No more on-demand rotations can be performed for this key: {key.arn}"
            )
        now = call.now()

        def rotate(stored: Key) -> None:
            rotated = material.new_material(self.sealer, stored, now, rotation_type="ON_DEMAND")
            material.add_material(stored, rotated)
            stored.on_demand_rotations += 1

        self.change(key, rotate)
        return {"KeyId": key.arn}

    def list_key_rotations(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        if key.key_spec != "SYMMETRIC_DEFAULT":
            raise errors.unsupported()
        everything = params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
        chosen = [m for m in key.materials if everything or m.rotation_type is not None]
        keyed = [(f"{m.version:010d}", rotation_entry(key, m)) for m in chosen]
        entries, info = page(keyed, params, 100, 1000)
        return {"Rotations": entries, **info}

    # -- deletion ------------------------------------------------------------------------------------------------

    def schedule_key_deletion(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        require_not_pending_deletion(key)
        window = params.get("PendingWindowInDays") or DEFAULT_PENDING_WINDOW
        _check_window(window)
        if key.replica_regions and key.multi_region_type != REPLICA:
            return self._schedule_after_replicas(key, window)
        deletion_date = call.now() + timedelta(days=window)

        def schedule(stored: Key) -> None:
            stored.state = PENDING_DELETION
            stored.deletion_date = deletion_date
            stored.pending_window_days = window

        self.change(key, schedule)
        return {
            "KeyId": key.arn,
            "DeletionDate": deletion_date,
            "KeyState": PENDING_DELETION,
            "PendingWindowInDays": window,
        }

    def _schedule_after_replicas(self, key: Key, window: int) -> Params:
        """A multi-Region primary with replicas waits for them: PendingReplicaDeletion, with no deletion date
        until its last replica is deleted (then its own waiting period starts, see `records`)."""

        def schedule(stored: Key) -> None:
            stored.state = PENDING_REPLICA_DELETION
            stored.deletion_date = None
            stored.pending_window_days = window

        self.change(key, schedule)
        return {"KeyId": key.arn, "KeyState": PENDING_REPLICA_DELETION, "PendingWindowInDays": window}

    def cancel_key_deletion(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        if key.state not in (PENDING_DELETION, PENDING_REPLICA_DELETION):
            raise errors.not_pending_deletion(key.arn)

        def cancel(stored: Key) -> None:
            stored.state = PENDING_IMPORT if stored.origin == EXTERNAL and not stored.materials else DISABLED
            stored.deletion_date = None
            stored.pending_window_days = None

        self.change(key, cancel)
        return {"KeyId": key.arn}


def _check_window(window: int) -> None:
    """AWS allows a waiting period of 7 to 30 days (the model's wider range is not what the service accepts)."""
    if 7 <= window <= 30:
        return
    words = "greater than or equal to 7" if window < 7 else "less than or equal to 30"
    raise errors.validation(
        f"1 validation error detected: Value '{window}' at 'pendingWindowInDays' failed to satisfy "
        f"constraint: Member must have value {words}"
    )
