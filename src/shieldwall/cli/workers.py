"""`shieldwall serve --workers N`: N server processes on one port and one data directory.

The parent binds a listening socket per worker on the one port (the kernel spreads connections over them),
creates the root key and brings the database schema up to date, then forks the workers before any thread
exists; each worker builds its own runtime (store connection, caches, audit log) and serves its socket. They
share everything through the data directory: a write in one is seen by the others from their next request on
(`SqliteStore.observe`), and so is a moved clock (`Runtime.observe`).

The parent only supervises. SIGINT or SIGTERM stops every worker (each finishes what it owes and commits its
audit events). A worker that exits on its own stops the rest too: a server with a missing worker would answer
some connections and not others.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from types import FrameType

from shieldwall.config import Settings
from shieldwall.store.rootkey import load_or_create_root_key
from shieldwall.store.sqlite import SqliteStore

log = logging.getLogger("shieldwall")
_PR_SET_PDEATHSIG = 1


def prepare_data_dir(settings: Settings) -> None:
    """What must happen once before the workers open the data directory: the root key and the schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    load_or_create_root_key(settings.data_dir)
    SqliteStore(settings.data_dir).close()


def run_workers(
    settings: Settings,
    socks: list[socket.socket],
    serve_one: Callable[[socket.socket], int],
    announce: Callable[[], None],
) -> int:
    """Fork a process per socket running `serve_one(its socket)`, `announce` that they serve, and wait for them;
    the exit status. Connections that arrive before a worker is ready wait in its socket's backlog."""
    prepare_data_dir(settings)
    if threading.active_count() != 1:  # a thread would be copied half-way through whatever it was doing
        raise RuntimeError("the workers must be forked before any thread starts")
    stopping = False
    live: set[int] = set()

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(live):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    supervisor = os.getpid()
    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        for sock in socks:
            pid = os.fork()
            if pid == 0:
                for other in set(socks) - {sock}:
                    other.close()
                _worker(sock, serve_one, supervisor)
            live.add(pid)
        if stopping:  # a signal came while the workers were being forked: stop those it missed
            stop(signal.SIGTERM, None)
        announce()
        for sock in set(socks):
            sock.close()
        status = 0
        while live:
            pid, wait_status = os.wait()
            live.discard(pid)
            code = os.waitstatus_to_exitcode(wait_status)
            if not stopping:
                log.error("worker %d exited with status %d: stopping the others", pid, code)
                status = 1
                stop(signal.SIGTERM, None)
        return status
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _worker(sock: socket.socket, serve_one: Callable[[socket.socket], int], supervisor: int) -> None:
    """The child's whole life: serve, then leave without running the parent's exit handlers."""
    code = 1
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        _stop_with(supervisor)
        code = serve_one(sock)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _stop_with(supervisor: int) -> None:
    """Get SIGTERM when the supervisor dies, even by SIGKILL, so no worker outlives its server (Linux's
    PR_SET_PDEATHSIG; elsewhere the supervisor's SIGTERM is the only way)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != supervisor:  # it died before the request took effect
        os._exit(1)
