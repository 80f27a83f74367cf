"""Queries over MFA devices that other IAM parts need (DeleteUser, GetAccountSummary) without the MFA operations."""

from __future__ import annotations

from shieldwall.services.iam.records import VirtualMfaDevice
from shieldwall.store.base import Reader, Scope


def devices_of(reader: Reader, account: Scope, user_id: str) -> list[tuple[str, VirtualMfaDevice]]:
    return [
        (key, device) for key, device in reader.list(account, VirtualMfaDevice) if device.user_id == user_id
    ]


def user_has_mfa_device(reader: Reader, account: Scope, user_id: str) -> bool:
    """For DeleteUser: AWS answers DeleteConflict while a user still has an MFA device enabled."""
    return bool(devices_of(reader, account, user_id))


def mfa_summary(reader: Reader, account: Scope) -> dict[str, int]:
    """GetAccountSummary's MFADevices (every virtual device) and MFADevicesInUse (those enabled for a user)."""
    devices = [device for _, device in reader.list(account, VirtualMfaDevice)]
    return {
        "MFADevices": len(devices),
        "MFADevicesInUse": sum(1 for device in devices if device.user_id is not None),
    }
