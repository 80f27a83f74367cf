"""Encoded authorization messages: a denial's details, sealed, for STS DecodeAuthorizationMessage.

Every enforced denial carries one in the `X-Shieldwall-Authorization-Message` response header (AWS puts it in
the error message of the services that hand one out; the services shieldwall serves do not, so the message
text stays AWS's). It is the decoded message's JSON, compressed and sealed under the data directory's root
key: it outlives restarts, and only this server (for a caller allowed sts:DecodeAuthorizationMessage) can read
it. The decoded form follows the shape AWS documents for DecodeAuthorizationMessage, with the explanation
shieldwall adds under `shieldwall`.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from shieldwall.store.sealing import Sealer, SealingError

HEADER = "X-Shieldwall-Authorization-Message"
PURPOSE = "sts.authorization-message"
_AAD = b"shieldwall authorization message v1"


class MessageError(Exception):
    """Not a message this server encoded."""


def decoded_message(
    *,
    allowed: bool,
    explicit_deny: bool,
    matched: Sequence[str],
    principal_id: str,
    principal_arn: str,
    action: str,
    resource: str,
    conditions: Mapping[str, Sequence[str]],
    reason: str,
    explanation: str,
) -> dict[str, Any]:
    return {
        "allowed": allowed,
        "explicitDeny": explicit_deny,
        "matchedStatements": {"items": [{"statementId": name} for name in matched]},
        "failures": {"items": []},
        "context": {
            "principal": {"id": principal_id, "arn": principal_arn},
            "action": action,
            "resource": resource,
            "conditions": {
                "items": [
                    {"key": key, "values": {"items": [{"value": value} for value in values]}}
                    for key, values in sorted(conditions.items())
                ]
            },
        },
        "shieldwall": {"reason": reason, "explanation": explanation},
    }


def encode(sealer: Sealer, message: Mapping[str, Any]) -> str:
    packed = zlib.compress(json.dumps(message, separators=(",", ":")).encode("utf-8"))
    return base64.urlsafe_b64encode(sealer.seal(packed, PURPOSE, _AAD)).decode("ascii").rstrip("=")


def decode(sealer: Sealer, text: str) -> str:
    """The decoded message as JSON text, or MessageError."""
    try:
        sealed = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
        packed = sealer.open_sealed(sealed, PURPOSE, _AAD)
        return zlib.decompress(packed).decode("utf-8")
    except (binascii.Error, ValueError, SealingError, zlib.error, UnicodeDecodeError):
        raise MessageError("not an authorization message of this server") from None
