"""Secrets Manager's errors, worded as AWS words them where its answers are recorded or documented.

Every Secrets Manager error is a 400 (ResourceNotFoundException included). A KMS failure behind a secret's
value reaches the client as Secrets Manager's DecryptionFailure / EncryptionFailure carrying KMS's own error in
the AWS SDK for Java's format, as AWS answers it ("Secrets Manager can't decrypt the secret value: <arn> is
disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; ...)"); a denied KMS permission is
AccessDeniedException "Access to KMS is not allowed".
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall import ids
from shieldwall.errors import AwsError

MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."
_NAME_RULE = (
    "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"
)


def sm_error(code: str, message: str) -> AwsError:
    return AwsError(code, message, 400)


def invalid_parameter(message: str) -> AwsError:
    return sm_error("InvalidParameterException", message)


def invalid_request(message: str) -> AwsError:
    return sm_error("InvalidRequestException", message)


def validation(message: str) -> AwsError:
    return sm_error("ValidationException", message)


def invalid_name() -> AwsError:
    return validation(_NAME_RULE)


def not_found() -> AwsError:
    return sm_error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def stage_not_found(stage: str) -> AwsError:
    return sm_error(
        "ResourceNotFoundException",
        f"Secrets Manager can't find the specified secret value for staging label: {stage}",
    )


def version_not_found(version_id: str) -> AwsError:
    return sm_error(
        "ResourceNotFoundException",
        f"Secrets Manager can't find the specified secret value for VersionId: {version_id}",
    )


def stage_mismatch() -> AwsError:
    return invalid_request("You provided a VersionStage that is not associated to the provided VersionId.")


def marked_for_deletion() -> AwsError:
    return invalid_request(MARKED_FOR_DELETION)


def scheduled_for_deletion() -> AwsError:
    return invalid_request(
        "You can't create this secret because a secret with this name is already scheduled for deletion."
    )


def already_exists(name: str) -> AwsError:
    return sm_error(
        "ResourceExistsException", f"The operation failed because the secret {name} already exists."
    )


def token_in_use(token: str, secret_arn: str) -> AwsError:
    return sm_error(
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token} because that value is already in use for a version of "
        f"secret {secret_arn}.",
    )


def token_required() -> AwsError:
    return invalid_request("You must provide a ClientRequestToken value. We recommend a UUID-type value.")


def both_values() -> AwsError:
    return invalid_parameter(
        "You can't specify both a binary secret value and a string secret value in the same secret."
    )


def no_value() -> AwsError:
    return invalid_parameter("You must provide either SecretString or SecretBinary.")


def value_too_long(member: str) -> AwsError:
    return validation(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        "Member must have length less than or equal to 65536"
    )


def replica_operation() -> AwsError:
    return invalid_parameter(
        "Operation not permitted on a replica secret. Call must be made in primary secret's region."
    )


def kms_denied() -> AwsError:
    return sm_error("AccessDeniedException", "Access to KMS is not allowed")


def _kms_detail(error: AwsError) -> str:
    return (
        f"{error.message or 'null'} (Service: AWSKMS; Status Code: {error.status}; Error Code: {error.code}; "
        f"Request ID: {ids.request_id()}; Proxy: null)"
    )


def decryption_failure(kms_error: AwsError) -> AwsError:
    return sm_error(
        "DecryptionFailure", f"Secrets Manager can't decrypt the secret value: {_kms_detail(kms_error)}"
    )


def encryption_failure(kms_error: AwsError) -> AwsError:
    return sm_error(
        "EncryptionFailure", f"Secrets Manager can't encrypt the secret value: {_kms_detail(kms_error)}"
    )


def no_rotation_lambda() -> AwsError:
    return invalid_request("No Lambda rotation function ARN is associated with this secret.")


def cannot_invoke_lambda() -> AwsError:
    return sm_error(
        "AccessDeniedException",
        "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants "
        "access to the principal secretsmanager.amazonaws.com.",
    )


def public_policy() -> AwsError:
    return sm_error(
        "PublicPolicyException",
        "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access "
        "to the secret.",
    )


def malformed_policy(message: str) -> AwsError:
    return sm_error("MalformedPolicyDocumentException", message)


def invalid_next_token() -> AwsError:
    return sm_error("InvalidNextTokenException", "The NextToken value is invalid.")


def limit_exceeded(message: str) -> AwsError:
    return sm_error("LimitExceededException", message)


def unsupported(feature: str, operation: str) -> AwsError:
    """A part of an operation shieldwall does not serve yet: 501, never a silent success."""
    return AwsError(
        "NotImplemented",
        f"shieldwall does not implement {feature} of secretsmanager operation {operation} yet",
        501,
        sender=False,
    )


def enum_problem(path: str, value: str, allowed: Sequence[str]) -> AwsError:
    return validation(
        f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )
