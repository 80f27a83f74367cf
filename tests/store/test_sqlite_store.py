from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shieldwall.store import Scope, StoreError, codec, migrations
from shieldwall.store.beacon import Beacon
from shieldwall.store.sqlite import SqliteStore, prefix_end

ACCOUNT_A = Scope("aws", "111111111111", "us-east-1")
ACCOUNT_B = Scope("aws", "222222222222", "us-east-1")
OTHER_REGION = Scope("aws", "111111111111", "eu-west-1")
IAM_SCOPE = Scope.account_wide("aws", "111111111111")
S3_NAMES = Scope.partition_wide("aws")


@codec.model("store-test.key")
@dataclass
class Key:
    key_id: str
    description: str = ""


@codec.model("store-test.alias")
@dataclass
class Alias:
    target: str


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path)
    yield opened
    opened.close()


def put_keys(store: SqliteStore, scope: Scope, names: list[str]) -> None:
    with store.transaction() as tx:
        for name in names:
            tx.put(scope, name, Key(name))


def test_committed_record_is_read_back(store: SqliteStore) -> None:
    with store.transaction() as tx:
        tx.put(ACCOUNT_A, "k1", Key("k1", "first"))
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "k1") == Key("k1", "first")
        assert view.get(ACCOUNT_A, "store-test.key", "k1") == Key("k1", "first")


def test_missing_record_reads_as_none(store: SqliteStore) -> None:
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "nope") is None


def test_same_key_in_two_accounts_or_regions_is_two_records(store: SqliteStore) -> None:
    with store.transaction() as tx:
        tx.put(ACCOUNT_A, "shared", Key("a"))
        tx.put(ACCOUNT_B, "shared", Key("b"))
        tx.put(OTHER_REGION, "shared", Key("eu"))
        tx.put(IAM_SCOPE, "shared", Key("account-wide"))
        tx.put(S3_NAMES, "shared", Key("partition-wide"))
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "shared") == Key("a")
        assert view.get(ACCOUNT_B, Key, "shared") == Key("b")
        assert view.get(OTHER_REGION, Key, "shared") == Key("eu")
        assert view.get(IAM_SCOPE, Key, "shared") == Key("account-wide")
        assert view.get(S3_NAMES, Key, "shared") == Key("partition-wide")
        assert view.get(Scope("aws-cn", "111111111111", "us-east-1"), Key, "shared") is None


def test_same_key_of_two_kinds_is_two_records(store: SqliteStore) -> None:
    with store.transaction() as tx:
        tx.put(ACCOUNT_A, "x", Key("x"))
        tx.put(ACCOUNT_A, "x", Alias("target"))
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "x") == Key("x")
        assert view.get(ACCOUNT_A, Alias, "x") == Alias("target")


def test_delete_in_one_account_leaves_the_other(store: SqliteStore) -> None:
    put_keys(store, ACCOUNT_A, ["k"])
    put_keys(store, ACCOUNT_B, ["k"])
    with store.transaction() as tx:
        assert tx.delete(ACCOUNT_A, Key, "k") is True
        assert tx.delete(ACCOUNT_A, Key, "k") is False
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "k") is None
        assert view.get(ACCOUNT_B, Key, "k") == Key("k")


def test_put_replaces_an_existing_record(store: SqliteStore) -> None:
    with store.transaction() as tx:
        tx.put(ACCOUNT_A, "k", Key("k", "old"))
        tx.put(ACCOUNT_A, "k", Key("k", "new"))
    with store.read() as view:
        assert view.list(ACCOUNT_A, Key) == [("k", Key("k", "new"))]


def test_transaction_rolls_back_when_the_block_raises(store: SqliteStore) -> None:
    put_keys(store, ACCOUNT_A, ["kept"])
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.put(ACCOUNT_A, "lost", Key("lost"))
        tx.delete(ACCOUNT_A, Key, "kept")
        raise RuntimeError("provider failed")
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "lost") is None
        assert view.get(ACCOUNT_A, Key, "kept") == Key("kept")


def test_transaction_sees_its_own_uncommitted_writes(store: SqliteStore) -> None:
    with store.transaction() as tx:
        tx.put(ACCOUNT_A, "k", Key("k"))
        assert tx.get(ACCOUNT_A, Key, "k") == Key("k")


