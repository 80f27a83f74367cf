"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.

A grant is stored in its key's record and enforced by the authorizer as statements of the key's policy
(`grant_policy`). A named grant is idempotent: CreateGrant with the name and the parameters of an existing grant
returns that grant (with a fresh token) instead of making another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.kms import errors
from shieldwall.services.kms.common import KmsBase, check_dry_run, page, require_not_pending_deletion
from shieldwall.services.kms.grant_authz import check_grant_id, grant_of, retired_grant
from shieldwall.services.kms.grant_policy import check_constraints, check_operations, constraint_type
from shieldwall.services.kms.grant_tokens import mint_token
from shieldwall.services.kms.models import DISABLED, Grant, Key, RetirableGrant
from shieldwall.services.kms.records import (
    forget_retirable,
    fresh_key,
    read_key,
    remember_retirable,
    save_key,
)
from shieldwall.store.base import Scope

GRANTS_PER_PRINCIPAL = 500  # "Grants for a given principal per KMS key"
_ARN_PRINCIPAL = re.compile(r"arn:[a-z-]+:(iam|sts)::\d{12}:.+")
_SERVICE_PRINCIPAL = re.compile(r"[A-Za-z0-9-]+\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def check_principal(value: str | None) -> None:
    """An AWS principal (account, IAM user or role, assumed-role or federated user) or a service principal."""
    if value is None:
        return
    if _ARN_PRINCIPAL.fullmatch(value) or _SERVICE_PRINCIPAL.fullmatch(value):
        return
    if len(value) == 12 and value.isdigit():
        return
    raise errors.invalid_arn(f"ARN does not refer to a valid principal: {value}")


def check_parties(params: Params) -> None:
    grantee, grantee_service = params.get("GranteePrincipal"), params.get("GranteeServicePrincipal")
    if bool(grantee) == bool(grantee_service):
        raise errors.validation(
            "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both."
        )
    if params.get("RetiringPrincipal") and params.get("RetiringServicePrincipal"):
        raise errors.validation(
            "You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both."
        )
    if grantee_service:
        if not (params.get("Constraints") or {}).get("SourceArn"):
            raise errors.validation(
                "A grant for a GranteeServicePrincipal needs a SourceArn grant constraint."
            )
        if not (params.get("RetiringPrincipal") or params.get("RetiringServicePrincipal")):
            raise errors.validation(
                "A grant for a GranteeServicePrincipal needs a RetiringPrincipal or a RetiringServicePrincipal."
            )
    check_principal(grantee)
    check_principal(params.get("RetiringPrincipal"))


def new_grant(call: Call, params: Params) -> Grant:
    constraints: Mapping[str, Any] = params.get("Constraints") or {}
    kind = constraint_type(constraints)
    return Grant(
        grant_id=ids.token_bytes(32).hex(),
        operations=tuple(params["Operations"]),
        created=call.now(),
        issuing_account=call.account_id,
        grantee=params.get("GranteePrincipal"),
        grantee_service=params.get("GranteeServicePrincipal"),
        retiring=params.get("RetiringPrincipal"),
        retiring_service=params.get("RetiringServicePrincipal"),
        name=params.get("Name"),
        context_subset=dict(constraints[kind]) if kind == "EncryptionContextSubset" else None,
        context_equals=dict(constraints[kind]) if kind == "EncryptionContextEquals" else None,
        source_arn=constraints.get("SourceArn"),
    )


def _terms(grant: Grant) -> tuple[object, ...]:
    """What makes two grants the same grant for a retried, named CreateGrant."""
    return (
        grant.name,
        grant.grantee,
        grant.grantee_service,
        grant.retiring,
        grant.retiring_service,
        frozenset(grant.operations),
        grant.context_subset,
        grant.context_equals,
        grant.source_arn,
    )


def grant_entry(key: Key, grant: Grant) -> dict[str, Any]:
    partition = key.arn.split(":", 2)[1]
    entry: dict[str, Any] = {
        "KeyId": key.arn,
        "GrantId": grant.grant_id,
        "CreationDate": grant.created,
        "IssuingAccount": f"arn:{partition}:iam::{grant.issuing_account}:root",
        "Operations": list(grant.operations),
    }
    optional = {
        "Name": grant.name,
        "GranteePrincipal": grant.grantee or grant.grantee_service,
        "GranteeServicePrincipal": grant.grantee_service,
        "RetiringPrincipal": grant.retiring or grant.retiring_service,
        "RetiringServicePrincipal": grant.retiring_service,
    }
    entry.update({name: value for name, value in optional.items() if value})
    constraints = _constraints(grant)
    if constraints:
        entry["Constraints"] = constraints
    return entry


def _constraints(grant: Grant) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if grant.context_subset:
        found["EncryptionContextSubset"] = grant.context_subset
    if grant.context_equals:
        found["EncryptionContextEquals"] = grant.context_equals
    if grant.source_arn:
        found["SourceArn"] = grant.source_arn
    return found


def _grantee(grant: Grant) -> str | None:
    return grant.grantee or grant.grantee_service


def _check_limit(key: Key, grant: Grant) -> None:
    grantee = _grantee(grant)
    if sum(1 for existing in key.grants if _grantee(existing) == grantee) >= GRANTS_PER_PRINCIPAL:
        raise errors.limit_exceeded(
            f"The grants for the grantee principal {grantee} on {key.arn} have reached the limit "
            f"of {GRANTS_PER_PRINCIPAL}."
        )


def _ordered(grants: list[Grant]) -> list[tuple[str, Grant]]:
    keyed = [(f"{grant.created.isoformat()}/{grant.grant_id}", grant) for grant in grants]
    return sorted(keyed, key=lambda item: item[0])


class GrantsMixin(KmsBase):
    def create_grant(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        if key.state == DISABLED:
            raise errors.disabled(key.arn)
        require_not_pending_deletion(key)
        check_parties(params)
        check_operations(key, params["Operations"])
        check_constraints(key, params.get("Constraints"))
        check_dry_run(params)
        grant = self._kept_grant(key, new_grant(call, params))
        return {"GrantToken": mint_token(self.sealer, key.arn, grant.grant_id), "GrantId": grant.grant_id}

    def _kept_grant(self, key: Key, grant: Grant) -> Grant:
        """`grant` added to the key, or the existing grant it repeats (a retried CreateGrant with a Name)."""
        with self.store.transaction() as tx:
            stored = fresh_key(tx, key)
            if grant.name is not None:
                for existing in stored.grants:
                    if _terms(existing) == _terms(grant):
                        return existing
            _check_limit(stored, grant)
            stored.grants = [*stored.grants, grant]
            save_key(tx, stored)
            remember_retirable(tx, stored, grant)
        return grant

    def list_grants(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        chosen = list(key.grants)
        if params.get("GrantId"):
            check_grant_id(params["GrantId"])
            chosen = [grant for grant in chosen if grant.grant_id == params["GrantId"]]
        grantee = params.get("GranteePrincipal") or params.get("GranteeServicePrincipal")
        if grantee:
            chosen = [grant for grant in chosen if grantee in (grant.grantee, grant.grantee_service)]
        grants, info = page(_ordered(chosen), params, 50, 100)
        return {"Grants": [grant_entry(key, grant) for grant in grants], **info}

    def list_retirable_grants(self, call: Call, params: Params) -> Params:
        principal = params.get("RetiringPrincipal") or params.get("RetiringServicePrincipal")
        if not principal:
            raise errors.validation("ListRetirableGrants needs a RetiringPrincipal.")
        index = Scope(call.partition)
        with self.store.read() as reader:
            entries = reader.list(index, RetirableGrant, prefix=f"{call.region}/{principal}/")
        found = [(name, self._retirable(name, entry, principal)) for name, entry in entries]
        listed = [(name, entry) for name, entry in found if entry is not None]
        chosen, info = page(listed, params, 50, 100)
        return {"Grants": chosen, **info}

    def _retirable(self, name: str, entry: RetirableGrant, principal: str) -> dict[str, Any] | None:
        """The grant an index entry names, if its key and grant still exist."""
        partition, _, region, account, resource = entry.key_arn.split(":", 5)[1:]
        key = read_key(self.store, Scope(partition, account, region), resource.removeprefix("key/"))
        if key is None:
            return None
        grant_id = name.rsplit("/", 1)[-1]
        for grant in key.grants:
            if grant.grant_id == grant_id and principal in (grant.retiring, grant.retiring_service):
                return grant_entry(key, grant)
        return None

    def retire_grant(self, call: Call, params: Params) -> Params:
        key, grant = retired_grant(params, call)
        check_dry_run(params)
        self._remove(key, grant)
        return {}

    def revoke_grant(self, call: Call, params: Params) -> Params:
        key = self.key(call, params["KeyId"])
        grant = grant_of(key, params["GrantId"])
        check_dry_run(params)
        self._remove(key, grant)
        return {}

    def _remove(self, key: Key, grant: Grant) -> None:
        with self.store.transaction() as tx:
            stored = fresh_key(tx, key)
            stored.grants = [kept for kept in stored.grants if kept.grant_id != grant.grant_id]
            save_key(tx, stored)
            forget_retirable(tx, stored, grant)
