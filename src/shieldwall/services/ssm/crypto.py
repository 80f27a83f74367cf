"""SecureString values encrypted for real through shieldwall's KMS, with the encryption context AWS uses:
{"PARAMETER_ARN": <the parameter's ARN>}.

A standard parameter is encrypted with KMS Encrypt; an advanced one, in AWS, with a data key from GenerateDataKey
(envelope encryption). Here both keep one KMS ciphertext blob (KMS wraps the value itself, up to 8 KB), but each
asks for the permission and records the KMS event AWS's way: kms:Encrypt / Encrypt for standard parameters,
kms:GenerateDataKey / GenerateDataKey for advanced ones. Reading needs kms:Decrypt either way.
KMS failures become SSM's InvalidKeyId with KMS's answer inside (`errors.kms_failure`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shieldwall.errors import AwsError
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import Call
from shieldwall.services.kms import via_service
from shieldwall.services.kms.models import Key
from shieldwall.services.kms.via_service import KeyChoice
from shieldwall.services.ssm import errors
from shieldwall.services.ssm.models import ADVANCED
from shieldwall.store.base import Store, Transaction
from shieldwall.store.sealing import Sealer

SERVICE = "ssm"
MANAGED = "aws/ssm"
DEFAULT_KEY_ID = "alias/aws/ssm"
CONTEXT_KEY = "PARAMETER_ARN"


def context_of(arn: str) -> dict[str, str]:
    return {CONTEXT_KEY: arn}


def key_choice(key_id: str | None) -> KeyChoice:
    """The key a request names; its own AWS managed key when it names none or names alias/aws/ssm."""
    if not key_id or key_id.split(":")[-1] == DEFAULT_KEY_ID:
        return KeyChoice(None, MANAGED)
    return KeyChoice(key_id, MANAGED)


def write_action(tier: str) -> tuple[str, str]:
    """(IAM action, KMS event name) of encrypting a value of this tier."""
    return ("kms:GenerateDataKey", "GenerateDataKey") if tier == ADVANCED else ("kms:Encrypt", "Encrypt")


@contextmanager
def kms_answers() -> Iterator[None]:
    """KMS's client errors (a missing, disabled or pending-deletion key, a bad blob) as SSM's InvalidKeyId."""
    try:
        yield
    except AwsError as error:
        if error.status >= 500 or error.code == "InvalidKeyId":
            raise
        raise errors.kms_failure(error) from None


# -- authorization ---------------------------------------------------------------------------------------------


def encrypt_request(store: Store, call: Call, choice: KeyChoice, arn: str, tier: str) -> ActionRequest:
    with kms_answers():
        key = via_service.find_service_key(store, call, choice)
    action = write_action(tier)[0]
    return via_service.kms_request(store, call, SERVICE, action, key, choice, context_of(arn))


def decrypt_request(store: Store, call: Call, blob: bytes, arn: str) -> ActionRequest:
    with kms_answers():
        key = via_service.blob_key(store, call, blob)
    choice = KeyChoice(None, MANAGED)
    return via_service.kms_request(store, call, SERVICE, "kms:Decrypt", key, choice, context_of(arn))


# -- cryptography ----------------------------------------------------------------------------------------------


def seal_value(
    tx: Transaction, sealer: Sealer, call: Call, choice: KeyChoice, arn: str, value: str
) -> tuple[bytes, Key]:
    with kms_answers():
        key = via_service.service_key_for_write(tx, sealer, call, choice)
        return via_service.seal(sealer, key, value.encode("utf-8"), context_of(arn)), key


def open_value(store: Store, sealer: Sealer, call: Call, blob: bytes, arn: str) -> tuple[str, Key]:
    with kms_answers():
        key = via_service.blob_key(store, call, blob)
        plaintext = via_service.open_blob(sealer, key, blob, context_of(arn))
    return plaintext.decode("utf-8"), key