def test_nested_transaction_failure_rolls_back_only_the_inner_block(store: SqliteStore) -> None:
    with store.transaction() as outer:
        outer.put(ACCOUNT_A, "outer", Key("outer"))
        with pytest.raises(ValueError), store.transaction() as inner:
            inner.put(ACCOUNT_A, "inner", Key("inner"))
            raise ValueError("inner failed")
        with store.read() as view:
            assert view.get(ACCOUNT_A, Key, "outer") == Key("outer")
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "outer") == Key("outer")
        assert view.get(ACCOUNT_A, Key, "inner") is None


def test_nested_transaction_is_undone_with_its_outer_transaction(store: SqliteStore) -> None:
    with pytest.raises(KeyError), store.transaction():
        with store.transaction() as inner:
            inner.put(ACCOUNT_A, "inner", Key("inner"))
        raise KeyError("outer failed")
    with store.read() as view:
        assert view.get(ACCOUNT_A, Key, "inner") is None


def test_transaction_cannot_be_used_after_it_ends(store: SqliteStore) -> None:
    with store.transaction() as tx:
        pass
    with pytest.raises(StoreError, match="transaction has ended"):
        tx.put(ACCOUNT_A, "late", Key("late"))


def test_read_view_offers_no_writes(store: SqliteStore) -> None:
    with store.read() as view:
        assert not hasattr(view, "put")
        assert not hasattr(view.repo(Key, ACCOUNT_A), "put")


def test_repository_is_bound_to_its_scope_and_kind(store: SqliteStore) -> None:
    with store.transaction() as tx:
        keys = tx.repo(Key, ACCOUNT_A)
        keys.put("k1", Key("k1"))
        keys.put("k2", Key("k2"))
        assert keys.get("k1") == Key("k1")
        assert keys.delete("k2") is True
        assert [name for name, _ in keys.list()] == ["k1"]
    with store.read() as view:
        assert view.repo(Key, ACCOUNT_B).get("k1") is None
        assert view.repo(Key, ACCOUNT_A).list() == [("k1", Key("k1"))]


def test_repository_refuses_a_model_of_another_kind(store: SqliteStore) -> None:
    with store.transaction() as tx, pytest.raises(StoreError, match="cannot store a `Alias`"):
        tx.repo(Key, ACCOUNT_A).put("x", Alias("t"))  # type: ignore[arg-type]


def test_list_is_ordered_by_key(store: SqliteStore) -> None:
    put_keys(store, ACCOUNT_A, ["b", "a", "c", "B", "aa"])
    with store.read() as view:
        assert [key for key, _ in view.list(ACCOUNT_A, Key)] == ["B", "a", "aa", "b", "c"]


def test_list_pages_with_after_and_limit(store: SqliteStore) -> None:
    names = [f"key-{n:03d}" for n in range(25)]
    put_keys(store, ACCOUNT_A, names)
    seen: list[str] = []
    after = ""
    with store.read() as view:
        while True:
            page = view.list(ACCOUNT_A, Key, after=after, limit=10)
            seen.extend(key for key, _ in page)
            if len(page) < 10:
                break
            after = page[-1][0]
    assert seen == names


def test_list_filters_by_prefix(store: SqliteStore) -> None:
    put_keys(store, ACCOUNT_A, ["alias/a", "alias/b", "aliat", "alias", "key/1", "alias/\U0010ffff"])
    with store.read() as view:
        found = [key for key, _ in view.list(ACCOUNT_A, Key, prefix="alias/")]
        assert found == ["alias/a", "alias/b", "alias/\U0010ffff"]
        assert [key for key, _ in view.list(ACCOUNT_A, Key, prefix="alias/", after="alias/a")] == [
            "alias/b",
            "alias/\U0010ffff",
        ]


def test_list_stays_within_scope_and_kind(store: SqliteStore) -> None:
    put_keys(store, ACCOUNT_A, ["a"])
    put_keys(store, ACCOUNT_B, ["b"])
    with store.transaction() as tx:
        tx.put(ACCOUNT_A, "alias", Alias("a"))
    with store.read() as view:
        assert view.list(ACCOUNT_A, Key) == [("a", Key("a"))]


def test_empty_key_is_refused(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="non-empty key"), store.transaction() as tx:
        tx.put(ACCOUNT_A, "", Key("x"))


def test_scope_needs_a_partition_and_an_account_for_a_region() -> None:
    with pytest.raises(StoreError):
        Scope("")
    with pytest.raises(StoreError):
        Scope("aws", "", "us-east-1")


