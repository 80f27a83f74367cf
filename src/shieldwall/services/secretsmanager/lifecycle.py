"""CreateSecret, UpdateSecret, DescribeSecret, DeleteSecret, RestoreSecret, TagResource and UntagResource.

Idempotency (ClientRequestToken, which becomes the new version's id): CreateSecret repeated with the same token
and the same value answers the version it made; with another value, or a token already used for another
version, ResourceExistsException. UpdateSecret never reuses a version id ("You can't modify an existing version").

Deletion waits out a recovery window of 7 to 30 days (30 by default) during which the secret answers only
DescribeSecret, ListSecretVersionIds, GetResourcePolicy, RestoreSecret and a forced DeleteSecret; the clock ends
it (the secret is deleted when next read after its DeletionDate). ForceDeleteWithoutRecovery deletes at once and
answers success even for a secret that does not exist, as AWS documents.
"""

from __future__ import annotations

from datetime import timedelta

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.secretsmanager import envelope, errors
from shieldwall.services.secretsmanager.authz import reencrypted
from shieldwall.services.secretsmanager.common import (
    Plain,
    SecretsBase,
    plain_of,
    require_live,
    require_primary,
    tagged,
)
from shieldwall.services.secretsmanager.envelope import context_of
from shieldwall.services.secretsmanager.models import Secret, VersionKey
from shieldwall.services.secretsmanager.names import SecretRef, check_name, new_arn, parse_secret_id
from shieldwall.services.secretsmanager.records import find_secret, fresh_value, purge, save, save_value
from shieldwall.services.secretsmanager.replication import add_replicas
from shieldwall.services.secretsmanager.views import described, replication_status
from shieldwall.store.base import Transaction

DEFAULT_WINDOW_DAYS = 30
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 7, 30


