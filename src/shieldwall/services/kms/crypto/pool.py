"""A background supply of RSA private keys, so CreateKey and GenerateDataKeyPair rarely wait on generation.

RSA generation takes from tens of milliseconds (2048 bits) to over a second (4096 bits); `cryptography`
releases the GIL while it runs, so a daemon thread can keep a few keys of each size ready without stalling
request handling.
"""

from __future__ import annotations

import threading
from collections import deque

from .primitives import generate_rsa_der


class RsaPool:
    def __init__(self, sizes: tuple[int, ...] = (2048,), target: int = 4) -> None:
        self._sizes = sizes
        self._target = target
        self._ready: dict[int, deque[bytes]] = {bits: deque() for bits in sizes}
        self._changed = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._changed:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._fill, name="kms-rsa-pool", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._changed:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._changed.notify_all()
        if thread is not None:
            thread.join()

    def take(self, bits: int) -> bytes:
        """A new RSA private key (DER PKCS#8) of `bits`: from the pool, or generated now when none is ready."""
        with self._changed:
            ready = self._ready.get(bits)
            if ready:
                key = ready.popleft()
                self._changed.notify_all()
                return key
        return generate_rsa_der(bits)

    def available(self, bits: int) -> int:
        with self._changed:
            return len(self._ready.get(bits, ()))

    def wait_until_full(self, timeout: float) -> bool:
        """Block until every size has `target` keys ready (or `timeout` seconds pass); for start-up and tests."""
        with self._changed:
            return self._changed.wait_for(lambda: self._shortfall() is None, timeout)

    def _fill(self) -> None:
        while (bits := self._await_shortfall()) is not None:
            key = generate_rsa_der(bits)
            with self._changed:
                self._ready[bits].append(key)
                self._changed.notify_all()

    def _await_shortfall(self) -> int | None:
        with self._changed:
            while not self._stopping:
                bits = self._shortfall()
                if bits is not None:
                    return bits
                self._changed.wait()
            return None

    def _shortfall(self) -> int | None:
        return next((bits for bits in self._sizes if len(self._ready[bits]) < self._target), None)