def test_records_survive_closing_and_reopening(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path)
    put_keys(first, ACCOUNT_A, ["persisted"])
    first.close()
    second = SqliteStore(tmp_path)
    try:
        with second.read() as view:
            assert view.get(ACCOUNT_A, Key, "persisted") == Key("persisted")
    finally:
        second.close()


def test_reset_empties_every_record(store: SqliteStore) -> None:
    put_keys(store, ACCOUNT_A, ["a", "b"])
    put_keys(store, S3_NAMES, ["bucket"])
    store.reset()
    with store.read() as view:
        assert view.list(ACCOUNT_A, Key) == []
        assert view.list(S3_NAMES, Key) == []
    put_keys(store, ACCOUNT_A, ["after-reset"])


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    closed = SqliteStore(tmp_path)
    closed.close()
    closed.close()
    with pytest.raises(StoreError, match="closed"), closed.transaction():
        pass


def test_database_uses_wal_and_foreign_keys(store: SqliteStore) -> None:
    conn = store.connect()
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        conn.close()
    assert (store.data_dir / "shieldwall.db").exists()


def test_full_synchronous_is_a_constructor_option(tmp_path: Path) -> None:
    durable = SqliteStore(tmp_path, synchronous="FULL")
    conn = durable.connect()
    try:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        conn.close()
        durable.close()


def test_unknown_synchronous_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="synchronous must be"):
        SqliteStore(tmp_path, synchronous="SOMETIMES")  # type: ignore[arg-type]


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    SqliteStore(tmp_path).close()
    SqliteStore(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "shieldwall.db")
    try:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")]
    finally:
        conn.close()
    assert versions == list(range(1, migrations.LATEST_VERSION + 1))


def test_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    SqliteStore(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "shieldwall.db")
    conn.execute("INSERT INTO schema_version (version, name) VALUES (999, 'from the future')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 999, newer than this shieldwall knows"):
        SqliteStore(tmp_path)


def test_failing_migration_leaves_the_database_at_its_old_version(tmp_path: Path) -> None:
    SqliteStore(tmp_path).close()
    broken = (
        *migrations.MIGRATIONS,
        migrations.Migration(migrations.LATEST_VERSION + 1, "adds a table", ("CREATE TABLE extra (x)",)),
        migrations.Migration(migrations.LATEST_VERSION + 2, "broken", ("THIS IS NOT SQL",)),
    )
    conn = sqlite3.connect(tmp_path / "shieldwall.db", isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            migrations.apply(conn, broken)
        assert migrations.current_version(conn) == migrations.LATEST_VERSION
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0
    finally:
        conn.close()


def test_transactions_from_several_threads_do_not_interleave(store: SqliteStore) -> None:
    errors: list[BaseException] = []

    def write(prefix: str) -> None:
        try:
            for n in range(100):
                with store.transaction() as tx:
                    tx.put(ACCOUNT_A, f"{prefix}-{n:03d}", Key(prefix))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.read() as view:
        assert len(view.list(ACCOUNT_A, Key)) == 400


def test_second_connection_writes_beside_the_store(store: SqliteStore) -> None:
    other = store.connect()
    try:
        with store.transaction() as tx:
            tx.put(ACCOUNT_A, "mine", Key("mine"))
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)",
            (
                "aws",
                ACCOUNT_A.account,
                ACCOUNT_A.region,
                "store-test.key",
                "theirs",
                codec.encode(Key("t"))[1],
            ),
        )
        other.execute("COMMIT")
    finally:
        other.close()
    with store.read() as view:
        assert [key for key, _ in view.list(ACCOUNT_A, Key)] == ["mine", "theirs"]


@pytest.mark.parametrize(
    ("prefix", "end"),
    [("abc", "abd"), ("a\U0010ffff", "b"), ("\U0010ffff", None), ("\ud7ff", "\ue000")],
)
def test_prefix_end_bounds_every_string_with_the_prefix(prefix: str, end: str | None) -> None:
    assert prefix_end(prefix) == end


def test_another_connections_write_is_observed_and_changes_the_token(tmp_path: Path) -> None:
    """Worker processes share a data directory: each sees the others' writes from its next `observe()` on."""
    here, there = SqliteStore(tmp_path), SqliteStore(tmp_path)
    try:
        here.observe()
        before = here.changes()
        assert not here.observe()
        put_keys(there, ACCOUNT_A, ["k1"])
        assert here.changes() == before  # not yet looked
        assert here.observe()
        assert here.changes() != before
        assert not here.observe()
        with here.read() as view:
            assert view.get(ACCOUNT_A, Key, "k1") == Key("k1")
    finally:
        here.close()
        there.close()


