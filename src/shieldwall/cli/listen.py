"""The listening sockets of `shieldwall serve`: one, or one per worker on the same port."""

from __future__ import annotations

import socket
import sys


def bind(host: str, port: int, *, reuse_port: bool = False, listen: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host.strip("[]"), port))
        if listen:
            sock.listen(1024)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bind_workers(host: str, port: int, count: int) -> list[socket.socket]:
    """A listening socket per worker, all on one port; the kernel spreads new connections over them evenly
    (Linux's SO_REUSEPORT). Elsewhere the workers share one socket, and whichever is awake first takes a
    connection, so the spread can be uneven."""
    if not sys.platform.startswith("linux"):
        return [bind(host, port)] * count
    if port:
        # Refused, as for one process, when anything listens there already: the port is never joined to another
        # server's group of sockets.
        bind(host, port, listen=False).close()
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            socks.append(bind(host, port, reuse_port=True))
            port = socks[0].getsockname()[1]
    except BaseException:
        for sock in socks:
            sock.close()
        raise
    return socks
