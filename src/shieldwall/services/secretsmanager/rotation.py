"""RotateSecret and CancelRotateSecret: the rotation configuration, stored and validated; no rotation runs.

shieldwall runs no Lambda function yet, so it cannot rotate. RotateSecret with RotateImmediately (the default)
would invoke the rotation function at once: it answers as AWS does when Secrets Manager cannot invoke the
function (AccessDeniedException "Secrets Manager cannot invoke the specified Lambda function...") and, as AWS
then does, stores nothing. With RotateImmediately false, AWS would test the function (its testSecret step);
shieldwall skips that test, stores the configuration and turns rotation on: DescribeSecret then reports
RotationEnabled, RotationLambdaARN, RotationRules and NextRotationDate (the opening of the next rotation window
after the last rotation, or after this call when the secret has never rotated). The schedule never fires.
"""

from __future__ import annotations

from shieldwall.services.base import Call, Params
from shieldwall.services.secretsmanager import errors, schedule
from shieldwall.services.secretsmanager.common import SecretsBase, require_live, require_primary
from shieldwall.services.secretsmanager.models import AWSCURRENT, AWSPENDING, Rotation, Secret
from shieldwall.store.base import Transaction


def _rules(params: Params, current: Rotation | None) -> tuple[int | None, str | None, str | None]:
    rules = params.get("RotationRules")
    if rules is None:
        if current is None:
            return None, None, None
        return current.automatically_after_days, current.schedule_expression, current.duration
    after_days = rules.get("AutomaticallyAfterDays")
    return (
        (int(after_days) if after_days is not None else None),
        rules.get("ScheduleExpression"),
        rules.get("Duration"),
    )


def _pending_elsewhere(secret: Secret) -> bool:
    pending, current = secret.staged(AWSPENDING), secret.staged(AWSCURRENT)
    return pending is not None and pending is not current


class RotationMixin(SecretsBase):
    def rotate_secret(self, call: Call, params: Params) -> Params:
        if params.get("ExternalSecretRotationMetadata") or params.get("ExternalSecretRotationRoleArn"):
            raise errors.unsupported("managed external secret rotation", "RotateSecret")
        token = params.get("ClientRequestToken")
        if not token:
            raise errors.token_required()
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        after_days, expression, duration = _rules(params, secret.rotation)
        try:
            parsed = schedule.parse(after_days, expression, duration)
        except schedule.ScheduleError as error:
            raise errors.invalid_parameter(str(error)) from None
        lambda_arn = params.get("RotationLambdaARN") or (
            secret.rotation.lambda_arn if secret.rotation else None
        )
        if not lambda_arn:
            raise errors.no_rotation_lambda()
        if params.get("RotateImmediately") is not False:
            if _pending_elsewhere(secret):
                raise errors.invalid_request(
                    "A previous rotation isn't complete. That rotation will be reattempted."
                )
            raise errors.cannot_invoke_lambda()

        def mutate(_tx: Transaction, stored: Secret) -> None:
            last = stored.rotation.last_rotated if stored.rotation else None
            base = last or call.now()
            stored.rotation = Rotation(
                enabled=True,
                lambda_arn=str(lambda_arn),
                automatically_after_days=after_days,
                duration=duration,
                schedule_expression=expression,
                next_date=schedule.next_date(parsed, base) if parsed is not None else None,
                last_rotated=last,
            )
            stored.last_changed = call.now()

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn, "Name": stored.name, "VersionId": str(token)}

    def cancel_rotate_secret(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        if secret.rotation is None or not secret.rotation.lambda_arn:
            raise errors.invalid_request(
                "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN "
                "configured and you didn't include such an ARN as a parameter in this call."
            )

        def mutate(_tx: Transaction, stored: Secret) -> None:
            assert stored.rotation is not None
            stored.rotation.enabled = False
            stored.rotation.next_date = None
            stored.last_changed = call.now()

        stored, _ = self.change(secret, mutate)
        return {"ARN": stored.arn, "Name": stored.name}
