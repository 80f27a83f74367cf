"""GetRandomPassword, drawn with `secrets` from AWS's character classes.

By default a password has 32 characters from upper- and lower-case letters, digits and the punctuation
!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~, and holds at least one character of every class it may use
(RequireEachIncludedType defaults to true). A class emptied by ExcludeCharacters is not required.
"""

from __future__ import annotations

import secrets
import string

from shieldwall.services.base import Call, Params
from shieldwall.services.secretsmanager import errors

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
DEFAULT_LENGTH = 32
_random = secrets.SystemRandom()


def character_classes(params: Params) -> list[str]:
    """The letters, digits and punctuation the password may use, class by class (the space is no class)."""
    excluded = set(params.get("ExcludeCharacters") or "")
    classes = [
        (string.ascii_uppercase, params.get("ExcludeUppercase")),
        (string.ascii_lowercase, params.get("ExcludeLowercase")),
        (string.digits, params.get("ExcludeNumbers")),
        (PUNCTUATION, params.get("ExcludePunctuation")),
    ]
    found = ["".join(c for c in chars if c not in excluded) for chars, exclude in classes if not exclude]
    return [chars for chars in found if chars]


def random_password(params: Params) -> str:
    length = int(params.get("PasswordLength") or DEFAULT_LENGTH)
    classes = character_classes(params)
    space = " " if params.get("IncludeSpace") and " " not in (params.get("ExcludeCharacters") or "") else ""
    if not classes and not space:
        raise errors.invalid_parameter("The password can't be generated: every character type is excluded.")
    require_each = params.get("RequireEachIncludedType") is not False
    required = classes if require_each else []
    if length < len(required):
        raise errors.invalid_parameter("Password length is too short based on the required types.")
    pool = "".join(classes) + space
    chosen = [secrets.choice(chars) for chars in required]
    chosen += [secrets.choice(pool) for _ in range(length - len(chosen))]
    _random.shuffle(chosen)
    return "".join(chosen)


class PasswordsMixin:
    def get_random_password(self, call: Call, params: Params) -> Params:
        return {"RandomPassword": random_password(params)}
