"""Virtual MFA devices through boto3: real TOTP codes computed with pyotp from the seed the server returns."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import segno

from shieldwall.testing import ServerInfo

ACCOUNT = "000000000000"
AWS_CLI = Path(sys.executable).parent / "aws"


def server_time(shieldwall: ServerInfo) -> float:
    now = shieldwall.admin("clock")["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(UTC).timestamp()


def codes_at(seed: bytes, when: float, count: int = 2) -> list[str]:
    device = pyotp.TOTP(seed.decode("ascii"))
    return [device.at(when + 30 * index) for index in range(count)]


def new_device(iam: Any, name: str = "alice-phone", **extra: Any) -> dict[str, Any]:
    return iam.create_virtual_mfa_device(VirtualMFADeviceName=name, **extra)["VirtualMFADevice"]


def enable(iam: Any, shieldwall: ServerInfo, user: str, device: dict[str, Any]) -> None:
    first, second = codes_at(device["Base32StringSeed"], server_time(shieldwall))
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    )


def png_modules(png: bytes) -> list[list[bool]]:
    """The dark (True) and light pixels of a 1-bit grayscale PNG without interlacing."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", png[16:29])
    assert (depth, color, interlace) == (1, 0, 0)
    data, offset = b"", 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        if png[offset + 4 : offset + 8] == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw, stride = zlib.decompress(data), (width + 7) // 8
    rows, previous = [], bytes(stride)
    for row in range(height):
        start = row * (stride + 1)
        line = unfilter(raw[start], raw[start + 1 : start + 1 + stride], previous)
        rows.append([not (line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])
        previous = line
    return rows


def unfilter(kind: int, line: bytes, above: bytes) -> bytes:
    """Undo one PNG row filter (one byte per pixel group, as for any image under 8 bits a pixel)."""
    out = bytearray()
    for index, value in enumerate(line):
        left = out[index - 1] if index else 0
        up, corner = above[index], above[index - 1] if index else 0
        predictor = {0: 0, 1: left, 2: up, 3: (left + up) // 2, 4: paeth(left, up, corner)}[kind]
        out.append((value + predictor) & 0xFF)
    return bytes(out)


def paeth(left: int, up: int, corner: int) -> int:
    estimate = left + up - corner
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
    return (left, up, corner)[distances.index(min(distances))]


def qr_matrix_of(png: bytes) -> list[list[bool]]:
    """The QR code's modules: the pixel grid shrunk by its scale, without the quiet zone."""
    pixels = png_modules(png)
    dark_rows = [index for index, row in enumerate(pixels) if any(row)]
    dark_cols = [x for x in range(len(pixels[0])) if any(row[x] for row in pixels)]
    top, left, bottom = dark_rows[0], dark_cols[0], dark_rows[-1]
    finder = next(x for x in range(left, len(pixels[0])) if not pixels[top][x]) - left  # 7 modules wide
    scale = finder // 7
    size = (bottom - top + 1) // scale
    return [[pixels[top + r * scale][left + c * scale] for c in range(size)] for r in range(size)]


def test_created_device_gives_its_seed_and_a_qr_code_of_the_otpauth_uri(iam: Any) -> None:
    device = new_device(iam)
    assert device["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone"
    seed = device["Base32StringSeed"].decode("ascii")
    assert len(seed) == 64 and set(seed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    uri = f"otpauth://totp/alice-phone@{ACCOUNT}?secret={seed}"
    expected = [segno.make(uri, error=level, micro=False).matrix for level in "lmqh"]
    found = qr_matrix_of(device["QRCodePNG"])
    assert [[bool(cell) for cell in row] for row in found] in [
        [[bool(cell) for cell in row] for row in matrix] for matrix in expected
    ]


def test_device_with_a_path_and_tags_is_listed_unassigned_without_its_seed(iam: Any) -> None:
    device = new_device(iam, "token", Path="/division/", Tags=[{"Key": "team", "Value": "blue"}])
    assert device["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/division/token"
    assert device["Tags"] == [{"Key": "team", "Value": "blue"}]
    listed = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert listed == [{"SerialNumber": device["SerialNumber"], "Tags": [{"Key": "team", "Value": "blue"}]}]
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"] == []


def test_same_path_and_name_is_entity_already_exists(iam: Any, aws_error: Any) -> None:
    new_device(iam, "phone")
    assert aws_error(iam.create_virtual_mfa_device, VirtualMFADeviceName="PHONE") == (
        "EntityAlreadyExists",
        409,
        "MFADevice entity at the same path and name already exists.",
    )
    assert new_device(iam, "phone", Path="/other/")["SerialNumber"].endswith(":mfa/other/phone")


def test_enable_with_two_consecutive_codes_assigns_the_device(iam: Any, shieldwall: ServerInfo) -> None:
    user = iam.create_user(UserName="alice")["User"]
    device = new_device(iam)
    enable(iam, shieldwall, "alice", device)
    listed = iam.list_mfa_devices(UserName="alice")
    assert [(d["UserName"], d["SerialNumber"]) for d in listed["MFADevices"]] == [
        ("alice", device["SerialNumber"])
    ]
    assert listed["MFADevices"][0]["EnableDate"] is not None
    (assigned,) = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert assigned["User"]["UserId"] == user["UserId"] and assigned["User"]["Arn"] == user["Arn"]
    assert "Base32StringSeed" not in assigned and "QRCodePNG" not in assigned
    got = iam.get_mfa_device(SerialNumber=device["SerialNumber"], UserName="alice")
    assert (got["UserName"], got["SerialNumber"]) == ("alice", device["SerialNumber"])


def test_wrong_or_reversed_codes_are_invalid_authentication_code(
    iam: Any, shieldwall: ServerInfo, aws_error: Any
) -> None:
    iam.create_user(UserName="alice")
    device = new_device(iam)
    first, second = codes_at(device["Base32StringSeed"], server_time(shieldwall))
    for pair in ((second, first), (first, first), ("000000", "000000")):
        assert aws_error(
            iam.enable_mfa_device,
            UserName="alice",
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1=pair[0],
            AuthenticationCode2=pair[1],
        ) == ("InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []


def test_codes_that_are_not_six_digits_are_a_validation_error(iam: Any, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    device = new_device(iam)
    code, status, message = aws_error(
        iam.enable_mfa_device,
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="12a456",
        AuthenticationCode2="123456",
    )
    assert (code, status) == ("ValidationError", 400)
    assert "'authenticationCode1' failed to satisfy constraint" in message


def test_codes_follow_the_server_clock(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    device = new_device(iam)
    wall = datetime.now(UTC).timestamp()
    shieldwall.advance_clock(86_400)
    stale = codes_at(device["Base32StringSeed"], wall)
    code, status, _ = aws_error(
        iam.enable_mfa_device,
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=stale[0],
        AuthenticationCode2=stale[1],
    )
    assert (code, status) == ("InvalidAuthenticationCode", 403)
    enable(iam, shieldwall, "alice", device)
    assert len(iam.list_mfa_devices(UserName="alice")["MFADevices"]) == 1


def test_resync_accepts_a_drifted_device_once(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    device = new_device(iam)
    enable(iam, shieldwall, "alice", device)
    fast = codes_at(device["Base32StringSeed"], server_time(shieldwall) + 1_200)  # the phone runs 20 min fast
    resync = {
        "UserName": "alice",
        "SerialNumber": device["SerialNumber"],
        "AuthenticationCode1": fast[0],
        "AuthenticationCode2": fast[1],
    }
    iam.resync_mfa_device(**resync)
    assert aws_error(iam.resync_mfa_device, **resync)[:2] == ("InvalidAuthenticationCode", 403)
    far = codes_at(device["Base32StringSeed"], server_time(shieldwall) + 86_400)
    resync.update(AuthenticationCode1=far[0], AuthenticationCode2=far[1])
    assert aws_error(iam.resync_mfa_device, **resync)[:2] == ("InvalidAuthenticationCode", 403)


def test_a_device_in_use_cannot_be_enabled_again_or_deleted(
    iam: Any, shieldwall: ServerInfo, aws_error: Any
) -> None:
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    device = new_device(iam)
    enable(iam, shieldwall, "alice", device)
    first, second = codes_at(device["Base32StringSeed"], server_time(shieldwall) + 60)
    assert aws_error(
        iam.enable_mfa_device,
        UserName="bob",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    ) == ("EntityAlreadyExists", 409, "MFA Device is already in use.")
    assert aws_error(iam.delete_virtual_mfa_device, SerialNumber=device["SerialNumber"]) == (
        "DeleteConflict",
        409,
        "MFA VirtualDevice in use. Must deactivate first.",
    )


def test_deactivate_unassigns_and_delete_removes(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    device = new_device(iam)
    serial = device["SerialNumber"]
    enable(iam, shieldwall, "alice", device)
    assert aws_error(iam.deactivate_mfa_device, UserName="bob", SerialNumber=serial) == (
        "NoSuchEntity",
        404,
        "MFA Device invalid for user.",
    )
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
    assert [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]] == [serial]
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    assert aws_error(iam.delete_virtual_mfa_device, SerialNumber=serial) == (
        "NoSuchEntity",
        404,
        f"VirtualMFADevice with serial number {serial} doesn't exist.",
    )


def test_unknown_user_or_device_is_no_such_entity(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    device = new_device(iam)
    first, second = codes_at(device["Base32StringSeed"], server_time(shieldwall))
    codes = {"AuthenticationCode1": first, "AuthenticationCode2": second}
    assert aws_error(
        iam.enable_mfa_device, UserName="ghost", SerialNumber=device["SerialNumber"], **codes
    ) == ("NoSuchEntity", 404, "The user with name ghost cannot be found.")
    iam.create_user(UserName="alice")
    other = f"arn:aws:iam::{ACCOUNT}:mfa/none"
    assert aws_error(iam.enable_mfa_device, UserName="alice", SerialNumber=other, **codes)[:2] == (
        "NoSuchEntity",
        404,
    )
    assert aws_error(iam.get_mfa_device, SerialNumber="arn:aws:iam::111111111111:mfa/alice-phone")[:2] == (
        "NoSuchEntity",
        404,
    )


def test_a_user_holds_at_most_eight_devices(iam: Any, shieldwall: ServerInfo, aws_error: Any) -> None:
    iam.create_user(UserName="alice")
    for index in range(8):
        enable(iam, shieldwall, "alice", new_device(iam, f"phone{index}"))
    ninth = new_device(iam, "phone8")
    first, second = codes_at(ninth["Base32StringSeed"], server_time(shieldwall))
    assert aws_error(
        iam.enable_mfa_device,
        UserName="alice",
        SerialNumber=ninth["SerialNumber"],
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    ) == ("LimitExceeded", 409, "Cannot exceed quota for MFADevicesPerUser: 8")
    page = iam.list_mfa_devices(UserName="alice", MaxItems=5)
    assert page["IsTruncated"] and len(page["MFADevices"]) == 5
    rest = iam.list_mfa_devices(UserName="alice", Marker=page["Marker"])
    assert not rest["IsTruncated"] and len(rest["MFADevices"]) == 3


def test_a_renamed_user_keeps_its_device(iam: Any, shieldwall: ServerInfo) -> None:
    iam.create_user(UserName="alice")
    device = new_device(iam)
    enable(iam, shieldwall, "alice", device)
    iam.update_user(UserName="alice", NewUserName="alicia")
    assert [d["UserName"] for d in iam.list_mfa_devices(UserName="alicia")["MFADevices"]] == ["alicia"]
    (listed,) = iam.list_virtual_mfa_devices()["VirtualMFADevices"]
    assert listed["User"]["UserName"] == "alicia"


def test_device_tags_are_added_listed_and_removed(iam: Any, aws_error: Any) -> None:
    serial = new_device(iam)["SerialNumber"]
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "A", "Value": "3"}])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [
        {"Key": "b", "Value": "2"},
        {"Key": "A", "Value": "3"},
    ]
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["a"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = f"arn:aws:iam::{ACCOUNT}:mfa/nothing"
    assert aws_error(iam.tag_mfa_device, SerialNumber=missing, Tags=[{"Key": "a", "Value": "1"}])[:2] == (
        "NoSuchEntity",
        404,
    )


def test_unknown_assignment_status_is_a_validation_error(iam: Any, aws_error: Any) -> None:
    code, status, message = aws_error(iam.list_virtual_mfa_devices, AssignmentStatus="Sometimes")
    assert (code, status) == ("ValidationError", 400)
    assert "Member must satisfy enum value set: [Unassigned, Any, Assigned]" in message


def test_the_seed_never_reaches_the_database_in_clear(iam: Any, shieldwall: ServerInfo) -> None:
    device = new_device(iam)
    with sqlite3.connect(shieldwall.data_dir / "shieldwall.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(path.read_bytes() for path in shieldwall.data_dir.iterdir() if path.is_file())
    assert device["SerialNumber"].encode() in stored
    seed = device["Base32StringSeed"]
    for form in (seed, base64.b32decode(seed), base64.b64encode(seed)):
        assert form not in stored


def test_a_user_without_permission_cannot_create_devices(user_client: Any, aws_error: Any) -> None:
    as_alice = user_client("iam", "alice")
    code, status, message = aws_error(as_alice.create_virtual_mfa_device, VirtualMFADeviceName="mine")
    assert (code, status) == ("AccessDenied", 403)
    assert f"iam:CreateVirtualMFADevice on resource: arn:aws:iam::{ACCOUNT}:mfa/mine" in message


def test_hostile_serial_numbers_and_names_are_refused_with_aws_errors(iam: Any, aws_error: Any) -> None:
    code, status, message = aws_error(iam.get_mfa_device, SerialNumber="arn:aws:iam::0 0:mfa/x y")
    assert (code, status) == ("ValidationError", 400)
    assert "Member must satisfy regular expression pattern" in message
    for serial in ("GAHT12345678", f"arn:aws:iam::{ACCOUNT}:mfa/../../x", f"arn:aws:iam::{ACCOUNT}:user/x"):
        assert aws_error(iam.delete_virtual_mfa_device, SerialNumber=serial)[:2] == ("NoSuchEntity", 404)
    code, status, message = aws_error(iam.create_virtual_mfa_device, VirtualMFADeviceName="x" * 300)
    assert (code, status) == ("ValidationError", 400)
    assert "Member must have length less than or equal to" in message
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_the_aws_cli_writes_the_qr_code_and_the_seed_to_files(shieldwall: ServerInfo, tmp_path: Path) -> None:
    environment = {**os.environ, **shieldwall.env()}
    outputs = {}
    for method in ("QRCodePNG", "Base32StringSeed"):
        outputs[method] = tmp_path / method
        arguments = [
            "--virtual-mfa-device-name",
            f"cli-{method}",
            "--bootstrap-method",
            method,
            "--output",
            "json",
        ]
        result = subprocess.run(
            [str(AWS_CLI), "iam", "create-virtual-mfa-device", *arguments, "--outfile", str(outputs[method])],
            capture_output=True,
            text=True,
            env=environment,
        )
        assert result.returncode == 0, result.stderr
        serial = json.loads(result.stdout)["VirtualMFADevice"]["SerialNumber"]
        assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/cli-{method}"
    assert outputs["QRCodePNG"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    seed = outputs["Base32StringSeed"].read_text()
    assert len(seed) == 64 and pyotp.TOTP(seed).now().isdigit()