def test_own_writes_change_the_token_at_once(store: SqliteStore) -> None:
    store.observe()
    before = store.changes()
    put_keys(store, ACCOUNT_A, ["k1"])
    assert store.changes() != before


def test_audit_writes_do_not_change_the_token(store: SqliteStore) -> None:
    """Every request writes an audit event: that must not empty the caches the records feed."""
    store.observe()
    before = store.changes()
    other = store.connect()
    try:
        other.execute(
            "INSERT INTO audit_events (event_id, account, region, event_time, event_name, event_source, read_only,"
            " body) VALUES ('e', '1', 'r', 0, 'n', 's', 'true', '{}')"
        )
    finally:
        other.close()
    assert not store.observe()
    assert store.changes() == before


def test_the_clock_state_is_shared_and_reset_clears_it(tmp_path: Path) -> None:
    here, there = SqliteStore(tmp_path), SqliteStore(tmp_path)
    try:
        assert there.clock_state() is None
        here.observe()
        there.save_clock_state((3600.0, False))
        assert here.observe()
        assert here.clock_state() == (3600.0, False)
        there.reset()
        assert here.observe()
        assert here.clock_state() is None
    finally:
        here.close()
        there.close()


def test_reset_changes_the_generation_even_with_nothing_to_delete(tmp_path: Path) -> None:
    here, there = SqliteStore(tmp_path), SqliteStore(tmp_path)
    try:
        here.observe()
        there.reset()
        assert here.observe()
    finally:
        here.close()
        there.close()


def _bump_many(data_dir: Path, times: int, go: Any) -> None:
    beacon = Beacon(data_dir)
    try:
        go.wait(60)
        for _ in range(times):
            beacon.bump()
    finally:
        beacon.close()


def test_bumps_from_several_processes_are_never_lost(tmp_path: Path) -> None:
    """Each bump is a read and a write under the file's lock: a lost one could bring back a value a reader saw,
    and that reader would miss a write."""
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    workers = [context.Process(target=_bump_many, args=(tmp_path, 20_000, go)) for _ in range(3)]
    for worker in workers:
        worker.start()
    go.set()
    _bump_many(tmp_path, 20_000, go)
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    beacon = Beacon(tmp_path)
    try:
        assert beacon.read() == 80_000
    finally:
        beacon.close()


def test_only_committed_writes_move_the_generation(tmp_path: Path) -> None:
    here, there = SqliteStore(tmp_path), SqliteStore(tmp_path)
    try:
        here.observe()
        with there.read() as view:
            view.get(ACCOUNT_A, Key, "k1")
        with there.transaction():
            pass
        assert not here.observe()
        with pytest.raises(RuntimeError), there.transaction() as tx:
            tx.put(ACCOUNT_A, "k1", Key("k1"))
            raise RuntimeError("rolled back")
        assert not here.observe()
        put_keys(there, ACCOUNT_A, ["k1"])
        assert here.observe()
    finally:
        here.close()
        there.close()


def test_a_database_from_before_the_shared_generation_upgrades(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "shieldwall.db", isolation_level=None)
    try:
        migrations.apply(conn, migrations.MIGRATIONS[:4])
        conn.execute(
            "INSERT INTO records (partition, account, region, kind, key, body) VALUES (?, ?, ?, ?, ?, ?)",
            ("aws", "111111111111", "us-east-1", "k", "kept", "{}"),
        )
    finally:
        conn.close()
    store = SqliteStore(tmp_path)
    try:
        store.observe()
        put_keys(store, ACCOUNT_A, ["k1"])
        tables = {row[0] for row in store.connect().execute("SELECT name FROM sqlite_master")}
        assert "store_generation" not in tables
        assert not any(name.endswith("_bumps_generation") for name in tables)
        with store.read() as view:
            assert view.get(ACCOUNT_A, Key, "k1") == Key("k1")
    finally:
        store.close()
    conn = sqlite3.connect(tmp_path / "shieldwall.db")
    try:
        assert conn.execute("SELECT count(*) FROM records WHERE key = 'kept'").fetchone()[0] == 1
    finally:
        conn.close()
