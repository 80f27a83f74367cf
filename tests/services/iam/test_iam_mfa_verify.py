"""`verify_mfa_code`, the check STS and sign-in make: the provider's own records, a clock the test sets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from shieldwall import ids
from shieldwall.audit.log import AuditLog
from shieldwall.auth.principal import Principal
from shieldwall.clock import Clock
from shieldwall.services.base import Call
from shieldwall.services.iam.mfa import verify_mfa_code
from shieldwall.services.iam.mfa_devices import mfa_summary, user_has_mfa_device
from shieldwall.services.iam.provider import IamProvider
from shieldwall.store.sealing import Sealer
from shieldwall.store.sqlite import SqliteStore

ACCOUNT = "000000000000"
START = datetime(2030, 1, 1, 12, 0, 10, tzinfo=UTC)  # ten seconds into a 30-second step


class Harness:
    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.sealer = Sealer(ids.token_bytes(32))
        self.audit = AuditLog(store)
        self.provider = IamProvider(store, self.sealer, self.audit)
        self.clock = Clock()
        self.clock.set(START)
        root = Principal("root", ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT)
        self.call = Call("r", "iam", "Test", root, "aws", ACCOUNT, "us-east-1", self.clock)

    def run(self, operation: str, **params: Any) -> Any:
        return getattr(self.provider, operation)(self.call, params)

    def code(self, seed: bytes, offset: float = 0.0) -> str:
        return pyotp.TOTP(seed.decode()).at(self.clock.now().timestamp() + offset)

    def verify(self, serial: str, code: str, user_id: str | None = None) -> bool:
        with self.store.transaction() as tx:
            return verify_mfa_code(
                tx, self.sealer, self.call.account_scope, serial, code, self.clock.now(), user_id=user_id
            )


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    store = SqliteStore(tmp_path)
    made = Harness(store)
    try:
        yield made
    finally:
        made.audit.close()
        store.close()


def enabled_device(harness: Harness, offset: float = 0.0) -> tuple[str, bytes, str]:
    """(serial, seed, user id) of a device enabled for alice with codes from a device `offset` seconds off."""
    user_id = harness.run("create_user", UserName="alice")["User"]["UserId"]
    device = harness.run("create_virtual_mfa_device", VirtualMFADeviceName="phone")["VirtualMFADevice"]
    seed, serial = device["Base32StringSeed"], device["SerialNumber"]
    harness.run(
        "enable_mfa_device",
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1=harness.code(seed, offset - 30),
        AuthenticationCode2=harness.code(seed, offset),
    )
    return serial, seed, user_id


def test_the_current_code_is_accepted_once(harness: Harness) -> None:
    serial, seed, user_id = enabled_device(harness)
    harness.clock.advance(30)
    code = harness.code(seed)
    assert harness.verify(serial, code, user_id)
    assert not harness.verify(serial, code, user_id)


def test_the_code_used_to_enable_is_not_accepted_again(harness: Harness) -> None:
    serial, seed, _ = enabled_device(harness)
    assert not harness.verify(serial, harness.code(seed))
    assert not harness.verify(serial, harness.code(seed, -30))


def test_a_code_one_step_off_is_accepted_two_steps_off_is_not(harness: Harness) -> None:
    serial, seed, _ = enabled_device(harness)
    harness.clock.advance(300)
    assert not harness.verify(serial, harness.code(seed, -60))
    assert not harness.verify(serial, harness.code(seed, 60))
    assert harness.verify(serial, harness.code(seed, -30))
    assert harness.verify(serial, harness.code(seed, 30))
    assert not harness.verify(serial, harness.code(seed)), "an older step after a newer one is a replay"


def test_codes_expire_as_the_server_clock_moves(harness: Harness) -> None:
    serial, seed, _ = enabled_device(harness)
    harness.clock.advance(60)
    stale = harness.code(seed)
    harness.clock.advance(timedelta(minutes=5).total_seconds())
    assert not harness.verify(serial, stale)
    assert harness.verify(serial, harness.code(seed))


def test_a_resynchronized_device_is_verified_with_its_drift(harness: Harness) -> None:
    serial, seed, _ = enabled_device(harness)
    drift = 1_800.0  # the phone runs half an hour fast
    harness.clock.advance(60)
    assert not harness.verify(serial, harness.code(seed, drift))
    harness.run(
        "resync_mfa_device",
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1=harness.code(seed, drift - 30),
        AuthenticationCode2=harness.code(seed, drift),
    )
    harness.clock.advance(60)
    assert harness.verify(serial, harness.code(seed, drift))
    assert not harness.verify(serial, harness.code(seed)), "the server's own time is now half an hour off"


def test_a_device_enabled_while_drifting_keeps_its_drift(harness: Harness) -> None:
    serial, seed, _ = enabled_device(harness, offset=180.0)
    harness.clock.advance(60)
    assert harness.verify(serial, harness.code(seed, 180.0))


def test_only_the_owner_enabled_device_and_six_digits_pass(harness: Harness) -> None:
    serial, seed, user_id = enabled_device(harness)
    harness.clock.advance(60)
    assert not harness.verify(serial, harness.code(seed), user_id="AIDAOTHERUSER0000000")
    assert not harness.verify(serial, "12345a")
    assert not harness.verify("arn:aws:iam::111111111111:mfa/phone", harness.code(seed))
    assert not harness.verify("not-an-arn", harness.code(seed))
    assert harness.verify(serial, harness.code(seed), user_id=user_id)
    harness.run("deactivate_mfa_device", UserName="alice", SerialNumber=serial)
    harness.clock.advance(30)
    assert not harness.verify(serial, harness.code(seed))


def test_a_seed_sealed_under_another_root_key_never_verifies(harness: Harness) -> None:
    serial, seed, _ = enabled_device(harness)
    harness.clock.advance(60)
    harness.sealer = Sealer(ids.token_bytes(32))
    assert not harness.verify(serial, harness.code(seed))


def test_summary_and_user_helpers_count_enabled_devices(harness: Harness) -> None:
    _, _, user_id = enabled_device(harness)
    harness.run("create_virtual_mfa_device", VirtualMFADeviceName="spare")
    with harness.store.read() as reader:
        assert mfa_summary(reader, harness.call.account_scope) == {"MFADevices": 2, "MFADevicesInUse": 1}
        assert user_has_mfa_device(reader, harness.call.account_scope, user_id)
        assert not user_has_mfa_device(reader, harness.call.account_scope, "AIDAOTHERUSER0000000")
