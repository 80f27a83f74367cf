"""Acknowledged requests survive a crash: every one has its audit event after a SIGKILL and a restart."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from botocore.config import Config

from shieldwall.testing import ShieldwallServer


def _acknowledged_request_ids(server: ShieldwallServer, stop: threading.Event) -> list[str]:
    assert server.info is not None
    client = server.info.client(
        "sts", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5)
    )
    acknowledged: list[str] = []
    while not stop.is_set():
        try:
            acknowledged.append(client.get_caller_identity()["ResponseMetadata"]["RequestId"])
        except Exception:  # the server died mid-request: that request was never acknowledged
            break
    return acknowledged


def _recorded_request_ids(server: ShieldwallServer) -> set[str]:
    assert server.info is not None
    paginator = server.info.client("cloudtrail").get_paginator("lookup_events")
    pages = paginator.paginate(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]
    )
    import json

    return {json.loads(e["CloudTrailEvent"])["requestID"] for page in pages for e in page["Events"]}


def test_sigkill_under_load_loses_no_acknowledged_request(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ShieldwallServer(data_dir)
    server.start()
    stop = threading.Event()
    results: list[list[str]] = []
    workers = [
        threading.Thread(target=lambda: results.append(_acknowledged_request_ids(server, stop)))
        for _ in range(4)
    ]
    try:
        for worker in workers:
            worker.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for worker in workers:
            worker.join(30)
        acknowledged = {request_id for batch in results for request_id in batch}
        assert len(acknowledged) > 50

        with sqlite3.connect(data_dir / "shieldwall.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

        server.start()
        missing = acknowledged - _recorded_request_ids(server)
        assert not missing, f"{len(missing)} acknowledged requests have no audit event"
    finally:
        stop.set()
        server.stop()


def test_state_and_audit_events_survive_a_clean_restart(tmp_path: Path) -> None:
    server = ShieldwallServer(tmp_path / "data")
    info = server.start()
    try:
        request_id = info.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"]
        server.stop()
        root_key = (tmp_path / "data" / "root.key").read_bytes()
        server.start()
        assert request_id in _recorded_request_ids(server)
        assert (tmp_path / "data" / "root.key").read_bytes() == root_key
    finally:
        server.stop()
