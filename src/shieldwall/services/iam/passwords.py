"""Console passwords: the account password policy, and hashing with scrypt (never stored in clear)."""

from __future__ import annotations

import hmac
import re

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from shieldwall import ids
from shieldwall.errors import AwsError
from shieldwall.services.iam.models import PasswordPolicy

SALT_SIZE = 16
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
# The symbols AWS's password policy counts: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '
_SYMBOL = re.compile(r"[!@#$%^&*()_+\-=\[\]{}|']")
_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")
DEFAULT_MINIMUM_LENGTH = 8


def hash_password(password: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    salt = salt if salt is not None else ids.token_bytes(SALT_SIZE)
    kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
    return salt, kdf.derive(password.encode("utf-8"))


def password_matches(password: str, salt: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(hash_password(password, salt)[1], expected)


def violation(message: str) -> AwsError:
    return AwsError("PasswordPolicyViolation", message, 400)


def check_password(password: str, policy: PasswordPolicy | None) -> None:
    """PasswordPolicyViolation unless `password` satisfies the account's policy (or AWS's default one)."""
    if policy is None:
        check_default_policy(password)
        return
    if len(password) < policy.minimum_length:
        raise violation(f"Password should have a minimum length of {policy.minimum_length}")
    rules = (
        (policy.require_lowercase, _LOWER, "at least one lowercase letter"),
        (policy.require_uppercase, _UPPER, "at least one uppercase letter"),
        (policy.require_numbers, _DIGIT, "at least one number"),
        (policy.require_symbols, _SYMBOL, "at least one symbol"),
    )
    for required, pattern, wording in rules:
        if required and not pattern.search(password):
            raise violation(f"Password should have {wording}")


def check_default_policy(password: str) -> None:
    """AWS's default policy: 8 characters and three of the four character types."""
    if len(password) < DEFAULT_MINIMUM_LENGTH:
        raise violation(f"Password should have a minimum length of {DEFAULT_MINIMUM_LENGTH}")
    kinds = sum(1 for pattern in (_LOWER, _UPPER, _DIGIT, _SYMBOL) if pattern.search(password))
    if kinds < 3:
        raise violation(
            "Password should include a minimum of three of the following mix of character types: "
            "uppercase, lowercase, numbers and symbols"
        )


def policy_output(policy: PasswordPolicy) -> dict[str, object]:
    out: dict[str, object] = {
        "MinimumPasswordLength": policy.minimum_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase,
        "RequireLowercaseCharacters": policy.require_lowercase,
        "AllowUsersToChangePassword": policy.allow_users_to_change,
        "ExpirePasswords": policy.max_age is not None,
    }
    if policy.max_age is not None:
        out["MaxPasswordAge"] = policy.max_age
    if policy.reuse_prevention is not None:
        out["PasswordReusePrevention"] = policy.reuse_prevention
    if policy.max_age is not None:
        out["HardExpiry"] = policy.hard_expiry
    return out


def policy_from(params: dict[str, object]) -> PasswordPolicy:
    """UpdateAccountPasswordPolicy replaces the whole policy: omitted members take AWS's defaults."""
    minimum = params.get("MinimumPasswordLength")
    max_age = params.get("MaxPasswordAge")
    reuse = params.get("PasswordReusePrevention")
    return PasswordPolicy(
        minimum_length=minimum if isinstance(minimum, int) else 6,
        require_symbols=params.get("RequireSymbols") is True,
        require_numbers=params.get("RequireNumbers") is True,
        require_uppercase=params.get("RequireUppercaseCharacters") is True,
        require_lowercase=params.get("RequireLowercaseCharacters") is True,
        allow_users_to_change=params.get("AllowUsersToChangePassword") is True,
        max_age=max_age if isinstance(max_age, int) and max_age > 0 else None,
        reuse_prevention=reuse if isinstance(reuse, int) else None,
        hard_expiry=params.get("HardExpiry") is True,
    )
