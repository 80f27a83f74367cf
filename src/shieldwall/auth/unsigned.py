"""The operations AWS serves without a signature, in one table.

Everything not listed here must be SigV4-signed. The test suite checks this table against the botocore models'
`noAuth` markers, so a model update that adds an unsigned operation is a reviewed change here, never a silent
opening. S3 is separate: an unsigned S3 request is an anonymous caller, judged by bucket policies.
"""

from __future__ import annotations

UNSIGNED_OPERATIONS: frozenset[tuple[str, str]] = frozenset(
    [("sts", "AssumeRoleWithSAML"), ("sts", "AssumeRoleWithWebIdentity")]
    + [
        ("cognito-idp", name)
        for name in (
            "AssociateSoftwareToken",
            "ChangePassword",
            "CompleteWebAuthnRegistration",
            "ConfirmDevice",
            "ConfirmForgotPassword",
            "ConfirmSignUp",
            "DeleteUser",
            "DeleteUserAttributes",
            "DeleteWebAuthnCredential",
            "ForgetDevice",
            "ForgotPassword",
            "GetDevice",
            "GetTokensFromRefreshToken",
            "GetUser",
            "GetUserAttributeVerificationCode",
            "GetUserAuthFactors",
            "GlobalSignOut",
            "InitiateAuth",
            "ListDevices",
            "ListUserSessions",
            "ListWebAuthnCredentials",
            "ResendConfirmationCode",
            "RespondToAuthChallenge",
            "RevokeToken",
            "RevokeUserSession",
            "SetUserMFAPreference",
            "SetUserSettings",
            "SignUp",
            "StartWebAuthnRegistration",
            "UpdateAuthEventFeedback",
            "UpdateDeviceStatus",
            "UpdateUserAttributes",
            "VerifySoftwareToken",
            "VerifyUserAttribute",
        )
    ]
    + [
        ("cognito-identity", name)
        for name in ("GetCredentialsForIdentity", "GetId", "GetOpenIdToken", "UnlinkIdentity")
    ]
)

# Services whose unsigned requests proceed as the anonymous principal, to be judged by resource policies.
ANONYMOUS_SERVICES: frozenset[str] = frozenset({"s3"})


def is_unsigned_operation(service: str, operation: str) -> bool:
    return (service, operation) in UNSIGNED_OPERATIONS


def allows_anonymous(service: str) -> bool:
    return service in ANONYMOUS_SERVICES
