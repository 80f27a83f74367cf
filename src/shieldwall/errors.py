"""Errors every service can raise.

`AwsError` carries what a client observes: the error code, the message, the HTTP status, whether the fault is the
sender's, and any extra members of the error shape. The protocol serializer renders it in the wire format of the
service that was called, so the same error reads as `__type` in JSON and `<Error><Code>` in XML.
"""

from __future__ import annotations

from typing import Any


class AwsError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        sender: bool = True,
        fields: dict[str, Any] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender
        self.fields = fields or {}
        self.headers = headers or []

    def __repr__(self) -> str:
        return f"AwsError({self.code!r}, {self.message!r}, {self.status})"


def access_denied(message: str, code: str = "AccessDenied") -> AwsError:
    return AwsError(code, message, 403)


def not_implemented(service: str, operation: str) -> AwsError:
    return AwsError(
        "NotImplemented",
        f"shieldwall does not implement {service} operation {operation} yet",
        501,
        sender=False,
    )


def internal_error() -> AwsError:
    return AwsError(
        "InternalFailure", "We encountered an internal error. Please try again.", 500, sender=False
    )


def malformed(message: str, code: str = "MalformedInput") -> AwsError:
    return AwsError(code, message, 400)
