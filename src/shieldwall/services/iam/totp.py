"""Time-based one-time passwords (RFC 6238) as AWS's virtual MFA devices use them: SHA-1, six digits, 30-second
steps, a 40-byte seed shown as 64 base32 characters, and the otpauth:// URI its QR code carries.

Steps are whole numbers (`step_of(now)`); the functions here search a window of steps for the codes a person
typed, and never read the clock themselves: the caller passes the server's time.
"""

from __future__ import annotations

import base64
import hmac
import io
import re
import urllib.parse
from collections.abc import Iterator
from datetime import datetime

import pyotp
import segno

from shieldwall import ids

STEP_SECONDS = 30
DIGITS = 6
SEED_BYTES = 40
CODE = re.compile(r"[0-9]{6}")


def new_seed() -> str:
    return base64.b32encode(ids.token_bytes(SEED_BYTES)).decode("ascii")


def step_of(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


class Device:
    """One seed's codes, computed lazily and remembered while a search walks its window."""

    def __init__(self, seed: str) -> None:
        self._totp = pyotp.TOTP(seed, digits=DIGITS, interval=STEP_SECONDS)
        self._codes: dict[int, str] = {}

    def code_at(self, step: int) -> str:
        code = self._codes.get(step)
        if code is None:
            code = self._codes[step] = self._totp.generate_otp(step)
        return code

    def matches(self, step: int, code: str) -> bool:
        return hmac.compare_digest(self.code_at(step), code)

    def find_code(self, code: str, center: int, radius: int, after: int) -> int | None:
        """The step nearest `center`, within `radius` of it and later than `after`, whose code is `code`."""
        if not CODE.fullmatch(code):
            return None
        return next((s for s in _nearest_first(center, radius) if s > after and self.matches(s, code)), None)

    def find_pair(self, first: str, second: str, center: int, radius: int, after: int) -> int | None:
        """The step of `first` when `first` and `second` are the codes of two consecutive steps."""
        if not (CODE.fullmatch(first) and CODE.fullmatch(second)):
            return None
        for step in _nearest_first(center, radius):
            if step > after and self.matches(step, first) and self.matches(step + 1, second):
                return step
        return None


def _nearest_first(center: int, radius: int) -> Iterator[int]:
    yield center
    for distance in range(1, radius + 1):
        yield center - distance
        yield center + distance


def otpauth_uri(device_name: str, account_name: str, seed: str) -> str:
    """AWS's QR code payload: `otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String`."""
    label = urllib.parse.quote(f"{device_name}@{account_name}", safe="@")
    return f"otpauth://totp/{label}?secret={seed}"


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()
