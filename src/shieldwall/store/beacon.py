"""A counter every process serving one data directory can read for the cost of a memory load.

`shieldwall serve --workers N` runs N processes on one database, and each keeps caches derived from the records.
Each must notice the others' writes before its next request reads those caches. Reading a number from SQLite
once per request costs a read transaction, which under two busy workers took 5% of a request's CPU. So the
number lives in an 8-byte file, `<data_dir>/shieldwall.generation`, mapped into memory by every process's store:

- A store that committed a write adds one to it (`bump`), after the commit and before the request's answer
  leaves, under an exclusive lock on the file, so no two writers' increments are lost. It only grows, so a
  value, once seen, never comes back: a reader that sees the value it saw last has missed no write.
- Every request reads it (`read`) and compares it with the value its caches were built on.

A write is visible to another process from the first request that starts after the writer answered. Where the
platform has no `fcntl` (Windows, where `--workers` does not run) the lock is a thread lock: one process.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import threading
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

FILE_NAME = "shieldwall.generation"
_SIZE = 8


class Beacon:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._lock = threading.Lock()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            with self._exclusive(fd):
                if os.fstat(fd).st_size < _SIZE:
                    os.ftruncate(fd, _SIZE)  # zero-filled
            self._map = mmap.mmap(fd, _SIZE)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        # One aligned 8-byte load or store: no reader sees half of a value.
        self._cell: ctypes.c_uint64 | None = ctypes.c_uint64.from_buffer(self._map)

    def read(self) -> int:
        cell = self._cell
        if cell is None:
            raise ValueError("the beacon is closed")
        return int(cell.value)

    def bump(self) -> None:
        cell = self._cell
        if cell is None:
            raise ValueError("the beacon is closed")
        with self._exclusive(self._fd):
            cell.value += 1

    def close(self) -> None:
        if self._cell is None:
            return
        self._cell = None  # the mapping cannot close while a ctypes view of it is alive
        self._map.close()
        os.close(self._fd)

    @contextlib.contextmanager
    def _exclusive(self, fd: int) -> Iterator[None]:
        """The thread lock, then an exclusive `flock` on the file (other processes)."""
        with self._lock:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
