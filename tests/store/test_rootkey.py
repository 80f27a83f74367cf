from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from shieldwall.store.rootkey import KEY_SIZE, RootKeyError, load_or_create_root_key


def test_new_root_key_is_32_bytes_in_a_private_file(tmp_path: Path) -> None:
    key = load_or_create_root_key(tmp_path)
    path = tmp_path / "root.key"
    assert len(key) == KEY_SIZE
    assert path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_root_key_is_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        load_or_create_root_key(tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "root.key").stat().st_mode) == 0o600


def test_root_key_is_reread_on_later_starts(tmp_path: Path) -> None:
    first = load_or_create_root_key(tmp_path)
    assert load_or_create_root_key(tmp_path) == first


def test_data_directory_is_created_when_missing(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    key = load_or_create_root_key(data_dir)
    assert (data_dir / "root.key").read_bytes() == key


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    load_or_create_root_key(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["root.key"]


def test_two_keys_are_different(tmp_path: Path) -> None:
    assert load_or_create_root_key(tmp_path / "a") != load_or_create_root_key(tmp_path / "b")


def test_concurrent_first_starts_agree_on_one_key(tmp_path: Path) -> None:
    keys: list[bytes] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        keys.append(load_or_create_root_key(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert (tmp_path / "root.key").read_bytes() == keys[0]


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_key_readable_by_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    load_or_create_root_key(tmp_path)
    (tmp_path / "root.key").chmod(mode)
    with pytest.raises(RootKeyError, match=r"accessible to group or others.*chmod 600"):
        load_or_create_root_key(tmp_path)


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_key_of_the_wrong_size_is_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "root.key"
    path.write_bytes(b"k" * size)
    path.chmod(0o600)
    with pytest.raises(RootKeyError, match=f"holds {size} bytes, not 32"):
        load_or_create_root_key(tmp_path)
    assert path.read_bytes() == b"k" * size


def test_key_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "root.key").mkdir(mode=0o700)
    with pytest.raises(RootKeyError):
        load_or_create_root_key(tmp_path)


def test_key_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.key"
    real.write_bytes(b"k" * KEY_SIZE)
    real.chmod(0o600)
    (tmp_path / "root.key").symlink_to(real)
    with pytest.raises(RootKeyError, match="refusing to start"):
        load_or_create_root_key(tmp_path)
