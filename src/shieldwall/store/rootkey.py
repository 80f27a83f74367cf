"""The local root key: 32 random bytes in `<data_dir>/root.key` (mode 0600) that wrap all key material.

The file is created once, atomically: the bytes go to a private temporary file (O_CREAT|O_EXCL, mode 0600)
that is fsynced and then hard-linked into place, so a reader never sees a partial key and two processes
starting together never each keep a different key (the second link fails and that process reads the winner's
file). A key file of the wrong size, or one that the group or others may read, stops the server: it is either
damaged or already exposed, and silently making a new one would orphan every key it wrapped.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from shieldwall import ids

KEY_FILE = "root.key"
KEY_SIZE = 32
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class RootKeyError(Exception):
    """The root key file cannot be used; the message says why and how to fix it."""


def load_or_create_root_key(data_dir: Path) -> bytes:
    path = Path(data_dir) / KEY_FILE
    try:
        return read_root_key(path)
    except FileNotFoundError:
        pass
    Path(data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    create_root_key(path)
    return read_root_key(path)


def read_root_key(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise RootKeyError(f"cannot read {path} ({exc.strerror}): refusing to start") from exc
    try:
        check_key_file(path, os.fstat(fd))
        data = _read_all(fd)
    finally:
        os.close(fd)
    if len(data) != KEY_SIZE:
        raise RootKeyError(f"{path} changed while it was read: refusing to start")
    return data


def check_key_file(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise RootKeyError(f"{path} is not a regular file: refusing to start")
    if info.st_mode & 0o077:
        raise RootKeyError(
            f"{path} is accessible to group or others (mode {stat.S_IMODE(info.st_mode):04o}): "
            f"refusing to start; if the key was not exposed, run `chmod 600 {path}`"
        )
    if info.st_size != KEY_SIZE:
        raise RootKeyError(
            f"{path} holds {info.st_size} bytes, not {KEY_SIZE}: refusing to start; restore the key file "
            "from a backup (a new key cannot decrypt anything the old one wrapped)"
        )


def create_root_key(path: Path) -> bool:
    """Write a new key to `path` unless one appeared meanwhile; True when this call created it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{ids.token_bytes(6).hex()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        _write_all(fd, ids.token_bytes(KEY_SIZE))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        return _publish(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _publish(temporary: Path, path: Path) -> bool:
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    _fsync_directory(path.parent)
    return True


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_all(fd: int) -> bytes:
    """At most one byte more than a key, enough to tell a grown file from a key."""
    data = b""
    while len(data) <= KEY_SIZE and (chunk := os.read(fd, KEY_SIZE + 1 - len(data))):
        data += chunk
    return data
