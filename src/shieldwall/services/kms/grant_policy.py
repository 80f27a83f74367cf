"""Grants as policy statements: what the authorizer judges a grant by.

A grant is not evaluated beside the key policy but inside it: the resource policy handed to the gateway for a key
is its key policy plus statements synthesized from its grants, so a grant allows exactly what a key policy
statement naming the grantee would, explicit denies still win, and the explanation names the grant by its
statement's Sid, `Grant<grant id>`. For grant G the statements are:

- the grant's operations (but CreateGrant and RetireGrant) as `kms:` actions, for the grantee, with the
  encryption context constraint as conditions: EncryptionContextSubset is `StringEquals` on each
  `kms:EncryptionContext:<key>`; EncryptionContextEquals adds `ForAllValues:StringEqualsIgnoreCase` on
  `kms:EncryptionContextKeys` with exactly its keys (AWS: in a grant constraint the key is not case sensitive, the
  value is). DescribeKey is in a statement of its own without them ("the constraint doesn't apply");
- when G includes CreateGrant, a statement for kms:CreateGrant that lets the grantee create only grants whose
  operations are among G's (`kms:GrantOperations`) and whose constraint is as strict (on CreateGrant the
  `kms:EncryptionContext:` keys are the new grant's constraint pairs, and an Equals grant needs an Equals child);
- a SourceArn constraint adds `StringEquals` on `aws:SourceArn` to each of them.

RetireGrant is judged by `retire_policy`, which names only the grant being retired ("the grant determines who
can retire it"): its retiring principal, its grantee when it includes RetireGrant, and the account that created
it (whose IAM policies may then delegate kms:RetireGrant).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shieldwall.policy.document import Policy, compile_document, compile_statement
from shieldwall.services.kms import crypto, errors
from shieldwall.services.kms.models import Grant, Key

CREATE_GRANT = "CreateGrant"
RETIRE_GRANT = "RetireGrant"
DESCRIBE_KEY = "DescribeKey"
EQUALS = "EncryptionContextEquals"
SUBSET = "EncryptionContextSubset"
MAX_CONTEXT_PAIRS = 8
MAX_CONTEXT_VALUE = 384

_ANY_KEY = (CREATE_GRANT, RETIRE_GRANT, DESCRIBE_KEY)
# "Grant operations" (KMS Developer Guide): what a grant may allow on each type of key.
_BY_USAGE: dict[tuple[bool, str], tuple[str, ...]] = {
    (True, crypto.ENCRYPT_DECRYPT): (
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
    ),
    (False, crypto.ENCRYPT_DECRYPT): ("Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"),
    (False, crypto.SIGN_VERIFY): ("Sign", "Verify", "GetPublicKey"),
    (False, crypto.GENERATE_VERIFY_MAC): ("GenerateMac", "VerifyMac"),
    (False, crypto.KEY_AGREEMENT): ("DeriveSharedSecret", "GetPublicKey"),
}


# -- checking a CreateGrant request ---------------------------------------------------------------------------


def check_operations(key: Key, operations: Sequence[str]) -> None:
    """ValidationException unless every operation is one a grant may allow on this key."""
    if not operations:
        raise errors.validation("Grants must contain at least one operation.")
    if set(operations) == {CREATE_GRANT}:
        raise errors.validation("Grants must not contain only the CreateGrant operation.")
    allowed = _ANY_KEY + _BY_USAGE.get((key.key_spec == "SYMMETRIC_DEFAULT", key.key_usage), ())
    wrong = [operation for operation in operations if operation not in allowed]
    if wrong:
        raise errors.validation(
            f"Grant operations {', '.join(wrong)} are not supported for {key.arn} "
            f"(key spec {key.key_spec}, key usage {key.key_usage})."
        )


def constraint_type(constraints: Mapping[str, Any] | None) -> str | None:
    """EncryptionContextEquals | EncryptionContextSubset | None; an empty map counts as not specified."""
    if not constraints:
        return None
    equals, subset = constraints.get(EQUALS), constraints.get(SUBSET)
    if equals and subset:
        raise errors.validation(
            "A grant constraint can specify EncryptionContextEquals or EncryptionContextSubset, not both."
        )
    return EQUALS if equals else SUBSET if subset else None


def check_constraints(key: Key, constraints: Mapping[str, Any] | None) -> None:
    kind = constraint_type(constraints)
    if kind is None:
        return
    assert constraints is not None
    if key.key_spec != "SYMMETRIC_DEFAULT":
        raise errors.validation(
            f"Encryption context grant constraints are not supported for {key.arn}: "
            f"key spec {key.key_spec} takes no encryption context."
        )
    pairs: Mapping[str, str] = constraints[kind]
    if len(pairs) > MAX_CONTEXT_PAIRS:
        raise errors.validation(f"A grant constraint can include up to {MAX_CONTEXT_PAIRS} pairs.")
    if any(len(value) > MAX_CONTEXT_VALUE for value in pairs.values()):
        raise errors.validation(
            f"An encryption context value in a grant constraint cannot exceed {MAX_CONTEXT_VALUE} characters."
        )


# -- grants as statements --------------------------------------------------------------------------------------


def grant_sid(grant: Grant) -> str:
    return f"Grant{grant.grant_id}"


def with_grants(policy: Policy, grants: Sequence[Grant]) -> Policy:
    """`policy` (a compiled key policy) followed by the statements of `grants`."""
    raw = [statement for grant in grants for statement in grant_statements(grant)]
    start = len(policy.statements)
    added = tuple(compile_statement(start + index, item, False) for index, item in enumerate(raw))
    return Policy(policy.kind, policy.version, policy.statements + added, policy.name, policy.document_id)


def grant_statements(grant: Grant) -> list[dict[str, Any]]:
    operations = [
        operation for operation in grant.operations if operation not in (CREATE_GRANT, RETIRE_GRANT)
    ]
    constrained = [operation for operation in operations if operation != DESCRIBE_KEY]
    found: list[dict[str, Any]] = []
    if constrained:
        found.append(_statement(grant, constrained, _context_conditions(grant)))
    if DESCRIBE_KEY in operations:
        found.append(_statement(grant, [DESCRIBE_KEY], {}))
    if CREATE_GRANT in grant.operations:
        found.append(_statement(grant, [CREATE_GRANT], _create_grant_conditions(grant)))
    return found


def _statement(
    grant: Grant, operations: Iterable[str], conditions: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    conditions = _merged(conditions, _source_conditions(grant))
    statement: dict[str, Any] = {
        "Sid": grant_sid(grant),
        "Effect": "Allow",
        "Principal": principal_element(grant.grantee, grant.grantee_service),
        "Action": [f"kms:{operation}" for operation in operations],
        "Resource": "*",
    }
    if conditions:
        statement["Condition"] = conditions
    return statement


def _context_conditions(grant: Grant) -> dict[str, dict[str, Any]]:
    pairs = grant.context_equals or grant.context_subset
    if not pairs:
        return {}
    conditions: dict[str, dict[str, Any]] = {
        "StringEquals": {f"kms:EncryptionContext:{name}": value for name, value in pairs.items()}
    }
    if grant.context_equals:
        conditions["ForAllValues:StringEqualsIgnoreCase"] = {"kms:EncryptionContextKeys": sorted(pairs)}
    return conditions


def _create_grant_conditions(grant: Grant) -> dict[str, dict[str, Any]]:
    conditions = _context_conditions(grant)
    conditions["ForAllValues:StringEquals"] = {"kms:GrantOperations": list(grant.operations)}
    if grant.context_equals:
        conditions["StringEquals"] = {**conditions["StringEquals"], "kms:GrantConstraintType": EQUALS}
    return conditions


def _source_conditions(grant: Grant) -> dict[str, dict[str, Any]]:
    return {"StringEquals": {"aws:SourceArn": grant.source_arn}} if grant.source_arn else {}


def _merged(first: dict[str, dict[str, Any]], second: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged = {operator: dict(keys) for operator, keys in first.items()}
    for operator, keys in second.items():
        merged.setdefault(operator, {}).update(keys)
    return merged


def principal_element(principal: str | None, service: str | None) -> dict[str, str]:
    """A grant's principal as a policy Principal: an ARN or account id, else a service principal."""
    if service:
        return {"Service": service}
    assert principal is not None
    if principal.startswith("arn:") or (len(principal) == 12 and principal.isdigit()):
        return {"AWS": principal}
    return {"Service": principal}


# -- who may retire a grant ------------------------------------------------------------------------------------


def retire_policy(key: Key, grant: Grant) -> Policy:
    sid = grant_sid(grant)
    statements: list[dict[str, Any]] = []
    if grant.retiring or grant.retiring_service:
        statements.append(_retiring(f"{sid}RetiringPrincipal", grant.retiring, grant.retiring_service))
    if RETIRE_GRANT in grant.operations:
        statements.append(_retiring(sid, grant.grantee, grant.grantee_service))
    partition = key.arn.split(":", 2)[1]
    issuer = f"arn:{partition}:iam::{grant.issuing_account}:root"
    statements.append(_retiring(f"{sid}IssuingAccount", issuer, None))
    document = {"Version": "2012-10-17", "Statement": statements}
    return compile_document(document, "resource", f"grant {grant.grant_id} of {key.arn}")


def _retiring(sid: str, principal: str | None, service: str | None) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal_element(principal, service),
        "Action": "kms:RetireGrant",
        "Resource": "*",
    }
