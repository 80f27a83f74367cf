"""PutParameter, DeleteParameter and DeleteParameters.

A put writes a new version in one transaction: the head record, the version record, the tier tally, and for a
SecureString the ciphertext KMS made inside that same transaction (an AWS managed key alias/aws/ssm is created
there on first use). Parameter Store keeps 100 versions: the 101st drops the oldest, unless a label holds it.
An `aws:ec2:image` value is checked asynchronously in AWS: an ill-formed AMI id gets its version number but
no parameter, and a `Parameter Store Change` event reports the failure.
"""

from __future__ import annotations

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.kms import via_service
from shieldwall.services.kms.models import Key
from shieldwall.services.ssm import crypto, errors, events, policies, putting
from shieldwall.services.ssm.common import SsmBase
from shieldwall.services.ssm.models import ADVANCED, EC2_IMAGE, SECURE_STRING, Parameter, Version
from shieldwall.services.ssm.names import check_name, check_writable, parameter_arn
from shieldwall.services.ssm.records import (
    count,
    drop_version,
    fresh,
    read_parameter,
    remove,
    save_version,
    tally,
)
from shieldwall.store.base import Scope, Transaction

MAX_VERSIONS = 100
MAX_STANDARD = 10_000
MAX_ADVANCED = 100_000


class WritingMixin(SsmBase):
    def put_parameter(self, call: Call, params: Params) -> Params:
        name = check_name(params["Name"], call)
        check_writable(name)
        putting.check_request(params)
        scope = call.regional_scope
        self.settled(call, read_parameter(self.store, scope, name))
        with self.store.transaction() as tx:
            existing = fresh(tx, scope, name)
            chosen = putting.plan(params, existing, call.now())
            number = existing.version + 1 if existing is not None else 1
            if chosen.data_type == EC2_IMAGE and not putting.valid_image_id(params["Value"]):
                failed = (name, chosen.type, "Update" if existing else "Create")
                return self._image_rejected(call, failed, number, chosen.tier)
            used = self._write(tx, call, scope, name, existing, chosen, params)
        if used is not None:
            event = crypto.write_action(chosen.tier)[1]
            arn = parameter_arn(call, name) if existing is None else existing.arn
            via_service.record_kms_call(self.audit, call, crypto.SERVICE, event, used, crypto.context_of(arn))
        return {"Version": number, "Tier": chosen.tier}

    def _write(
        self,
        tx: Transaction,
        call: Call,
        scope: Scope,
        name: str,
        existing: Parameter | None,
        chosen: putting.Plan,
        params: Params,
    ) -> Key | None:
        """Store the new version; the KMS key that encrypted it, for a SecureString."""
        arn = existing.arn if existing is not None else parameter_arn(call, name)
        version = Version(
            number=existing.version + 1 if existing is not None else 1,
            type=chosen.type,
            modified=call.now(),
            modified_by=call.principal.arn,
            tier=chosen.tier,
            data_type=chosen.data_type,
            key_id=chosen.key_id,
            description=chosen.description,
            allowed_pattern=chosen.allowed_pattern,
            policies=chosen.policies,
        )
        used = None
        if chosen.type == SECURE_STRING:
            choice = crypto.key_choice(chosen.key_id)
            version.ciphertext, used = crypto.seal_value(tx, self.sealer, call, choice, arn, params["Value"])
        else:
            version.value = params["Value"]
        if existing is None:
            _check_quota(tx, scope, chosen.tier)
            count(tx, scope, chosen.tier, +1)
            parameter = Parameter(name, arn, version, tags=_tags(params))
        else:
            parameter = _next_version(tx, scope, existing, version)
        save_version(tx, scope, parameter)
        return used

    def _image_rejected(self, call: Call, failed: tuple[str, str, str], number: int, tier: str) -> Params:
        name, kind, operation = failed
        detail = {
            "exception": "Unable to Describe Resource",
            "dataType": EC2_IMAGE,
            "name": name,
            "type": kind,
            "operation": operation,
        }
        when = call.now()
        event = events.eventbridge_event(
            events.CHANGE, call.account_id, call.region, when, parameter_arn(call, name), detail
        )
        events.record_service_event(self.audit, call.request_id, event, when)
        return {"Version": number, "Tier": tier}

    def delete_parameter(self, call: Call, params: Params) -> Params:
        name = check_name(params["Name"], call)
        check_writable(name)
        if not self._delete(call, name):
            raise errors.not_found()
        return {}

    def delete_parameters(self, call: Call, params: Params) -> Params:
        deleted: list[str] = []
        invalid: list[str] = []
        for raw in dict.fromkeys(params["Names"]):
            try:
                name = check_name(raw, call)
                check_writable(name)
            except AwsError:
                invalid.append(raw)
                continue
            (deleted if self._delete(call, name) else invalid).append(raw)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    def _delete(self, call: Call, name: str) -> bool:
        scope = call.regional_scope
        if self.settled(call, read_parameter(self.store, scope, name)) is None:
            return False
        with self.store.transaction() as tx:
            stored = fresh(tx, scope, name)
            if stored is None:
                return False
            remove(tx, scope, stored)
        return True


def _tags(params: Params) -> dict[str, str]:
    return {str(tag["Key"]): str(tag["Value"]) for tag in params.get("Tags") or ()}


def _check_quota(tx: Transaction, scope: Scope, tier: str) -> None:
    counted = tally(tx, scope)
    if (tier == ADVANCED and counted.advanced >= MAX_ADVANCED) or (
        tier != ADVANCED and counted.standard >= MAX_STANDARD
    ):
        raise errors.limit_exceeded()


def _next_version(tx: Transaction, scope: Scope, existing: Parameter, version: Version) -> Parameter:
    """`existing` with `version` as its current one: the oldest dropped past 100, the tally moved on an upgrade."""
    if existing.version - existing.oldest + 1 >= MAX_VERSIONS:
        if existing.labels_of(existing.oldest):
            raise errors.version_limit(existing.name, existing.oldest)
        drop_version(tx, scope, existing.name, existing.oldest)
        existing.oldest += 1
    if existing.current.tier != version.tier:
        _check_quota(tx, scope, version.tier)
        count(tx, scope, existing.current.tier, -1)
        count(tx, scope, version.tier, +1)
    existing.current = version
    existing.notified = policies.still_relevant(existing)
    return existing
