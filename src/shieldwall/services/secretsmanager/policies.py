"""PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy, ListResourcePolicies and ValidateResourcePolicy.

A secret has one resource policy, named `default` ("You can only attach the default policy"). It is checked and
compiled by shieldwall.policy when written; BlockPublicPolicy refuses one that grants broad access.
ValidateResourcePolicy reports broad access and a policy that would lock the caller out of changing it again in
ValidationErrors (the check names are shieldwall's: AWS does not document its own); a policy that does not
parse is MalformedPolicyDocumentException, as PutResourcePolicy answers it.
"""

from __future__ import annotations

from shieldwall.services.base import Call, Params
from shieldwall.services.secretsmanager import errors
from shieldwall.services.secretsmanager.common import SecretsBase, require_live, require_primary
from shieldwall.services.secretsmanager.models import Secret
from shieldwall.services.secretsmanager.records import scope_of
from shieldwall.services.secretsmanager.resource_policy import checked, is_public, locks_out
from shieldwall.store.base import Transaction

POLICY_NAME = "default"
PUBLIC_CHECK = "BROAD_ACCESS_CHECK"
LOCKOUT_CHECK = "LOCKOUT_CHECK"


def _check_name(params: Params) -> None:
    name = params.get("PolicyName")
    if name is not None and name != POLICY_NAME:
        raise errors.invalid_parameter(
            f"The resource policy name {name} is not valid: you can only attach the policy named default."
        )


def _named(out: Params, params: Params) -> Params:
    if params.get("PolicyName") is not None:
        out["PolicyName"] = params["PolicyName"]
    return out


class PoliciesMixin(SecretsBase):
    def put_resource_policy(self, call: Call, params: Params) -> Params:
        _check_name(params)
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)
        text = str(params["ResourcePolicy"])
        checked(text, secret.arn)
        if params.get("BlockPublicPolicy") and is_public(text):
            raise errors.public_policy()

        def mutate(_tx: Transaction, stored: Secret) -> None:
            stored.policy = text
            stored.last_changed = call.now()

        stored, _ = self.change(secret, mutate)
        return _named({"ARN": stored.arn, "Name": stored.name}, params)

    def get_resource_policy(self, call: Call, params: Params) -> Params:
        _check_name(params)
        secret = self.secret(call, params)
        out: Params = {"ARN": secret.arn, "Name": secret.name}
        if secret.policy is not None:
            out["ResourcePolicy"] = secret.policy
        return _named(out, params)

    def delete_resource_policy(self, call: Call, params: Params) -> Params:
        _check_name(params)
        secret = self.secret(call, params)
        require_live(secret)
        require_primary(secret)

        def mutate(_tx: Transaction, stored: Secret) -> None:
            stored.policy = None
            stored.last_changed = call.now()

        stored, _ = self.change(secret, mutate)
        return _named({"ARN": stored.arn, "Name": stored.name}, params)

    def list_resource_policies(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params)
        return {"ResourcePolicies": [{"PolicyName": POLICY_NAME}] if secret.policy is not None else []}

    def validate_resource_policy(self, call: Call, params: Params) -> Params:
        secret = self.secret(call, params) if params.get("SecretId") else None
        target = secret.arn if secret is not None else "*"
        account = scope_of(secret).account if secret is not None else call.account_id
        text = str(params["ResourcePolicy"])
        policy = checked(text, target)
        problems: list[Params] = []
        if is_public(text):
            problems.append(
                {
                    "CheckName": PUBLIC_CHECK,
                    "ErrorMessage": "The policy grants broad access to the secret: a statement allows every "
                    "principal without a condition that limits it to known accounts, principals or networks.",
                }
            )
        if locks_out(policy, call, target, account):
            problems.append(
                {
                    "CheckName": LOCKOUT_CHECK,
                    "ErrorMessage": "The policy would deny you secretsmanager:PutResourcePolicy on this secret, "
                    "so you could not change it again.",
                }
            )
        return {"PolicyValidationPassed": not problems, "ValidationErrors": problems}