class LifecycleMixin(SecretsBase):
    def create_secret(self, call: Call, params: Params) -> Params:
        name = str(params["Name"])
        check_name(name)
        _refuse_unsupported(params, "CreateSecret")
        plain = plain_of(params)
        token = params.get("ClientRequestToken")
        if plain is not None and not token:
            raise errors.token_required()
        ref = SecretRef(call.partition, call.account_id, call.region, name, None, name)
        existing = find_secret(self.store, ref, call.now())
        if existing is not None:
            return self._created_again(call, existing, plain, str(token) if token else None)
        tags = tagged({}, params.get("Tags") or [])
        with self.store.transaction() as tx:
            secret = self._new_secret(tx, call, params, name, tags)
            version = (
                self.add_version(tx, call, secret, plain, str(token), None) if plain is not None else None
            )
            save(tx, secret)
            if params.get("AddReplicaRegions"):
                values = {version.version_id: plain} if version is not None and plain is not None else {}
                add_replicas(self, tx, call, secret, params["AddReplicaRegions"], params, values)
                save(tx, secret)
        return _created(secret, version.version_id if version is not None else None)

    def _created_again(self, call: Call, existing: Secret, plain: Plain | None, token: str | None) -> Params:
        """A retried CreateSecret (same name, token and value) answers what the first one made."""
        if existing.is_deleted:
            raise errors.scheduled_for_deletion()
        version = existing.version(token) if token is not None else None
        if plain is None or version is None:
            raise errors.already_exists(existing.name)
        if not self.same_value(call, existing, version, plain):
            raise errors.token_in_use(version.version_id, existing.arn)
        return _created(existing, version.version_id)

    def _new_secret(
        self, tx: Transaction, call: Call, params: Params, name: str, tags: dict[str, str]
    ) -> Secret:
        if tx.get(call.regional_scope, Secret, name) is not None:
            raise errors.already_exists(name)
        now = call.now()
        secret = Secret(
            name=name,
            arn=new_arn(call, name),
            uid=ids.uuid4(),
            created=now,
            last_changed=now,
            description=params.get("Description"),
            tags=tags,
            tagged=bool(params.get("Tags")),
        )
        key_id = params.get("KmsKeyId")
        if not envelope.default_key_id(key_id):
            choice = envelope.write_choice(secret, call, key_id)
            secret.kms_key_arn = envelope.key_for_write(tx, self.sealer, call, choice).arn
        return secret

    def update_secret(self, call: Call, params: Params) -> Params:
        _refuse_unsupported(params, "UpdateSecret")
        plain = plain_of(params)
        token = params.get("ClientRequestToken")
        if plain is not None and not token:
            raise errors.token_required()
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        if plain is not None and secret.version(str(token)) is not None:
            raise errors.token_in_use(str(token), secret.arn)

        def mutate(tx: Transaction, stored: Secret) -> str | None:
            if params.get("Description") is not None:
                stored.description = str(params["Description"])
            if params.get("KmsKeyId") is not None:
                self._change_key(tx, call, stored, str(params["KmsKeyId"]))
            stored.last_changed = call.now()
            if plain is None:
                return None
            return self.add_version(tx, call, stored, plain, str(token), None).version_id

        stored, version_id = self.change(secret, mutate)
        out: Params = {"ARN": stored.arn, "Name": stored.name}
        if version_id is not None:
            out["VersionId"] = version_id
        return out

    def _change_key(self, tx: Transaction, call: Call, secret: Secret, key_id: str) -> None:
        """New versions go under the new key; AWSCURRENT, AWSPENDING and AWSPREVIOUS are re-encrypted under it
        too, and every version stays readable with the key it was written under (AWS: "Change the encryption
        key for a secret")."""
        default = envelope.default_key_id(key_id)
        choice = envelope.write_choice(secret, call, key_id)
        key = envelope.key_for_write(tx, self.sealer, call, choice)
        for version in reencrypted(secret, key.arn):
            value = fresh_value(tx, secret, version.version_id)
            if value is None or not value.wrapped:
                continue
            context = context_of(secret.arn, version.version_id)
            old_key = envelope.blob_key(self.store, call, value.wrapped[-1].blob)
            data_key = envelope.unwrap(self.sealer, old_key, value.wrapped[-1], context)
            envelope.record(self.audit, call, "Decrypt", old_key, context)
            value.wrapped.append(envelope.rewrap(self.sealer, key, data_key, context))
            envelope.record(self.audit, call, "Encrypt", key, context)
            version.keys.append(VersionKey(key.arn, default))
            save_value(tx, secret, version.version_id, value)
        secret.kms_key_arn = None if default else key.arn

    def describe_secret(self, call: Call, params: Params) -> Params:
        return described(self.secret(call, params))

    def delete_secret(self, call: Call, params: Params) -> Params:
        window, force = params.get("RecoveryWindowInDays"), bool(params.get("ForceDeleteWithoutRecovery"))
        if window is not None and not MIN_WINDOW_DAYS <= int(window) <= MAX_WINDOW_DAYS:
            raise errors.invalid_parameter(
                "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
            )
        if window is not None and force:
            raise errors.invalid_parameter(
                "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
            )
        ref = parse_secret_id(str(params["SecretId"]), call)
        secret = find_secret(self.store, ref, call.now())
        if secret is None:
            if force:
                return {"ARN": ref.guessed_arn, "Name": ref.name, "DeletionDate": call.now()}
            raise errors.not_found()
        require_primary(secret)
        if secret.replicas:
            regions = ",".join(replica.region for replica in secret.replicas)
            raise errors.invalid_parameter(
                f"You can't delete secret {secret.name} that still has replica regions [{regions}]"
            )
        if force:
            purge(self.store, secret)
            return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": call.now()}
        require_live(secret)
        days = int(window) if window is not None else DEFAULT_WINDOW_DAYS

        def mutate(_tx: Transaction, stored: Secret) -> None:
            stored.deleted_date = call.now()
            stored.deletion_date = call.now() + timedelta(days=days)

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn, "Name": stored.name, "DeletionDate": stored.deletion_date}

    def restore_secret(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        require_primary(secret)

        def mutate(_tx: Transaction, stored: Secret) -> None:
            stored.deleted_date = None
            stored.deletion_date = None

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn, "Name": stored.name}

    def tag_resource(self, call: Call, params: Params) -> Params:
        secret = self._taggable(call, params)
        new = params.get("Tags") or []

        def mutate(_tx: Transaction, stored: Secret) -> None:
            stored.tags = tagged(stored.tags, new)
            stored.tagged = True
            stored.last_changed = call.now()

        self.change(secret, mutate)
        return {}

    def untag_resource(self, call: Call, params: Params) -> Params:
        secret = self._taggable(call, params)
        removed = set(params.get("TagKeys") or [])

        def mutate(_tx: Transaction, stored: Secret) -> None:
            stored.tags = {key: value for key, value in stored.tags.items() if key not in removed}
            stored.last_changed = call.now()

        self.change(secret, mutate)
        return {}

    def _taggable(self, call: Call, params: Params) -> Secret:
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        return secret


def _created(secret: Secret, version_id: str | None) -> Params:
    out: Params = {"ARN": secret.arn, "Name": secret.name}
    if version_id is not None:
        out["VersionId"] = version_id
    if secret.replicas:
        out["ReplicationStatus"] = replication_status(secret)
    return out


def _refuse_unsupported(params: Params, operation: str) -> None:
    if params.get("Type"):
        raise errors.unsupported("managed external secrets (Type)", operation)
    if params.get("CrossAccountPrimaryARN"):
        raise errors.unsupported("cross-account replicas (CrossAccountPrimaryARN)", operation)
