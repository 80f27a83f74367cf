"""KMS's errors, worded as AWS KMS words them (every KMS error is a 400 the sender caused).

Where AWS's text is known (its API reference, the key-state table of the developer guide, its recorded
answers), it is used verbatim: clients and tests match on it. Several KMS errors carry no message at all
(InvalidCiphertextException, KMSInvalidSignatureException, KMSInvalidMacException).
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall.errors import AwsError


def kms_error(code: str, message: str = "") -> AwsError:
    return AwsError(code, message, 400)


def validation(message: str) -> AwsError:
    return kms_error("ValidationException", message)


def key_not_found(key_arn: str) -> AwsError:
    return kms_error("NotFoundException", f"Key '{key_arn}' does not exist")


def alias_not_found(alias_arn: str) -> AwsError:
    return kms_error("NotFoundException", f"Alias {alias_arn} is not found.")


def invalid_key_id(value: str) -> AwsError:
    return kms_error("NotFoundException", f"Invalid keyId '{value}'")


def invalid_arn_region(region: str) -> AwsError:
    return kms_error("NotFoundException", f"Invalid arn {region}")


def invalid_arn(message: str) -> AwsError:
    return kms_error("InvalidArnException", message)


def aliases_not_supported() -> AwsError:
    return invalid_arn("Key Aliases are not supported for this operation.")


def disabled(key_arn: str) -> AwsError:
    return kms_error("DisabledException", f"{key_arn} is disabled.")


def invalid_state(message: str) -> AwsError:
    return kms_error("KMSInvalidStateException", message)


def pending_deletion(key_arn: str) -> AwsError:
    return invalid_state(f"{key_arn} is pending deletion.")


def pending_import(key_arn: str) -> AwsError:
    return invalid_state(f"{key_arn} is pending import.")


def not_pending_deletion(key_arn: str) -> AwsError:
    return invalid_state(f"{key_arn} is not pending deletion.")


def invalid_key_usage(key_arn: str, usage: str, operation: str) -> AwsError:
    return kms_error(
        "InvalidKeyUsageException", f"{key_arn} key usage is {usage} which is not valid for {operation}."
    )


def invalid_key_spec(key_arn: str, key_spec: str, operation: str) -> AwsError:
    return kms_error(
        "InvalidKeyUsageException", f"{key_arn} key spec is {key_spec} which is not valid for {operation}."
    )


def incompatible_algorithm(algorithm: str, key_spec: str) -> AwsError:
    return kms_error(
        "InvalidKeyUsageException", f"Algorithm {algorithm} is incompatible with key spec {key_spec}."
    )


def incorrect_key() -> AwsError:
    return kms_error(
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


def invalid_ciphertext() -> AwsError:
    return kms_error("InvalidCiphertextException")


def unsupported(message: str = "") -> AwsError:
    return kms_error("UnsupportedOperationException", message)


def origin_not_valid(key_arn: str, origin: str) -> AwsError:
    return unsupported(f"{key_arn} origin is {origin} which is not valid for this operation.")


def already_exists(message: str) -> AwsError:
    return kms_error("AlreadyExistsException", message)


def malformed_policy(message: str) -> AwsError:
    return kms_error("MalformedPolicyDocumentException", message)


def limit_exceeded(message: str) -> AwsError:
    return kms_error("LimitExceededException", message)


def tag_error(message: str) -> AwsError:
    return kms_error("TagException", message)


def invalid_marker() -> AwsError:
    return kms_error("InvalidMarkerException", "Invalid marker")


def dry_run() -> AwsError:
    return kms_error(
        "DryRunOperationException", "The request would have succeeded, but the DryRun option is set."
    )


def enum_problem(member: str, value: str, allowed: Sequence[str]) -> AwsError:
    """AWS's one-problem validation message for a value outside an enum (KMS checks its enums itself)."""
    return validation(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def pending_replica_deletion(key_arn: str) -> AwsError:
    return invalid_state(f"{key_arn} is pending replica deletion.")


# -- grants ----------------------------------------------------------------------------------------------------


def invalid_grant_token() -> AwsError:
    return kms_error("InvalidGrantTokenException", "Invalid grant token.")


def invalid_grant_id(grant_id: str) -> AwsError:
    return kms_error("InvalidGrantIdException", f"Invalid grant id: {grant_id}")


def grant_not_found(grant_id: str) -> AwsError:
    return kms_error("NotFoundException", f"Grant ID {grant_id} not found")


# -- imported key material -------------------------------------------------------------------------------------


def invalid_import_token() -> AwsError:
    return kms_error("InvalidImportTokenException", "Import token is invalid or belongs to a different key.")


def expired_import_token() -> AwsError:
    return kms_error("ExpiredImportTokenException", "Import token has expired.")


def incorrect_key_material(message: str) -> AwsError:
    return kms_error("IncorrectKeyMaterialException", message)


# -- request quotas --------------------------------------------------------------------------------------------


def throttled() -> AwsError:
    """What KMS answers above a request quota ("Throttling AWS KMS requests", KMS Developer Guide)."""
    return kms_error(
        "ThrottlingException",
        "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
    )
