"""Request quotas (SHIELDWALL_KMS_QUOTAS): off by default; when on, cryptographic requests above the rate are
throttled as KMS throttles them, per account and Region, with separate quotas for symmetric, RSA and ECC keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from kms_helpers import error_of

from shieldwall.config import ConfigError, from_env
from shieldwall.services.kms.quotas import QuotaSettings, parse_quotas
from shieldwall.testing import ServerInfo, ShieldwallServer

RATE = 1  # one request per second: the next one is throttled however slow the machine
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
THROTTLED = (
    "ThrottlingException",
    400,
    "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
)


@pytest.fixture(scope="module")
def limited_server() -> Iterator[ServerInfo]:
    server = ShieldwallServer(env={"SHIELDWALL_KMS_QUOTAS": str(RATE)})
    try:
        yield server.start()
    finally:
        server.cleanup()


@pytest.fixture
def limited(limited_server: ServerInfo) -> ServerInfo:
    """The server, signing as the root of a new account: quotas are per account, so each test starts full."""
    limited_server.reset()
    return limited_server.create_account("quotas")


def test_requests_above_the_quota_are_throttled_until_the_second_is_over(limited: ServerInfo) -> None:
    kms = limited.client("kms", config=NO_RETRIES)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]

    for _ in range(RATE):
        kms.encrypt(KeyId=key_id, Plaintext=b"x")

    assert error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x") == THROTTLED
    assert error_of(kms.generate_random, NumberOfBytes=8) == THROTTLED
    kms.describe_key(KeyId=key_id)  # not a cryptographic operation: no quota here
    limited.advance_clock(1)
    assert kms.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"].endswith(key_id)


def test_rsa_and_ecc_keys_have_quotas_of_their_own(limited: ServerInfo) -> None:
    kms = limited.client("kms", config=NO_RETRIES)
    symmetric = kms.create_key()["KeyMetadata"]["KeyId"]
    ecc = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    blob = kms.generate_data_key(KeyId=symmetric, KeySpec="AES_256")["CiphertextBlob"]
    for _ in range(RATE - 1):
        kms.generate_data_key(KeyId=symmetric, KeySpec="AES_256")
    assert error_of(kms.decrypt, CiphertextBlob=blob) == THROTTLED

    for _ in range(RATE):
        kms.sign(KeyId=ecc, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")

    assert error_of(kms.sign, KeyId=ecc, Message=b"m", SigningAlgorithm="ECDSA_SHA_256") == THROTTLED


def test_each_account_and_region_has_its_own_quota(limited: ServerInfo) -> None:
    kms = limited.client("kms", config=NO_RETRIES)
    # every client is made (and the other account created) first, so that spending the quota and the request
    # it throttles follow each other at once
    other_region = limited.client("kms", region_name="eu-west-1", config=NO_RETRIES)
    other_account = limited.create_account("other").client("kms", config=NO_RETRIES)

    for _ in range(RATE):
        kms.generate_random(NumberOfBytes=8)
    assert error_of(kms.generate_random, NumberOfBytes=8) == THROTTLED

    assert len(other_region.generate_random(NumberOfBytes=8)["Plaintext"]) == 8
    assert len(other_account.generate_random(NumberOfBytes=8)["Plaintext"]) == 8


def test_a_client_that_retries_gets_through_once_the_quota_refills(limited: ServerInfo) -> None:
    kms: Any = limited.client("kms", config=Config(retries={"mode": "standard", "total_max_attempts": 10}))
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]

    answers = [kms.encrypt(KeyId=key_id, Plaintext=b"x") for _ in range(RATE + 1)]

    assert sum(answer["ResponseMetadata"]["RetryAttempts"] for answer in answers) >= 1


def test_quotas_are_off_by_default(kms: Any) -> None:
    for _ in range(20):
        kms.generate_random(NumberOfBytes=1)


def test_the_quota_setting_is_off_on_or_a_rate_per_second() -> None:
    assert from_env({}).kms_quotas == "off"
    assert parse_quotas(from_env({}).kms_quotas) is None
    assert parse_quotas("on") == QuotaSettings({"symmetric": 5500, "rsa": 500, "ecc": 300})
    assert parse_quotas("7") == QuotaSettings({"symmetric": 7, "rsa": 7, "ecc": 7})
    with pytest.raises(ConfigError, match="SHIELDWALL_KMS_QUOTAS"):
        from_env({"SHIELDWALL_KMS_QUOTAS": "lots"}).checked()
