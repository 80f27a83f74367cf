"""Real clients against KMS: the AWS CLI, the AWS Encryption SDK, and what reaches the data directory."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk import CommitmentPolicy
from aws_encryption_sdk.key_providers.kms import (
    DiscoveryAwsKmsMasterKeyProvider,
    DiscoveryFilter,
    StrictAwsKmsMasterKeyProvider,
)
from kms_helpers import account_of

from shieldwall.services.kms.material import PURPOSE, material_aad
from shieldwall.services.kms.models import Key
from shieldwall.store import codec
from shieldwall.store.sealing import Sealer
from shieldwall.testing import ServerInfo

AWS_CLI = Path(sys.executable).parent / "aws"


def aws(server: ServerInfo, *args: str) -> str:
    env = {**os.environ, **server.env(), "AWS_CONFIG_FILE": os.devnull}
    done = subprocess.run(
        [str(AWS_CLI), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_aws_cli_round_trips_a_file_through_encrypt_and_decrypt(
    shieldwall: ServerInfo, kms: Any, key_id: str, tmp_path: Path
) -> None:
    kms.create_alias(AliasName="alias/cli", TargetKeyId=key_id)
    original = tmp_path / "report.bin"
    original.write_bytes(os.urandom(3000))

    encoded = aws(
        shieldwall, "kms", "encrypt", "--key-id", "alias/cli", "--plaintext", f"fileb://{original}",
        "--encryption-context", "purpose=report", "--output", "text", "--query", "CiphertextBlob",
    )  # fmt: skip
    sealed = tmp_path / "report.enc"
    sealed.write_bytes(base64.b64decode(encoded))
    decoded = aws(
        shieldwall, "kms", "decrypt", "--ciphertext-blob", f"fileb://{sealed}",
        "--encryption-context", "purpose=report", "--output", "text", "--query", "Plaintext",
    )  # fmt: skip

    assert base64.b64decode(decoded) == original.read_bytes()


class EndpointSession(botocore.session.Session):
    """A botocore session whose clients talk to shieldwall: the Encryption SDK makes its own KMS clients."""

    def __init__(self, server: ServerInfo) -> None:
        super().__init__()
        self.endpoint = server.endpoint
        self.set_credentials(server.access_key_id, server.secret_access_key, server.session_token)
        self.set_config_variable("region", server.region)

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["endpoint_url"] = kwargs.get("endpoint_url") or self.endpoint
        return super().create_client(*args, **kwargs)


def test_the_encryption_sdk_encrypts_10_mb_and_decrypts_with_strict_and_discovery_providers(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key_arn = kms.create_key(Description="envelope")["KeyMetadata"]["Arn"]
    session = EndpointSession(shieldwall)
    sdk = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    )
    strict = StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=session)
    message = os.urandom(10 * 1024 * 1024)

    ciphertext, header = sdk.encrypt(source=message, key_provider=strict, encryption_context={"app": "test"})

    assert [key.key_provider.key_info.decode() for key in header.encrypted_data_keys] == [key_arn]
    assert sdk.decrypt(source=ciphertext, key_provider=strict)[0] == message
    discovery = DiscoveryAwsKmsMasterKeyProvider(
        botocore_session=session,
        discovery_filter=DiscoveryFilter(account_ids=[account_of(shieldwall)], partition="aws"),
    )
    plaintext, decrypted_header = sdk.decrypt(source=ciphertext, key_provider=discovery)
    assert plaintext == message
    assert decrypted_header.encryption_context["app"] == "test"


def base64_forms(secret: bytes) -> list[bytes]:
    """`secret` as it would appear inside any base64 text, whatever its offset there."""
    return [base64.b64encode(secret[start : start + 48]) for start in range(3)]


def test_neither_plaintext_nor_key_material_reaches_the_data_directory(
    shieldwall: ServerInfo, kms: Any
) -> None:
    marker = b"TOP-SECRET-" + os.urandom(16).hex().encode() + b"-" * 40
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    blob = kms.encrypt(KeyId=symmetric, Plaintext=marker)["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == marker
    data_key = kms.generate_data_key(KeyId=symmetric, NumberOfBytes=64)["Plaintext"]

    secrets = [marker, data_key, *stored_key_material(shieldwall.data_dir)]
    assert len(secrets) >= 5
    files = [path.read_bytes() for path in shieldwall.data_dir.rglob("*") if path.is_file()]
    for secret in secrets:
        for form in (secret, secret.hex().encode(), *base64_forms(secret)):
            assert not any(form in content for content in files)


def stored_key_material(data_dir: Path) -> list[bytes]:
    """Every key's material, unsealed with the root key: what must not appear anywhere else."""
    sealer = Sealer((data_dir / "root.key").read_bytes())
    with sqlite3.connect(f"file:{data_dir / 'shieldwall.db'}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT body FROM records WHERE kind = 'kms.key'").fetchall()
    found = []
    for (body,) in rows:
        key = codec.decode("kms.key", body)
        assert isinstance(key, Key)
        for material in key.materials:
            found.append(
                sealer.open_sealed(material.sealed, PURPOSE, material_aad(key.key_id, material.version))
            )
    return found


def test_the_audit_trail_names_the_key_each_call_used_and_never_its_data(
    shieldwall: ServerInfo, kms: Any
) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"audited secret", EncryptionContext={"case": "audit"})[
        "CiphertextBlob"
    ]
    kms.decrypt(CiphertextBlob=blob, EncryptionContext={"case": "audit"})

    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": key_id}]
    )["Events"]

    assert sorted(event["EventName"] for event in events) == ["Decrypt", "Encrypt"]
    for event in events:
        assert event["Resources"] == [{"ResourceType": "AWS::KMS::Key", "ResourceName": key_id}]
        record = json.loads(event["CloudTrailEvent"])
        assert record["requestParameters"]["encryptionContext"] == {"case": "audit"}
        assert "audited secret" not in event["CloudTrailEvent"]
        assert base64.b64encode(b"audited secret").decode() not in event["CloudTrailEvent"]
        # as CloudTrail records KMS's cryptographic calls: read-only, no response, the key material apart
        assert (event["ReadOnly"], record["readOnly"], record["responseElements"]) == ("true", True, None)
    records = {event["EventName"]: json.loads(event["CloudTrailEvent"]) for event in events}
    material = records["Decrypt"]["additionalEventData"]["keyMaterialId"]
    assert len(material) == 64
    assert records["Encrypt"]["additionalEventData"] == {"keyMaterialId": material}
