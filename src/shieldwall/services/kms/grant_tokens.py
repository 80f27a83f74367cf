"""Grant tokens: what CreateGrant returns so a grantee can use a grant at once.

shieldwall is consistent at once, so a grant works the moment CreateGrant returns; a token still has to be one
KMS could have issued. It is the (key ARN, grant id) pair sealed under the root key, so RetireGrant can find the
grant from the token alone and any token shieldwall did not mint is InvalidGrantTokenException. Each CreateGrant
mints a fresh token (random nonce), as AWS's are unique per request; all tokens of a grant are interchangeable.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import orjson

from shieldwall.services.kms import errors
from shieldwall.store.sealing import Sealer, SealingError

PURPOSE = "kms.grant-token"
_AAD = b"kms grant token v1"


def mint_token(sealer: Sealer, key_arn: str, grant_id: str) -> str:
    body = orjson.dumps({"k": key_arn, "g": grant_id})
    return base64.b64encode(sealer.seal(body, PURPOSE, _AAD)).decode("ascii")


def read_token(sealer: Sealer, token: str) -> tuple[str, str]:
    """(key ARN, grant id) of a token shieldwall minted, else InvalidGrantTokenException."""
    try:
        body = orjson.loads(sealer.open_sealed(base64.b64decode(token, validate=True), PURPOSE, _AAD))
        return str(body["k"]), str(body["g"])
    except (binascii.Error, ValueError, SealingError, KeyError, TypeError):
        raise errors.invalid_grant_token() from None


def check_tokens(sealer: Sealer, tokens: Sequence[str]) -> None:
    for token in tokens:
        read_token(sealer, token)
