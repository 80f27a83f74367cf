"""Request quotas for cryptographic operations, off unless the server is started with SHIELDWALL_KMS_QUOTAS.

AWS KMS limits each account's request rate per Region ("Request quotas", KMS Developer Guide) and answers
ThrottlingException above it. The cryptographic operations share three quotas, chosen by the type of the key a
request uses: one for symmetric keys (Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext),
GenerateMac, VerifyMac and GenerateRandom, 5,500 requests per second by default), one for RSA keys (500) and one
for ECC keys (300). The setting is `off` (the default), `on` (AWS's default quotas) or a number: every quota set
to that many requests per second, low enough for a test to see throttling and exercise its retries.

Each quota is a token bucket per (account, Region, quota) that holds a second's worth of requests and refills
continuously by the server's clock, so advancing the clock (the admin endpoint) refills it too, and a clock set
back (a reset) starts it full.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from shieldwall.services.kms import errors

SYMMETRIC = "symmetric"
RSA = "rsa"
ECC = "ecc"
AWS_DEFAULTS = {SYMMETRIC: 5500, RSA: 500, ECC: 300}


@dataclass(frozen=True, slots=True)
class QuotaSettings:
    rates: dict[str, int]  # requests per second, by quota


def parse_quotas(text: str) -> QuotaSettings | None:
    """The quotas a SHIELDWALL_KMS_QUOTAS value asks for; None when off; ValueError when it is not a setting."""
    value = text.strip().lower()
    if value in ("", "off") or value.strip("0") == "":
        return None
    if value == "on":
        return QuotaSettings(dict(AWS_DEFAULTS))
    if value.isdigit():
        return QuotaSettings(dict.fromkeys(AWS_DEFAULTS, int(value)))
    raise ValueError(
        f"SHIELDWALL_KMS_QUOTAS must be off, on or a number of requests per second, not `{text}`"
    )


def quota_for(key_spec: str) -> str:
    if key_spec.startswith("RSA_"):
        return RSA
    if key_spec.startswith("ECC_"):
        return ECC
    return SYMMETRIC


class RequestQuotas:
    def __init__(self, settings: QuotaSettings) -> None:
        self._rates = settings.rates
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], tuple[float, datetime]] = {}

    def spend(self, account: str, region: str, quota: str, now: datetime) -> None:
        """Take one request from the quota, or raise ThrottlingException when none is left this second."""
        rate = self._rates[quota]
        entry = (account, region, quota)
        with self._lock:
            tokens, last = self._buckets.get(entry, (float(rate), now))
            elapsed = (now - last).total_seconds()
            tokens = min(float(rate), tokens + elapsed * rate) if elapsed >= 0 else float(rate)
            if tokens < 1.0:
                self._buckets[entry] = (tokens, now)
                raise errors.throttled()
            self._buckets[entry] = (tokens - 1.0, now)
