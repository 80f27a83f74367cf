"""`python -m bench kms`: KMS Encrypt, Decrypt and GenerateDataKey, shieldwall beside moto's server.

shieldwall runs with its default key policy enforced and the audit trail on. Beside the runs, what
`cryptography` alone spends on the same AES-GCM work in this process, so the share of a request that is
cryptography is visible.
"""

from __future__ import annotations

import base64
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bench.json_ops import Operation, Scenario
from bench.json_ops import main as run_scenario

RESULTS = Path(__file__).resolve().parent / "results" / "kms.md"
PLAINTEXT = b"x" * 64
CONTEXT = {"purpose": "bench"}


def setup(make: Callable[[str], Any]) -> list[Operation]:
    kms = make("kms")
    key_id = kms.create_key(Description="bench")["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT)["CiphertextBlob"]
    plain = base64.b64encode(PLAINTEXT).decode()
    return [
        Operation(
            "Encrypt",
            "kms",
            "TrentService.Encrypt",
            {"KeyId": key_id, "Plaintext": plain, "EncryptionContext": CONTEXT},
            lambda c: c.encrypt(KeyId=key_id, Plaintext=PLAINTEXT, EncryptionContext=CONTEXT),
        ),
        Operation(
            "Decrypt",
            "kms",
            "TrentService.Decrypt",
            {"CiphertextBlob": base64.b64encode(blob).decode(), "EncryptionContext": CONTEXT},
            lambda c: c.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT),
        ),
        Operation(
            "GenerateDataKey",
            "kms",
            "TrentService.GenerateDataKey",
            {"KeyId": key_id, "KeySpec": "AES_256", "EncryptionContext": CONTEXT},
            lambda c: c.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CONTEXT),
        ),
    ]


def crypto_cost(rounds: int = 20_000) -> dict[str, float]:
    """µs per AES-GCM operation of the same size in this process: the floor under any KMS implementation."""
    cipher = AESGCM(AESGCM.generate_key(256))
    aad = json.dumps(CONTEXT).encode()
    nonce = b"\x00" * 12
    sealed = cipher.encrypt(nonce, PLAINTEXT, aad)

    def timed(action: Callable[[], object]) -> float:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(rounds // 5):
                action()
            samples.append((time.perf_counter() - started) * 1e6 / (rounds // 5))
        return statistics.median(samples)

    return {
        "Encrypt": timed(lambda: cipher.encrypt(nonce, PLAINTEXT, aad)),
        "Decrypt": timed(lambda: cipher.decrypt(nonce, sealed, aad)),
        "GenerateDataKey": timed(lambda: cipher.encrypt(nonce, AESGCM.generate_key(256), aad)),
    }


SCENARIO = Scenario(
    "KMS benchmark",
    "64-byte plaintext, one encryption-context pair; shieldwall with key-policy enforcement and the audit "
    "trail on.",
    setup,
    crypto_cost,
)


def main(argv: list[str] | None = None) -> int:
    return run_scenario(SCENARIO, RESULTS, argv)
