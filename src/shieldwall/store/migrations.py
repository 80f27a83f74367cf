"""Schema versions of the SQLite database, applied in order when a store opens.

Each step has a version one higher than the last and a list of statements. `apply` runs every step the
database has not seen yet inside one write transaction, recording each in `schema_version`, so a crash
mid-upgrade leaves the database at its old version. A database whose version is higher than the newest step
here was written by a newer shieldwall; opening it fails instead of letting old code misread new data.

Steps are never edited once released: a schema change is a new step at the end.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from shieldwall.store.base import StoreError


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "scoped records",
        (
            """CREATE TABLE records (
                partition TEXT NOT NULL,
                account TEXT NOT NULL,
                region TEXT NOT NULL,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (partition, account, region, kind, key)
            ) WITHOUT ROWID""",
        ),
    ),
    Migration(
        2,
        "audit events",
        (
            # event_time is microseconds since the epoch; seq (the rowid, so implicitly the last column of
            # every index) breaks ties in arrival order. Every request writes an event before its response is
            # sent, and each index is one more B-tree page per commit, so there is one: (account, region,
            # time), which every lookup walks newest first; the lookup attributes filter that walk.
            """CREATE TABLE audit_events (
                seq INTEGER PRIMARY KEY,
                event_id TEXT NOT NULL,
                account TEXT NOT NULL,
                region TEXT NOT NULL,
                event_time INTEGER NOT NULL,
                event_name TEXT NOT NULL,
                event_source TEXT NOT NULL,
                read_only TEXT NOT NULL,
                username TEXT,
                access_key_id TEXT,
                body TEXT NOT NULL
            )""",
            "CREATE INDEX audit_events_by_time ON audit_events (account, region, event_time)",
            """CREATE TABLE audit_resources (
                seq INTEGER NOT NULL REFERENCES audit_events (seq) ON DELETE CASCADE,
                resource_type TEXT NOT NULL,
                resource_name TEXT NOT NULL,
                PRIMARY KEY (seq, resource_type, resource_name)
            ) WITHOUT ROWID""",
            "CREATE INDEX audit_resources_by_type ON audit_resources (resource_type)",
            "CREATE INDEX audit_resources_by_name ON audit_resources (resource_name)",
        ),
    ),
    Migration(
        3,
        "audit resources kept in name order",
        (
            # Every event's commit writes a page of each B-tree its rows go into. Keyed by name, the resources
            # table is its own name index (one tree fewer than a table and two indexes), and it has no foreign
            # key to check on every insert: events and their resources are only ever deleted together.
            """CREATE TABLE audit_resources_by_name_order (
                resource_name TEXT NOT NULL,
                seq INTEGER NOT NULL,
                resource_type TEXT NOT NULL,
                PRIMARY KEY (resource_name, seq, resource_type)
            ) WITHOUT ROWID""",
            """INSERT INTO audit_resources_by_name_order (resource_name, seq, resource_type)
                SELECT resource_name, seq, resource_type FROM audit_resources""",
            "DROP TABLE audit_resources",
            "ALTER TABLE audit_resources_by_name_order RENAME TO audit_resources",
            "CREATE INDEX audit_resources_by_type ON audit_resources (resource_type, seq)",
        ),
    ),
    Migration(
        4,
        "a generation every process can watch, and the service clock they share",
        (
            # Several worker processes may serve one data directory. Each keeps caches derived from the records
            # and must notice another's writes: every write of a record or of the clock bumps this one number,
            # which a worker reads once per request (`SqliteStore.observe`).
            """CREATE TABLE store_generation (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                value INTEGER NOT NULL
            )""",
            "INSERT INTO store_generation (id, value) VALUES (1, 0)",
            # The admin clock's offset from real time, one row while it is moved; no row is real time.
            """CREATE TABLE service_clock (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                offset_seconds REAL NOT NULL,
                pinned INTEGER NOT NULL
            )""",
            *(
                f"""CREATE TRIGGER {table}_{event}_bumps_generation AFTER {event.upper()} ON {table}
                    BEGIN UPDATE store_generation SET value = value + 1; END"""
                for table in ("records", "service_clock")
                for event in ("insert", "update", "delete")
            ),
        ),
    ),
    Migration(
        5,
        "the generation moves to shared memory",
        (
            # Reading the generation from the database cost every request a read transaction; the processes now
            # share it through a memory-mapped file (`store.beacon`), bumped by each committed write.
            *(
                f"DROP TRIGGER {table}_{event}_bumps_generation"
                for table in ("records", "service_clock")
                for event in ("insert", "update", "delete")
            ),
            "DROP TABLE store_generation",
        ),
    ),
    Migration(
        6,
        "audit resources indexed after the commit",
        (
            # A request's commit wrote five B-tree pages for its events' resource rows (a name leaf and a type
            # leaf each), more than for the events themselves. The event now carries its (type, name) pairs in
            # one column, and the rows are written later for many events at once: `audit_resources_indexed`
            # holds the newest seq whose resources have rows (every event's, at this step).
            "ALTER TABLE audit_events ADD COLUMN resources TEXT",
            """CREATE TABLE audit_resources_indexed (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                seq INTEGER NOT NULL
            )""",
            "INSERT INTO audit_resources_indexed (id, seq) SELECT 1, coalesce(max(seq), 0) FROM audit_events",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

_CREATE_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
)
_CURRENT_VERSION = "SELECT coalesce(max(version), 0) FROM schema_version"
_RECORD_VERSION = "INSERT INTO schema_version (version, name) VALUES (?, ?)"


def _check_order(steps: tuple[Migration, ...]) -> None:
    for position, step in enumerate(steps, start=1):
        if step.version != position:
            raise StoreError(f"migration `{step.name}` has version {step.version}, expected {position}")


_check_order(MIGRATIONS)


def apply(conn: sqlite3.Connection, steps: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring the database on `conn` (in autocommit mode) to the newest version; returns that version."""
    newest = steps[-1].version if steps else 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_CREATE_VERSION_TABLE)
        current = conn.execute(_CURRENT_VERSION).fetchone()[0]
        if current > newest:
            raise StoreError(
                f"the database is at schema version {current}, newer than this shieldwall knows ({newest}): "
                "upgrade shieldwall, or point it at another data directory"
            )
        for step in steps[current:]:
            run_step(conn, step)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return newest


def run_step(conn: sqlite3.Connection, step: Migration) -> None:
    for statement in step.statements:
        conn.execute(statement)
    conn.execute(_RECORD_VERSION, (step.version, step.name))


def current_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute(_CURRENT_VERSION).fetchone()[0]
    return version
