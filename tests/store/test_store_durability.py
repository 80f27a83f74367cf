"""Acknowledged writes survive `kill -9`: a child commits and prints keys, the parent kills it mid-stream."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from shieldwall.store import Scope, codec
from shieldwall.store.sqlite import SqliteStore

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

SCOPE = Scope("aws", "123456789012", "us-east-1")

CHILD = textwrap.dedent(
    """
    import sys
    from dataclasses import dataclass
    from datetime import UTC, datetime

    from shieldwall.audit.log import AuditLog
    from shieldwall.store import Scope, codec
    from shieldwall.store.sqlite import SqliteStore

    @codec.model("durability.item")
    @dataclass
    class Item:
        serial: int
        payload: str

    store = SqliteStore(sys.argv[1])
    audit = AuditLog(store)
    scope = Scope("aws", "123456789012", "us-east-1")
    start = int(sys.argv[2])
    for serial in range(start, start + 1_000_000):
        key = f"item-{serial:07d}"
        with store.transaction() as tx:
            tx.put(scope, key, Item(serial, "x" * 300))
        audit.record({
            "eventID": f"event-{serial}", "eventTime": "2024-01-01T00:00:00Z", "eventName": "PutItem",
            "eventSource": "test.amazonaws.com", "awsRegion": "us-east-1",
            "recipientAccountId": "123456789012", "readOnly": False, "userIdentity": {"type": "Root"},
        })
        audit.flush()
        print(key, flush=True)
    """
)


@codec.model("durability.item")
@dataclass
class Item:
    """The child's model, registered here too so the parent can decode what the child wrote."""

    serial: int
    payload: str


def run_and_kill(data_dir: Path, start: int, acknowledged_before_kill: int) -> list[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acknowledged = []
    for line in child.stdout:
        acknowledged.append(line.strip())
        if len(acknowledged) == acknowledged_before_kill:
            os.kill(child.pid, signal.SIGKILL)
            break
    # A line is acknowledged once complete: the child prints it only after the commit returned.
    acknowledged.extend(line.strip() for line in child.stdout if line.endswith("\n"))
    child.wait()
    stderr = child.stderr.read() if child.stderr else ""
    child.stdout.close()
    if child.stderr:
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL, stderr
    return [key for key in acknowledged if key]


def stored_keys(data_dir: Path) -> set[str]:
    conn = sqlite3.connect(data_dir / "shieldwall.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT key FROM records WHERE kind = 'durability.item'").fetchall()
    finally:
        conn.close()
    return {key for (key,) in rows}


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    acknowledged: list[str] = []
    for round_number, count in enumerate((150, 400, 50)):
        acknowledged += run_and_kill(tmp_path, round_number * 1_000_000, count)
        present = stored_keys(tmp_path)
        missing = [key for key in acknowledged if key not in present]
        assert missing == []
    reopened = SqliteStore(tmp_path)
    try:
        with reopened.read() as view:
            last = view.get(SCOPE, Item, acknowledged[-1])
            assert last is not None
            assert last.payload == "x" * 300
    finally:
        reopened.close()
