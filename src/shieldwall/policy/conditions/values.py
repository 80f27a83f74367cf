"""Typed readings of condition values: numbers, dates, IP networks, booleans, base64 binary.

Each `parse_*` raises ValueError for text it cannot read. The same functions read policy values (once, at
compile time) and request-context values (per request, memoised: context values such as `aws:CurrentTime` or
`aws:SourceIp` repeat across requests and hold nothing that depends on the policy).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

MAX_TYPED_LENGTH = 256
"""Longer text is never a number, date, address or boolean; refusing it early bounds the parsing cost."""

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,6})?")
_EPOCH = re.compile(r"[+-]?\d{1,15}(?:\.\d{1,9})?")
# W3C profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime), the forms AWS documents for Date operators,
# with the time zone optional (UTC when absent) and `T`/`Z` accepted in either case.
_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[Tt](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?)?)?)?"
)
_EPOCH_START = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def parse_number(text: str) -> Decimal:
    """Integers and decimals, optionally signed, with an exponent (`1e3`); `01` reads as 1."""
    if len(text) > MAX_TYPED_LENGTH or not _NUMBER.fullmatch(text):
        raise ValueError(f"`{text[:64]}` is not a number")
    return Decimal(text)


def parse_date(text: str) -> int:
    """Microseconds since the epoch, from W3C ISO 8601 or from epoch seconds (all-digit text is epoch)."""
    if len(text) > MAX_TYPED_LENGTH:
        raise ValueError("date text is too long")
    if _EPOCH.fullmatch(text):
        return int(Decimal(text) * 1_000_000)
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"`{text[:64]}` is not an ISO 8601 date or epoch seconds")
    return _microseconds(match)


def _microseconds(match: re.Match[str]) -> int:
    part = match.groupdict()
    fraction = (part["fraction"] or "0")[:6].ljust(6, "0")
    try:
        moment = datetime(
            int(part["year"]),
            int(part["month"] or 1),
            int(part["day"] or 1),
            int(part["hour"] or 0),
            int(part["minute"] or 0),
            int(part["second"] or 0),
            int(fraction),
            tzinfo=UTC,
        )
    except ValueError as exc:
        raise ValueError(f"`{match.string[:64]}` is not a valid date: {exc}") from None
    return (moment - _EPOCH_START) // _MICROSECOND - _zone_offset(part["zone"])


def _zone_offset(zone: str | None) -> int:
    if zone is None or zone in ("Z", "z"):
        return 0
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"`{zone}` is not a time zone offset")
    offset = (hours * 60 + minutes) * 60_000_000
    return offset if zone[0] == "+" else -offset


@dataclass(frozen=True, slots=True)
class Network:
    version: int
    network: int
    mask: int

    def contains(self, address: tuple[int, int]) -> bool:
        return address[0] == self.version and address[1] & self.mask == self.network


def parse_network(text: str) -> Network:
    """A CIDR block; a bare address means /32 (IPv4) or /128 (IPv6); host bits are ignored, as IAM does."""
    if len(text) > MAX_TYPED_LENGTH:
        raise ValueError("address text is too long")
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise ValueError(f"`{text[:64]}` is not an IP address or CIDR block") from None
    return Network(network.version, int(network.network_address), int(network.netmask))


def parse_address(text: str) -> tuple[int, int]:
    if len(text) > MAX_TYPED_LENGTH:
        raise ValueError("address text is too long")
    return _parse_address(text)


@lru_cache(maxsize=4096)
def _parse_address(text: str) -> tuple[int, int]:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError(f"`{text[:64]}` is not an IP address") from None
    return address.version, int(address)


def parse_context_date(text: str) -> int:
    if len(text) > MAX_TYPED_LENGTH:
        raise ValueError("date text is too long")
    return _parse_context_date(text)


@lru_cache(maxsize=4096)
def _parse_context_date(text: str) -> int:
    return parse_date(text)


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"`{text[:64]}` is not `true` or `false`")


def parse_binary(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"`{text[:64]}` is not base64") from None
