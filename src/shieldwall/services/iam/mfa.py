"""Virtual MFA devices: created unassigned with a seed shown once (base32 and as a QR code) and sealed at rest,
enabled for a user with two consecutive codes, resynchronized, deactivated, deleted, tagged.

`verify_mfa_code` is what sign-in and STS (GetSessionToken, AssumeRole with SerialNumber/TokenCode) call: it
accepts the code of the current 30-second step, or of the one before or after it, shifted by the drift the device
showed when it was enabled or resynchronized, and never a code of a step at or before the last one accepted.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from shieldwall import arn
from shieldwall.errors import AwsError
from shieldwall.protocol.validate import Problem, summary
from shieldwall.services.base import Call, Params
from shieldwall.services.iam import totp
from shieldwall.services.iam.common import (
    IamBase,
    already_exists,
    check_names,
    check_paths,
    delete_conflict,
    iam_arn,
    limit_exceeded,
    merged_tags,
    no_such_entity,
    now_seconds,
    page,
    tag_list,
    tags_page,
    without_tags,
)
from shieldwall.services.iam.mfa_devices import devices_of
from shieldwall.services.iam.models import User
from shieldwall.services.iam.records import VirtualMfaDevice
from shieldwall.services.iam.users import user_not_found, user_output
from shieldwall.store.base import Reader, Scope, Transaction
from shieldwall.store.sealing import Sealer, SealingError

log = logging.getLogger("shieldwall.iam")

SEED_PURPOSE = "iam.mfa-seed"
DEVICES_PER_USER = 8
VERIFY_WINDOW = 1  # steps either side of the expected one: a code typed as it changes still counts
ENABLE_WINDOW = 10  # five minutes either side: a phone whose clock is a little off can still be enrolled
RESYNC_WINDOW = 240  # two hours either side: what resynchronization is for
SERIAL_PATTERN = r"[\w+=/:,.@-]+"
SERIAL_MAX = 256
CODE_PATTERN = r"[\d]+"
ASSIGNMENT_STATUSES = ("Unassigned", "Any", "Assigned")
_SERIAL = re.compile(SERIAL_PATTERN)
_CODE = re.compile(CODE_PATTERN)


def serial_not_found(serial: str) -> AwsError:
    return no_such_entity(f"VirtualMFADevice with serial number {serial} doesn't exist.")


def invalid_for_user() -> AwsError:
    return no_such_entity("MFA Device invalid for user.")


def invalid_code() -> AwsError:
    return AwsError("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)


def seal_seed(sealer: Sealer, serial: str, seed: str) -> bytes:
    return sealer.seal(seed.encode("ascii"), SEED_PURPOSE, serial.encode("utf-8"))


def open_seed(sealer: Sealer, device: VirtualMfaDevice) -> str | None:
    try:
        return sealer.open_sealed(device.sealed_seed, SEED_PURPOSE, device.serial.encode("utf-8")).decode()
    except SealingError:
        log.error("the seed of MFA device %s does not open under this root key", device.serial)
        return None


def device_key(serial: str, account: Scope) -> str | None:
    """The record key of a virtual MFA device serial number in `account`, or None when it names none there."""
    try:
        parsed = arn.parse(serial)
    except ValueError:
        return None
    if (parsed.partition, parsed.service, parsed.region, parsed.account) != (
        account.partition,
        "iam",
        "",
        account.account,
    ) or not parsed.resource.startswith("mfa/"):
        return None
    return parsed.resource[len("mfa") :].lower()


def verify_mfa_code(
    tx: Transaction,
    sealer: Sealer,
    account: Scope,
    serial: str,
    code: str,
    now: datetime,
    *,
    user_id: str | None = None,
) -> bool:
    """Whether `code` is a valid, unused code of the enabled device `serial` (of user `user_id` when given).

    Call it inside the transaction of the request it authenticates: an accepted code is recorded there, so the
    same code (or an older one) never passes twice.
    """
    found = _matching_step(tx, sealer, account, serial, code, now, user_id)
    if found is None:
        return False
    key, device, step = found
    device.last_step = step
    tx.put(account, key, device)
    return True


def mfa_code_valid(
    reader: Reader,
    sealer: Sealer,
    account: Scope,
    serial: str,
    code: str,
    now: datetime,
    *,
    user_id: str | None = None,
) -> bool:
    """`verify_mfa_code` without recording the code: for authorization, which must not write. The request's
    own transaction then calls `verify_mfa_code`, which records it (and refuses it if it was used since)."""
    return _matching_step(reader, sealer, account, serial, code, now, user_id) is not None


def _matching_step(
    reader: Reader,
    sealer: Sealer,
    account: Scope,
    serial: str,
    code: str,
    now: datetime,
    user_id: str | None,
) -> tuple[str, VirtualMfaDevice, int] | None:
    key = device_key(serial, account)
    if key is None:
        return None
    device = reader.get(account, VirtualMfaDevice, key)
    if device is None or device.user_id is None or (user_id is not None and device.user_id != user_id):
        return None
    seed = open_seed(sealer, device)
    if seed is None:
        return None
    center = totp.step_of(now) + device.drift
    step = totp.Device(seed).find_code(code, center, VERIFY_WINDOW, device.last_step)
    return None if step is None else (key, device, step)


def check_serials(**members: str) -> None:
    _check_pattern(members, _SERIAL, SERIAL_PATTERN)


def check_codes(**members: str) -> None:
    _check_pattern(members, _CODE, CODE_PATTERN)


def _check_pattern(members: dict[str, str], pattern: re.Pattern[str], text: str) -> None:
    problems = [
        Problem(name[:1].lower() + name[1:], value, f"Member must satisfy regular expression pattern: {text}")
        for name, value in members.items()
        if not pattern.fullmatch(value)
    ]
    if problems:
        raise AwsError("ValidationError", summary(problems), 400)


def _check_serial_length(serial: str, name: str) -> None:
    """Every other MFA operation takes the serial number, at most 256 characters: refuse a device it cannot name."""
    if len(serial) > SERIAL_MAX:
        limit = SERIAL_MAX - (len(serial) - len(name))
        constraint = f"Member must have length less than or equal to {max(limit, 1)}"
        raise AwsError("ValidationError", summary([Problem("virtualMFADeviceName", name, constraint)]), 400)


def _check_assignment_status(status: str) -> None:
    if status not in ASSIGNMENT_STATUSES:
        constraint = f"Member must satisfy enum value set: [{', '.join(ASSIGNMENT_STATUSES)}]"
        raise AwsError("ValidationError", summary([Problem("assignmentStatus", status, constraint)]), 400)


class MfaMixin(IamBase):
    sealer: Sealer

    def mfa_device(self, reader: Reader, call: Call, serial: str) -> tuple[str, VirtualMfaDevice]:
        check_serials(SerialNumber=serial)
        key = device_key(serial, call.account_scope)
        device = reader.get(call.account_scope, VirtualMfaDevice, key) if key is not None else None
        if key is None or device is None:
            raise serial_not_found(serial)
        return key, device

    def mfa_user(self, reader: Reader, call: Call, name: str | None) -> User | None:
        """The user named, or the calling IAM user; None for the root user, who has no devices here."""
        if name is None:
            if call.principal.kind != "user":
                return None
            name = call.principal.username
        check_names(UserName=name)
        return self.read_required(reader, call, User, name, user_not_found(name))

    def device_owner(self, reader: Reader, call: Call, device: VirtualMfaDevice) -> User | None:
        """The user a device is enabled for, found by id so that a renamed user keeps its devices; a device
        whose user was deleted is unassigned."""
        if device.user_id is None or device.user_key is None:
            return None
        user = reader.get(call.account_scope, User, device.user_key)
        if user is not None and user.user_id == device.user_id:
            return user
        return next(
            (u for _, u in reader.list(call.account_scope, User) if u.user_id == device.user_id), None
        )

    def create_virtual_mfa_device(self, call: Call, params: Params) -> Params:
        name, path = params["VirtualMFADeviceName"], params.get("Path") or "/"
        check_names(VirtualMFADeviceName=name)
        check_paths(Path=path)
        tags = merged_tags({}, params.get("Tags"))
        serial = iam_arn(call, "mfa", path, name)
        _check_serial_length(serial, name)
        key = f"{path}{name}".lower()
        seed = totp.new_seed()
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, VirtualMfaDevice, key) is not None:
                raise already_exists("MFADevice entity at the same path and name already exists.")
            sealed = seal_seed(self.sealer, serial, seed)
            device = VirtualMfaDevice(serial, name, path, now_seconds(call), sealed, tags)
            tx.put(call.account_scope, key, device)
        account_name = call.principal.username if call.principal.kind == "user" else call.account_id
        out: dict[str, Any] = {
            "SerialNumber": serial,
            "Base32StringSeed": seed.encode("ascii"),
            "QRCodePNG": totp.qr_png(totp.otpauth_uri(name, account_name, seed)),
        }
        if tags:
            out["Tags"] = tag_list(tags)
        return {"VirtualMFADevice": out}

    def enable_mfa_device(self, call: Call, params: Params) -> Params:
        name, serial = params["UserName"], params["SerialNumber"]
        codes = params["AuthenticationCode1"], params["AuthenticationCode2"]
        check_names(UserName=name)
        check_codes(AuthenticationCode1=codes[0], AuthenticationCode2=codes[1])
        with self.store.transaction() as tx:
            user = self.read_required(tx, call, User, name, user_not_found(name))
            key, device = self.mfa_device(tx, call, serial)
            if self.device_owner(tx, call, device) is not None:
                raise already_exists("MFA Device is already in use.")
            if len(devices_of(tx, call.account_scope, user.user_id)) >= DEVICES_PER_USER:
                raise limit_exceeded(f"Cannot exceed quota for MFADevicesPerUser: {DEVICES_PER_USER}")
            device.drift = 0
            self._accept_pair(device, codes, call.now(), ENABLE_WINDOW)
            device.user_id, device.user_key = user.user_id, user.name.lower()
            device.enable_date = now_seconds(call)
            tx.put(call.account_scope, key, device)
        return {}

    def resync_mfa_device(self, call: Call, params: Params) -> Params:
        codes = params["AuthenticationCode1"], params["AuthenticationCode2"]
        check_codes(AuthenticationCode1=codes[0], AuthenticationCode2=codes[1])
        with self.store.transaction() as tx:
            key, device = self._users_device(tx, call, params["UserName"], params["SerialNumber"])
            self._accept_pair(device, codes, call.now(), RESYNC_WINDOW)
            tx.put(call.account_scope, key, device)
        return {}

    def _accept_pair(
        self, device: VirtualMfaDevice, codes: tuple[str, str], now: datetime, radius: int
    ) -> None:
        """Learn the device's drift from two consecutive codes, or answer InvalidAuthenticationCode."""
        seed = open_seed(self.sealer, device)
        server_step = totp.step_of(now)
        found = None
        if seed is not None:
            center = server_step + device.drift
            found = totp.Device(seed).find_pair(codes[0], codes[1], center, radius, device.last_step)
        if found is None:
            raise invalid_code()
        device.last_step = found + 1
        offset = device.last_step - server_step
        device.drift = offset if abs(offset) > VERIFY_WINDOW else 0

    def _users_device(
        self, reader: Reader, call: Call, name: str | None, serial: str
    ) -> tuple[str, VirtualMfaDevice]:
        user = self.mfa_user(reader, call, name)
        key, device = self.mfa_device(reader, call, serial)
        if user is None or device.user_id != user.user_id:
            raise invalid_for_user()
        return key, device

    def deactivate_mfa_device(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            key, device = self._users_device(tx, call, params.get("UserName"), params["SerialNumber"])
            device.user_id = device.user_key = device.enable_date = None
            device.drift = 0
            tx.put(call.account_scope, key, device)
        return {}

    def delete_virtual_mfa_device(self, call: Call, params: Params) -> Params:
        with self.store.transaction() as tx:
            key, device = self.mfa_device(tx, call, params["SerialNumber"])
            if self.device_owner(tx, call, device) is not None:
                raise delete_conflict("MFA VirtualDevice in use. Must deactivate first.")
            tx.delete(call.account_scope, VirtualMfaDevice, key)
        return {}

    def get_mfa_device(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            _, device = self._users_device(reader, call, params.get("UserName"), params["SerialNumber"])
            user = self.device_owner(reader, call, device)
        out: dict[str, Any] = {"SerialNumber": device.serial, "EnableDate": device.enable_date}
        if user is not None:
            out["UserName"] = user.name
        return out

    def list_mfa_devices(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            user = self.mfa_user(reader, call, params.get("UserName"))
            if user is None:
                return {"MFADevices": [], "IsTruncated": False}
            found = devices_of(reader, call.account_scope, user.user_id)
        chosen, info = page(found, params.get("Marker"), params.get("MaxItems"))
        listed = [
            {"UserName": user.name, "SerialNumber": device.serial, "EnableDate": device.enable_date}
            for device in chosen
        ]
        return {"MFADevices": listed, **info}

    def list_virtual_mfa_devices(self, call: Call, params: Params) -> Params:
        status = params.get("AssignmentStatus") or "Any"
        _check_assignment_status(status)
        with self.store.read() as reader:
            owned = [
                (key, (device, self.device_owner(reader, call, device)))
                for key, device in reader.list(call.account_scope, VirtualMfaDevice)
            ]
        found = [
            (key, pair)
            for key, pair in owned
            if status == "Any" or (pair[1] is not None) == (status == "Assigned")
        ]
        chosen, info = page(found, params.get("Marker"), params.get("MaxItems"))
        return {"VirtualMFADevices": [_virtual_device_output(*pair) for pair in chosen], **info}

    def tag_mfa_device(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: self.mfa_device(tx, call, params["SerialNumber"]),
            lambda tags: merged_tags(tags, params["Tags"]),
        )

    def untag_mfa_device(self, call: Call, params: Params) -> Params:
        return self.retag(
            call,
            lambda tx: self.mfa_device(tx, call, params["SerialNumber"]),
            lambda tags: without_tags(tags, params["TagKeys"]),
        )

    def list_mfa_device_tags(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            _, device = self.mfa_device(reader, call, params["SerialNumber"])
        return tags_page(device.tags, params)


def _virtual_device_output(device: VirtualMfaDevice, user: User | None) -> dict[str, Any]:
    out: dict[str, Any] = {"SerialNumber": device.serial}
    if user is not None:
        out["User"] = user_output(user, with_tags=False)
        out["EnableDate"] = device.enable_date
    if device.tags:
        out["Tags"] = tag_list(device.tags)
    return out
