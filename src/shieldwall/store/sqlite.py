"""The default backend: one SQLite database in WAL mode, `<data_dir>/shieldwall.db`.

Durability: with the default `synchronous="NORMAL"` a committed transaction is in the write-ahead log before
`commit` returns, so it survives the process being killed (`kill -9`); only a power loss or an OS crash can
take back the last commits. `synchronous="FULL"` fsyncs the log on every commit and survives power loss too,
at the cost of one fsync per mutating request.

Threads: the store's own connection serves the request path. A re-entrant lock makes any thread's use of it
safe: a transaction holds the lock from BEGIN to COMMIT, so two threads never interleave statements. Other
writers (the audit log's background thread) open their own connection with `connect()`; WAL lets readers run
beside one writer, writers take the write lock up front (`BEGIN IMMEDIATE`) and wait for each other up to the
busy timeout instead of failing on a stale snapshot.

Processes: `shieldwall serve --workers N` runs N processes on one database, each with its own store. SQLite
serializes their writes with the same lock. What a process derived from the records (caches keyed on
`changes()`) must notice the others' writes: every committed write bumps a counter in shared memory
(`store.beacon`), which `observe()` reads once per request.

A transaction opened while one is already active on the same thread nests as a SAVEPOINT. Never hold a
transaction across an `await`: another request's coroutine on the same thread would land inside it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from shieldwall.store import codec, migrations
from shieldwall.store.base import Reader, Scope, Store, StoreError, Transaction
from shieldwall.store.beacon import Beacon

logger = logging.getLogger(__name__)

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
DB_NAME = "shieldwall.db"

_GET = "SELECT body FROM records WHERE partition = ? AND account = ? AND region = ? AND kind = ? AND key = ?"
_LIST = (
    "SELECT key, body FROM records WHERE partition = ? AND account = ? AND region = ? AND kind = ?"
    " AND key > ? AND key >= ? ORDER BY key LIMIT ?"
)
_LIST_PREFIX = (
    "SELECT key, body FROM records WHERE partition = ? AND account = ? AND region = ? AND kind = ?"
    " AND key > ? AND key >= ? AND key < ? ORDER BY key LIMIT ?"
)
_PUT = (
    "INSERT INTO records (partition, account, region, kind, key, body) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (partition, account, region, kind, key) DO UPDATE SET body = excluded.body"
)
_DELETE = "DELETE FROM records WHERE partition = ? AND account = ? AND region = ? AND kind = ? AND key = ?"
_STATE_TABLES = (
    "SELECT name FROM sqlite_master"
    " WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_version'"
)
_CLOCK = "SELECT offset_seconds, pinned FROM service_clock"
_SAVE_CLOCK = (
    "INSERT INTO service_clock (id, offset_seconds, pinned) VALUES (1, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET offset_seconds = excluded.offset_seconds, pinned = excluded.pinned"
)
_CLEAR_CLOCK = "DELETE FROM service_clock"
ClockState = tuple[float, bool] | None  # (offset from real time in seconds, pinned); None: real time


class SqliteStore(Store):
    def __init__(
        self, data_dir: Path | str, *, synchronous: Synchronous = "NORMAL", busy_timeout_ms: int = 5000
    ) -> None:
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise StoreError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not `{synchronous}`")
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_NAME
        self.synchronous = synchronous
        self.busy_timeout_ms = busy_timeout_ms
        self._lock = threading.RLock()
        self._depth = 0
        self._generation = -1
        self._closed = False
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._conn = self.connect()
        try:
            migrations.apply(self._conn)
        except BaseException:
            self._conn.close()
            raise
        try:
            self._beacon = Beacon(self.data_dir)
        except OSError as exc:
            self._conn.close()
            raise StoreError(f"cannot open {self.data_dir / 'shieldwall.generation'}: {exc}") from exc
        self._checkpointer = Checkpointer(self.connect())

    def connect(self) -> sqlite3.Connection:
        """A new connection to this store's database with the store's settings (WAL, synchronous, FKs)."""
        try:
            conn = sqlite3.connect(
                self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from exc
        try:
            configure(conn, self.synchronous, self.busy_timeout_ms)
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._lock:
            self._ensure_open()
            if self._depth:
                with self._savepoint() as nested:
                    yield nested
                return
            written = self._conn.total_changes
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            tx = _SqliteTransaction(self._conn)
            try:
                yield tx
                self._conn.execute("COMMIT")
                if self._conn.total_changes != written:
                    self._beacon.bump()  # after the commit: whoever sees the new value sees the write
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                tx._active = False
                self._depth = 0

    @contextmanager
    def _savepoint(self) -> Iterator[Transaction]:
        name = f"sw_nested_{self._depth}"
        self._conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        tx = _SqliteTransaction(self._conn)
        try:
            yield tx
            self._conn.execute(f"RELEASE {name}")
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {name}")
            self._conn.execute(f"RELEASE {name}")
            raise
        finally:
            tx._active = False
            self._depth -= 1

    @contextmanager
    def read(self) -> Iterator[Reader]:
        with self._lock:
            self._ensure_open()
            reader = _SqliteReader(self._conn)
            own_snapshot = not self._depth
            if own_snapshot:
                self._conn.execute("BEGIN")
            try:
                yield reader
            finally:
                reader._active = False
                if own_snapshot:
                    self._conn.execute("COMMIT")

    def observe(self) -> bool:
        """Look for writes other processes made (`shieldwall serve --workers N`): True when there were some since
        the last call. The server calls it once per request, before anything is read; one load from shared
        memory."""
        self._ensure_open()
        generation = self._beacon.read()
        if generation == self._generation:
            return False
        self._generation = generation
        return True

    def changes(self) -> tuple[int, int]:
        """A token that changes whenever a record may have changed: the generation last observed (every process's
        writes bump it) and the rows this store's own connection has written since it opened (rolled-back writes
        count too), which shows this process's writes at once.

        While the token holds, whatever was derived from the records (the authorizer's view of a principal) can
        be reused.
        """
        return self._generation, self._conn.total_changes

    def clock_state(self) -> ClockState:
        """The service clock every process shares: None when it runs in real time."""
        with self._lock:
            self._ensure_open()
            row = self._conn.execute(_CLOCK).fetchone()
        return None if row is None else (float(row[0]), bool(row[1]))

    def save_clock_state(self, state: ClockState) -> None:
        with self.transaction():
            if state is None:
                self._conn.execute(_CLEAR_CLOCK)
            else:
                self._conn.execute(_SAVE_CLOCK, (state[0], int(state[1])))

    def reset(self) -> None:
        with self.transaction():
            self._conn.execute("PRAGMA defer_foreign_keys = ON")
            tables = [name for (name,) in self._conn.execute(_STATE_TABLES).fetchall()]
            for name in tables:
                self._conn.execute(f'DELETE FROM "{name}"')
        self._beacon.bump()  # even when there was nothing to delete: every process starts afresh

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._checkpointer.stop()
                self._conn.close()
                self._beacon.close()

    def _ensure_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")


class Checkpointer:
    """Moves the write-ahead log into the database every `interval` seconds, on its own thread and connection.

    SQLite's automatic checkpoint runs inside whichever commit crosses the threshold: on the event loop, where
    its fsync would stall every request in flight. Here it runs beside them (sqlite releases the GIL while it
    works). PASSIVE never blocks writers; the log file is reused from its start once a checkpoint completes.
    """

    def __init__(self, conn: sqlite3.Connection, interval: float = 0.5) -> None:
        self._conn = conn
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shieldwall-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            self._checkpoint("PASSIVE")
        self._checkpoint("TRUNCATE")
        self._conn.close()

    def _checkpoint(self, mode: str) -> None:
        try:
            self._conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.Error:
            logger.warning("WAL checkpoint (%s) failed; it will be retried", mode, exc_info=True)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


def configure(conn: sqlite3.Connection, synchronous: Synchronous, busy_timeout_ms: int) -> None:
    """Pragmas every connection needs; pragma values cannot be bound, so they come from fixed choices."""
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise StoreError(f"the database refused WAL mode (journal mode is `{mode}`)")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA foreign_keys = ON")
    # Checkpoints copy the log into the database and fsync it; `Checkpointer` runs them off the request path.
    conn.execute("PRAGMA wal_autocheckpoint = 0")


def prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix` (None when there is none).

    SQLite compares TEXT as UTF-8 bytes, which orders like code points, so this bounds a prefix scan.
    """
    chars = list(prefix)
    while chars:
        code = ord(chars[-1]) + 1
        if code == 0xD800:
            code = 0xE000
        if code <= 0x10FFFF:
            chars[-1] = chr(code)
            return "".join(chars)
        chars.pop()
    return None


class _SqliteReader(Reader):
    __slots__ = ("_active", "_conn")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._active = True

    def _check_active(self) -> None:
        if not self._active:
            raise StoreError("this transaction has ended; open a new one")

    def _get(self, scope: Scope, kind: str, key: str) -> object | None:
        self._check_active()
        row = self._conn.execute(_GET, (scope.partition, scope.account, scope.region, kind, key)).fetchone()
        return None if row is None else codec.decode(kind, row[0])

    def _list(
        self, scope: Scope, kind: str, prefix: str, after: str, limit: int | None
    ) -> list[tuple[str, object]]:
        self._check_active()
        base = (scope.partition, scope.account, scope.region, kind, after, prefix)
        count = -1 if limit is None else limit
        end = prefix_end(prefix) if prefix else None
        if end is None:
            rows = self._conn.execute(_LIST, (*base, count)).fetchall()
        else:
            rows = self._conn.execute(_LIST_PREFIX, (*base, end, count)).fetchall()
        return [(key, codec.decode(kind, body)) for key, body in rows]


class _SqliteTransaction(_SqliteReader, Transaction):
    __slots__ = ()

    def _put(self, scope: Scope, kind: str, key: str, body: str) -> None:
        self._check_active()
        if not key:
            raise StoreError(f"a `{kind}` record needs a non-empty key")
        self._conn.execute(_PUT, (scope.partition, scope.account, scope.region, kind, key, body))

    def _delete(self, scope: Scope, kind: str, key: str) -> bool:
        self._check_active()
        cursor = self._conn.execute(_DELETE, (scope.partition, scope.account, scope.region, kind, key))
        return cursor.rowcount > 0
