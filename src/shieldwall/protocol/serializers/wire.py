"""How one scalar value is written on the wire: timestamps, blobs, floats, XML text and header values.

Every function here is pure and allocation-light; the plan builders pick one per shape when an operation is
first served, so the hot path never branches on shape types.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ISO_SECONDS = "%04d-%02d-%02dT%02d:%02d:%02dZ"
_ISO_MILLIS = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Characters XML 1.0 cannot carry verbatim in text: markup, a bare CR (parsers fold it into LF) and the
# code points the XML spec forbids outright.
_XML_TEXT_UNSAFE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ATTR_UNSAFE = re.compile('[&<>"\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_XML_REPLACEMENTS = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\r": "&#13;",
    "\n": "&#10;",
    "\t": "&#9;",
}
_HEADER_UNSAFE = re.compile("[^\x20-\x7e\t]")

Text = Callable[[Any], str]


def utc(value: datetime | float) -> datetime:
    """`value` as an aware UTC datetime; naive datetimes are taken as UTC, numbers as epoch seconds."""
    if not isinstance(value, datetime):
        return datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_iso8601(value: datetime | float) -> str:
    """ISO 8601 in UTC with millisecond precision only when there is a fraction, as AWS writes it."""
    when = value if isinstance(value, datetime) and value.tzinfo is UTC else utc(value)
    millis = when.microsecond // 1000
    if millis:
        return _ISO_MILLIS % (when.year, when.month, when.day, when.hour, when.minute, when.second, millis)
    return _ISO_SECONDS % (when.year, when.month, when.day, when.hour, when.minute, when.second)


def format_rfc822(value: datetime | float) -> str:
    """The HTTP date (RFC 7231 IMF-fixdate), locale-independent."""
    when = utc(value)
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} GMT"
    )


def format_epoch(value: datetime | float) -> int | float:
    """Epoch seconds: an integer when whole, else with millisecond precision."""
    delta = utc(value) - _EPOCH
    seconds = delta.days * 86400 + delta.seconds
    millis = delta.microseconds // 1000
    return seconds + millis / 1000 if millis else seconds


def format_epoch_text(value: datetime | float) -> str:
    return repr(format_epoch(value))


TIMESTAMP_TEXT: dict[str, Text] = {
    "iso8601": format_iso8601,
    "rfc822": format_rfc822,
    "unixTimestamp": format_epoch_text,
}

TIMESTAMP_JSON: dict[str, Callable[[Any], Any]] = {
    "iso8601": format_iso8601,
    "rfc822": format_rfc822,
    "unixTimestamp": format_epoch,
}


def blob_text(value: bytes | bytearray | str) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return base64.b64encode(raw).decode("ascii")


def float_json(value: float) -> float | str:
    """JSON has no literal for NaN or the infinities; AWS sends them as strings."""
    if math.isfinite(value):
        return value
    return float_text(value)


def float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def boolean_text(value: bool) -> str:
    return "true" if value else "false"


integer_text: Text = "%d".__mod__


def _xml_replacement(match: re.Match[str]) -> str:
    return _XML_REPLACEMENTS.get(match.group(), "\ufffd")


def escape_text(value: str) -> str:
    if type(value) is not str:
        value = str(value)
    if _XML_TEXT_UNSAFE.search(value) is None:
        return value
    return _XML_TEXT_UNSAFE.sub(_xml_replacement, value)


def escape_attribute(value: str) -> str:
    if _XML_ATTR_UNSAFE.search(value) is None:
        return value
    return _XML_ATTR_UNSAFE.sub(_xml_replacement, value)


string_text: Text = escape_text


def iam_policy_text(value: str) -> str:
    """IAM returns every policy document URL-encoded (`urlencode(json)`); clients decode it.

    https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
    """
    return quote(value, safe="")


def header_text(value: str) -> str:
    """A header value that cannot split the response: anything outside printable ASCII goes out as an
    RFC 2047 encoded word, which is also how S3 returns non-ASCII user metadata."""
    if _HEADER_UNSAFE.search(value) is None:
        return value
    return "=?UTF-8?B?" + base64.b64encode(value.encode("utf-8", "surrogatepass")).decode("ascii") + "?="


def json_header_text(value: Any) -> str:
    """A `jsonvalue` header: the JSON text, base64-encoded."""
    return base64.b64encode(json.dumps(value, separators=(",", ":")).encode("utf-8")).decode("ascii")


def namespace_attribute(namespace: Any) -> str:
    """The `xmlns` attribute text for a model `xmlNamespace` trait (a dict with `uri` and maybe `prefix`)."""
    if not namespace:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{escape_attribute(namespace)}"'
    uri = escape_attribute(namespace.get("uri", ""))
    prefix = namespace.get("prefix")
    return f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"'
