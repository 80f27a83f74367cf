"""Parameter Store's errors, worded as AWS words them where its text is known (recorded answers, the API
reference, the error shapes' own documentation). Every one is a 400 the sender caused.

A KMS failure behind a SecureString reaches the client as SSM's InvalidKeyId carrying KMS's own answer the way
SSM's Java service prints it: `<KMS message> (Service: AWSKMS; Status Code: 400; Error Code: <KMS code>;
Request ID: <KMS request id>; Proxy: null)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from shieldwall import ids
from shieldwall.errors import AwsError

NAME_RULES = (
    'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of '
    "sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following "
    "3 symbols .-_"
)
# AWS's text carries the backslashes before the quotes around aws and ssm (and not around the slash).
PATH_RULES = (
    "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward "
    'slash "/". It can\'t be prefixed with \\"aws\\" or \\"ssm\\" (case-insensitive). It must use only letters, '
    "numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not "
    'allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: '
    "/get/parameters2-/by1./path0_."
)


def ssm_error(code: str, message: str = "") -> AwsError:
    return AwsError(code, message, 400)


def validation(message: str) -> AwsError:
    return ssm_error("ValidationException", message)


def enum_problem(member: str, value: str, allowed: Sequence[str]) -> AwsError:
    return validation(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def value_too_long(limit: int) -> AwsError:
    return validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}"
    )


def invalid_name() -> AwsError:
    return validation(NAME_RULES)


def invalid_path() -> AwsError:
    return validation(PATH_RULES)


def reserved_name(name: str) -> AwsError:
    return ssm_error(
        "AccessDeniedException", f"No access to reserved parameter name: {name.removeprefix('/')}."
    )


def hierarchy_too_deep() -> AwsError:
    return ssm_error(
        "HierarchyLevelLimitExceededException",
        "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for "
        "parameter names in the Amazon Web Services Systems Manager User Guide.",
    )


def not_found(name: str | None = None) -> AwsError:
    """GetParameter and DeleteParameter answer without a message; the other operations name the parameter."""
    return ssm_error("ParameterNotFound", "" if name is None else f"Parameter {name} not found.")


def already_exists() -> AwsError:
    return ssm_error(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    )


def version_not_found(name: str, selector: str | int) -> AwsError:
    return ssm_error(
        "ParameterVersionNotFound",
        f"Systems Manager could not find version {selector} of {name}. Verify the version and try again.",
    )


def label_limit() -> AwsError:
    return ssm_error(
        "ParameterVersionLabelLimitExceeded", "A parameter version can have a maximum of ten labels."
    )


def version_limit(name: str, oldest: int) -> AwsError:
    return ssm_error(
        "ParameterMaxVersionLimitExceeded",
        f"You attempted to create a new version of {name} by calling the PutParameter API with the overwrite "
        f"flag. Version {oldest}, the oldest version, can't be deleted because it has a label associated with it. "
        "Move the label to another version of the parameter, and try again.",
    )


def limit_exceeded() -> AwsError:
    return ssm_error(
        "ParameterLimitExceeded",
        "You have exceeded the number of parameters for this AWS account. Delete one or more parameters and try "
        "again.",
    )


def type_mismatch() -> AwsError:
    return ssm_error(
        "HierarchyTypeMismatchException",
        "Parameter Store doesn't support changing a parameter type in a hierarchy. For example, you can't change "
        "a parameter from a String type to a SecureString type. You must create a new, unique parameter.",
    )


def invalid_allowed_pattern(detail: str) -> AwsError:
    return ssm_error(
        "InvalidAllowedPatternException", f"The allowed pattern isn't a valid regular expression: {detail}"
    )


def pattern_mismatch(pattern: str) -> AwsError:
    return ssm_error(
        "ParameterPatternMismatchException",
        f"Parameter value, cannot be validated against allowedPattern: {pattern}",
    )


def policies_limit() -> AwsError:
    return ssm_error(
        "PoliciesLimitExceededException",
        "You specified more than the maximum number of allowed policies for the parameter. The maximum is 10.",
    )


def invalid_policy_type(policy_type: str) -> AwsError:
    return ssm_error(
        "InvalidPolicyTypeException",
        f"The policy type {policy_type} isn't supported. Parameter Store supports the following policy types: "
        "Expiration, ExpirationNotification, and NoChangeNotification.",
    )


def invalid_policy_attribute(detail: str) -> AwsError:
    return ssm_error(
        "InvalidPolicyAttributeException", f"A policy attribute or its value is invalid: {detail}"
    )


def incompatible_policy(detail: str) -> AwsError:
    return ssm_error(
        "IncompatiblePolicyException",
        f"There is a conflict in the policies specified for this parameter: {detail}. Review your policies, and "
        "try again.",
    )


def kms_failure(error: AwsError) -> AwsError:
    """InvalidKeyId wrapping a KMS error the way AWS's SSM prints the KMS exception it caught."""
    message = error.message or "null"
    return ssm_error(
        "InvalidKeyId",
        f"{message} (Service: AWSKMS; Status Code: {error.status}; Error Code: {error.code}; "
        f"Request ID: {ids.request_id()}; Proxy: null)",
    )


def invalid_filter_key(key: str, valid: Sequence[str]) -> AwsError:
    return ssm_error(
        "InvalidFilterKey",
        f"The following filter key is not valid: {key}. Valid filter keys include: [{', '.join(valid)}].",
    )


def invalid_filter_option(option: str, valid: Sequence[str]) -> AwsError:
    return ssm_error(
        "InvalidFilterOption",
        f"The following filter option is not valid: {option}. Valid options include: [{', '.join(valid)}].",
    )


def invalid_filter_value(message: str) -> AwsError:
    return ssm_error("InvalidFilterValue", message)


def invalid_next_token() -> AwsError:
    return ssm_error("InvalidNextToken", "The specified token isn't valid.")


def invalid_resource_id() -> AwsError:
    return ssm_error("InvalidResourceId")


def too_many_tags() -> AwsError:
    return ssm_error("TooManyTagsError")
