"""Keys: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription, tags, key policies."""

from __future__ import annotations

import functools
from datetime import timedelta

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.kms import crypto, errors, material
from shieldwall.services.kms.common import (
    KmsBase,
    check_enum,
    page,
    require_not_pending_deletion,
    tag_list,
    tagged,
)
from shieldwall.services.kms.keyref import key_arn
from shieldwall.services.kms.metadata import key_metadata
from shieldwall.services.kms.models import (
    AWS_KMS,
    ENABLED,
    EXTERNAL,
    PENDING_IMPORT,
    Key,
)
from shieldwall.services.kms.policies import POLICY_NAME, accepted_policy, new_key_policy
from shieldwall.services.kms.records import is_expired, purge, save_new_key
from shieldwall.spec.loader import service_model

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"


@functools.cache
def enum_of(shape: str) -> tuple[str, ...]:
    return tuple(service_model("kms").shape_for(shape).enum)


def checked_spec(params: Params) -> tuple[str, str, str]:
    """(KeySpec, KeyUsage, Origin) of a CreateKey request, or the error AWS answers for them."""
    if params.get("KeySpec") and params.get("CustomerMasterKeySpec"):
        raise errors.validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request.")
    spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or SYMMETRIC_DEFAULT
    check_enum("keySpec", spec, enum_of("KeySpec"))
    usage = params.get("KeyUsage")
    if usage is not None:
        check_enum("keyUsage", usage, enum_of("KeyUsageType"))
    origin = params.get("Origin") or AWS_KMS
    check_enum("origin", origin, enum_of("OriginType"))
    if origin not in (AWS_KMS, EXTERNAL) or params.get("CustomKeyStoreId") or params.get("XksKeyId"):
        raise errors.unsupported("shieldwall does not support custom key stores")
    if spec not in crypto.SPECS:
        raise errors.unsupported(f"KeySpec {spec} is not supported in this region.")
    if usage is None:
        if spec != SYMMETRIC_DEFAULT:
            raise errors.validation(
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
            )
        usage = crypto.ENCRYPT_DECRYPT
    if usage not in crypto.SPECS[spec].usages:
        raise errors.validation(f"KeyUsage {usage} is not compatible with KeySpec {spec}")
    return spec, usage, origin


def new_key_id(multi_region: bool) -> str:
    return f"mrk-{ids.token_bytes(16).hex()}" if multi_region else ids.uuid4()


class KeysMixin(KmsBase):
    def create_key(self, call: Call, params: Params) -> Params:
        spec, usage, origin = checked_spec(params)
        multi_region = bool(params.get("MultiRegion"))
        key_id = new_key_id(multi_region)
        arn = key_arn(call.partition, call.region, call.account_id, key_id)
        tags = tagged({}, params.get("Tags") or [])
        policy = new_key_policy(call, params, arn)
        now = call.now()
        key = Key(
            key_id=key_id,
            arn=arn,
            account_id=call.account_id,
            region=call.region,
            creation_date=now,
            key_spec=spec,
            key_usage=usage,
            origin=origin,
            policy=policy,
            description=params.get("Description") or "",
            state=PENDING_IMPORT if origin == EXTERNAL else ENABLED,
            multi_region=multi_region,
            multi_region_type="PRIMARY" if multi_region else None,
            primary_region=call.region if multi_region else None,
            tags=tags,
        )
        if origin == AWS_KMS:
            material.add_material(key, material.new_material(self.sealer, key, now, pool=self.pool))
        with self.store.transaction() as tx:
            save_new_key(tx, key)
        return {"KeyMetadata": key_metadata(key)}

    def describe_key(self, call: Call, params: Params) -> Params:
        return {"KeyMetadata": key_metadata(self.found(call, params["KeyId"]).key)}

    def list_keys(self, call: Call, params: Params) -> Params:
        scope = call.regional_scope
        with self.store.read() as reader:
            stored = reader.list(scope, Key)
        now = call.now()
        for _, key in stored:
            if is_expired(key, now):
                purge(self.store, key)
        live = [(key_id, key) for key_id, key in stored if not is_expired(key, now)]
        chosen, info = page(live, params, 100, 1000)
        return {"Keys": [{"KeyId": key.key_id, "KeyArn": key.arn} for key in chosen], **info}

    def enable_key(self, call: Call, params: Params) -> Params:
        key = self._manageable(call, params)
        now = call.now()

        def enable(stored: Key) -> None:
            if (
                stored.rotation_enabled
                and stored.next_rotation_date is not None
                and stored.next_rotation_date <= now
            ):
                # "When the KMS key is re-enabled ... AWS KMS rotates it immediately" if a rotation came due.
                rotated = material.new_material(self.sealer, stored, now, rotation_type="AUTOMATIC")
                material.add_material(stored, rotated)
                stored.next_rotation_date = now + timedelta(days=stored.rotation_period_days or 365)
            stored.state = ENABLED

        self.change(key, enable)
        return {}

    def disable_key(self, call: Call, params: Params) -> Params:
        key = self._manageable(call, params)
        self.change(key, lambda stored: setattr(stored, "state", "Disabled"))
        return {}

    def _manageable(self, call: Call, params: Params) -> Key:
        """A key EnableKey and DisableKey may change: not pending import or deletion."""
        key = self.key(call, params["KeyId"])
        if key.state == PENDING_IMPORT:
            raise errors.pending_import(key.arn)
        require_not_pending_deletion(key)
        return key

    def update_key_description(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        require_not_pending_deletion(key)
        self.change(key, lambda stored: setattr(stored, "description", params["Description"]))
        return {}

    # -- tags ----------------------------------------------------------------------------------------------------

    def tag_resource(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        require_not_pending_deletion(key)
        self.change(key, lambda stored: setattr(stored, "tags", tagged(stored.tags, params["Tags"])))
        return {}

    def untag_resource(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        require_not_pending_deletion(key)
        removed = set(params["TagKeys"])
        self.change(
            key,
            lambda stored: setattr(
                stored, "tags", {k: v for k, v in stored.tags.items() if k not in removed}
            ),
        )
        return {}

    def list_resource_tags(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        tags = [(tag["TagKey"], tag) for tag in tag_list(key.tags)]
        chosen, info = page(tags, params, 50, 50)
        return {"Tags": chosen, **info}

    # -- key policies ----------------------------------------------------------------------------------------------

    def get_key_policy(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        _check_policy_name(params)
        return {"Policy": key.policy, "PolicyName": POLICY_NAME}

    def put_key_policy(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        _check_policy_name(params)
        text = accepted_policy(params["Policy"], params, call, key.arn, key.account_id)
        self.change(key, lambda stored: setattr(stored, "policy", text))
        return {}

    def list_key_policies(self, call: Call, params: Params) -> Params:
        self.key(call, params["KeyId"])
        return {"PolicyNames": [POLICY_NAME], "Truncated": False}


def _check_policy_name(params: Params) -> None:
    name = params.get("PolicyName") or POLICY_NAME
    if name != POLICY_NAME:
        raise errors.kms_error("NotFoundException", "No such policy exists")
