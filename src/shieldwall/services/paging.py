"""Marker paging over records sorted by key, as IAM and KMS page: the marker is the last key served, opaque to
the client (URL-safe base64), so a page never skips or repeats a record written between two calls."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from shieldwall.errors import AwsError

T = TypeVar("T")


def encode_marker(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii")


def decode_marker(marker: str, invalid: Callable[[], AwsError]) -> str:
    """The key a marker names; `invalid()` (the service's own error) when it is not one of ours."""
    try:
        return base64.urlsafe_b64decode(marker.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid() from None


def page_after(
    keyed: Sequence[tuple[str, T]], marker: str | None, limit: int, invalid: Callable[[], AwsError]
) -> tuple[list[T], str | None]:
    """The items after `marker`, at most `limit`, and the marker of the next page (None on the last one)."""
    after = decode_marker(marker, invalid) if marker else None
    remaining = [(key, item) for key, item in keyed if after is None or key > after]
    chosen = remaining[:limit]
    following = encode_marker(chosen[-1][0]) if len(remaining) > limit else None
    return [item for _, item in chosen], following
