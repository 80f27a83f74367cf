"""Envelope encryption of secret values through shieldwall's KMS, as Secrets Manager does it.

Each version gets a fresh 256-bit data key. The value is encrypted with it (AES-256-GCM, the ARN and version id
as associated data); the data key is encrypted under the secret's KMS key by KMS's own code (`via_service.seal`)
with the encryption context {"SecretARN": <arn>, "SecretVersionId": <version id>}, the context AWS uses, so a
key policy can condition on it. Only the two ciphertexts are stored.

KMS's errors (a disabled key, one pending deletion, a ciphertext that does not open) are answered as Secrets
Manager answers them: DecryptionFailure when reading, EncryptionFailure when writing.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shieldwall import arn, ids
from shieldwall.audit.log import AuditLog
from shieldwall.errors import AwsError
from shieldwall.services.base import Call
from shieldwall.services.kms import via_service
from shieldwall.services.kms.models import Key
from shieldwall.services.kms.via_service import KeyChoice
from shieldwall.services.secretsmanager import errors
from shieldwall.services.secretsmanager.models import Secret, SecretValue, Version, WrappedKey
from shieldwall.store.base import Store, Transaction
from shieldwall.store.sealing import Sealer

SERVICE = "secretsmanager"
DEFAULT_ALIAS = "aws/secretsmanager"
DEFAULT_ALIAS_NAME = "alias/aws/secretsmanager"
_NONCE = 12
_DATA_KEY_BYTES = 32


def context_of(secret_arn: str, version_id: str) -> dict[str, str]:
    return {"SecretARN": secret_arn, "SecretVersionId": version_id}


def default_key_id(value: str | None) -> bool:
    """KmsKeyId values that mean the AWS managed key: none, "" (UpdateSecret), or its alias name."""
    return not value or value == DEFAULT_ALIAS_NAME


def write_choice(secret: Secret, call: Call, key_id: str | None = None) -> KeyChoice:
    """The key new values of `secret` are encrypted under. The AWS managed key of a secret in another account
    is named by its alias ARN in that account (whose key policy lets no other account use it)."""
    chosen = secret.kms_key_arn if key_id is None else (None if default_key_id(key_id) else key_id)
    if chosen is not None:
        return KeyChoice(chosen, DEFAULT_ALIAS)
    owner = arn.parse(secret.arn)
    if owner.account == call.account_id:
        return KeyChoice(None, DEFAULT_ALIAS)
    alias = arn.build("kms", owner.region, owner.account, DEFAULT_ALIAS_NAME, owner.partition)
    return KeyChoice(alias, DEFAULT_ALIAS)


def read_choice(version: Version) -> KeyChoice:
    """The key a version is read with: the newest it is encrypted under (the secret's key after a change)."""
    return KeyChoice(version.keys[-1].arn, DEFAULT_ALIAS)


# -- KMS's errors, answered as Secrets Manager answers them ------------------------------------------------------


def find_key_for_read(store: Store, call: Call, choice: KeyChoice) -> Key | None:
    try:
        return via_service.find_service_key(store, call, choice)
    except AwsError as error:
        raise errors.decryption_failure(error) from None


def find_key_for_write(store: Store, call: Call, choice: KeyChoice) -> Key | None:
    try:
        return via_service.find_service_key(store, call, choice)
    except AwsError as error:
        raise errors.encryption_failure(error) from None


def key_for_write(tx: Transaction, sealer: Sealer, call: Call, choice: KeyChoice) -> Key:
    try:
        return via_service.service_key_for_write(tx, sealer, call, choice)
    except AwsError as error:
        raise errors.encryption_failure(error) from None


def blob_key(store: Store, call: Call, blob: bytes) -> Key:
    try:
        return via_service.blob_key(store, call, blob)
    except AwsError as error:
        raise errors.decryption_failure(error) from None


# -- the cryptography --------------------------------------------------------------------------------------------


def _aad(context: Mapping[str, str]) -> bytes:
    return f"{context['SecretARN']}\x00{context['SecretVersionId']}".encode()


def seal_value(
    sealer: Sealer, key: Key, plaintext: bytes, binary: bool, context: Mapping[str, str]
) -> SecretValue:
    data_key = ids.token_bytes(_DATA_KEY_BYTES)
    try:
        wrapped = via_service.seal(sealer, key, data_key, context)
    except AwsError as error:
        raise errors.encryption_failure(error) from None
    nonce = ids.token_bytes(_NONCE)
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plaintext, _aad(context))
    return SecretValue(ciphertext, binary, [WrappedKey(key.arn, wrapped)])


def unwrap(sealer: Sealer, key: Key, wrapped: WrappedKey, context: Mapping[str, str]) -> bytes:
    try:
        return via_service.open_blob(sealer, key, wrapped.blob, context)
    except AwsError as error:
        raise errors.decryption_failure(error) from None


def open_value(data_key: bytes, value: SecretValue, context: Mapping[str, str]) -> bytes:
    nonce, body = value.ciphertext[:_NONCE], value.ciphertext[_NONCE:]
    try:
        return AESGCM(data_key).decrypt(nonce, body, _aad(context))
    except (InvalidTag, ValueError):
        raise errors.decryption_failure(AwsError("InvalidCiphertextException", "")) from None


def rewrap(sealer: Sealer, key: Key, data_key: bytes, context: Mapping[str, str]) -> WrappedKey:
    """The data key encrypted under another key too (a change of the secret's key)."""
    try:
        return WrappedKey(key.arn, via_service.seal(sealer, key, data_key, context))
    except AwsError as error:
        raise errors.encryption_failure(error) from None


def record(audit: AuditLog, call: Call, operation: str, key: Key, context: Mapping[str, str]) -> None:
    via_service.record_kms_call(audit, call, SERVICE, operation, key, context)
