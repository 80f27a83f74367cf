"""GetSecretValue, BatchGetSecretValue, PutSecretValue, ListSecretVersionIds and UpdateSecretVersionStage.

Reading a value decrypts it through KMS as the caller (the authorization rule required kms:Decrypt through
Secrets Manager) and records the KMS Decrypt event. LastAccessedDate, a date, is written at most once a day per
secret and version, so reads stay reads.
"""

from __future__ import annotations

from typing import Any

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.secretsmanager import errors, stages
from shieldwall.services.secretsmanager.authz import read_requests
from shieldwall.services.secretsmanager.common import (
    SecretsBase,
    day_of,
    plain_of,
    require_live,
    require_primary,
    value_members,
)
from shieldwall.services.secretsmanager.listing import batch_page, page
from shieldwall.services.secretsmanager.models import Secret, Version
from shieldwall.services.secretsmanager.records import fresh, save
from shieldwall.services.secretsmanager.views import version_entry
from shieldwall.store.base import Transaction

MAX_VERSION_PAGE = 100


class ValuesMixin(SecretsBase):
    def get_secret_value(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        return self.read(call, secret, params.get("VersionId"), params.get("VersionStage"))

    def read(self, call: Call, secret: Secret, version_id: str | None, stage: str | None) -> Params:
        require_live(secret)
        version = stages.pick(secret, version_id, stage)
        plain = self.open(call, secret, version)
        self._touch(call, secret, version)
        return {
            "ARN": secret.arn,
            "Name": secret.name,
            "VersionId": version.version_id,
            **value_members(plain),
            "VersionStages": list(version.stages),
            "CreatedDate": version.created,
        }

    def _touch(self, call: Call, secret: Secret, version: Version) -> None:
        today = day_of(call.now())
        if secret.last_accessed == today and version.last_accessed == today:
            return

        with self.store.transaction() as tx:
            stored = fresh(tx, secret)
            stored.last_accessed = today
            found = stored.version(version.version_id)
            if found is not None:
                found.last_accessed = today
            save(tx, stored)

    def batch_get_secret_value(self, call: Call, params: Params) -> Params:
        targets, token = batch_page(self.store, call, params)
        found: list[Params] = []
        failed: list[Params] = []
        for target in targets:
            try:
                if target.error is not None:
                    raise target.error
                assert target.secret is not None
                denied = call.judge(read_requests(call, target.secret)) if call.judge is not None else None
                if denied is not None:
                    raise AwsError("AccessDeniedException", denied, 400)
                found.append(self.read(call, target.secret, None, None))
            except AwsError as error:
                failed.append(
                    {"SecretId": target.secret_id, "ErrorCode": error.code, "Message": error.message}
                )
        out: Params = {"SecretValues": found, "Errors": failed}
        if token is not None:
            out["NextToken"] = token
        return out

    def put_secret_value(self, call: Call, params: Params) -> Params:
        token = params.get("ClientRequestToken")
        if not token:
            raise errors.token_required()
        plain = plain_of(params)
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        if plain is None:
            raise errors.no_value()
        labels: list[str] | None = params.get("VersionStages")
        existing = secret.version(str(token))
        if existing is not None:
            if not self.same_value(call, secret, existing, plain):
                raise errors.token_in_use(str(token), secret.arn)
            return _put_answer(secret, existing)

        def mutate(tx: Transaction, stored: Secret) -> Version:
            return self.add_version(tx, call, stored, plain, str(token), labels)

        stored, version = self.change(secret, mutate)
        return _put_answer(stored, version)

    def list_secret_version_ids(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        shown = [v for v in secret.versions if v.stages or params.get("IncludeDeprecated")]
        size = min(int(params.get("MaxResults") or MAX_VERSION_PAGE), MAX_VERSION_PAGE)
        chosen, token = page(shown, params.get("NextToken"), size)
        out: Params = {"Versions": [version_entry(v) for v in chosen], "ARN": secret.arn, "Name": secret.name}
        if token is not None:
            out["NextToken"] = token
        return out

    def update_secret_version_stage(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        stage = str(params["VersionStage"])
        remove_from: Any = params.get("RemoveFromVersionId")
        move_to: Any = params.get("MoveToVersionId")

        def mutate(_tx: Transaction, stored: Secret) -> None:
            stages.move(stored, stage, remove_from, move_to)
            stored.last_changed = call.now()

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn, "Name": stored.name}


def _put_answer(secret: Secret, version: Version) -> Params:
    return {
        "ARN": secret.arn,
        "Name": secret.name,
        "VersionId": version.version_id,
        "VersionStages": list(version.stages),
    }
