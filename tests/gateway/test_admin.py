from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shieldwall.testing import ServerInfo, ShieldwallServer


def test_health_is_open_and_lists_services(shieldwall: ServerInfo) -> None:
    with urllib.request.urlopen(f"{shieldwall.endpoint}/_shieldwall/health", timeout=5) as response:
        body = json.loads(response.read())
    assert body["status"] == "running"
    assert body["version"]
    assert body["services"]["sts"] == "available"
    assert body["services"]["kms"] == "available"
    assert body["services"]["wafv2"] == "not implemented"


def test_clock_advances_and_sets(shieldwall: ServerInfo) -> None:
    before = datetime.fromisoformat(shieldwall.admin("clock")["now"])
    after = datetime.fromisoformat(shieldwall.advance_clock(3600)["now"])
    assert timedelta(minutes=59) < after - before < timedelta(minutes=61)
    pinned = shieldwall.admin("clock", {"set": "2030-01-02T03:04:05Z"})
    assert pinned["now"].startswith("2030-01-02T03:04")
    assert pinned["pinned"] is True
    shieldwall.admin("clock", {"reset": True})
    assert abs(datetime.fromisoformat(shieldwall.admin("clock")["now"]) - datetime.now(UTC)) < timedelta(
        minutes=1
    )


def test_advanced_clock_keeps_real_time_signatures_valid(shieldwall: ServerInfo) -> None:
    shieldwall.advance_clock(86400)
    assert shieldwall.client("sts").get_caller_identity()["Account"] == "000000000000"


def test_clock_rejects_malformed_bodies(shieldwall: ServerInfo) -> None:
    for body in (b"not json", b"[]", b'{"advance_seconds": "x"}', b'{"set": "yesterday"}', b"{}"):
        request = urllib.request.Request(f"{shieldwall.endpoint}/_shieldwall/clock", data=body)
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=5)
        assert raised.value.code == 400


def test_reset_forgets_audit_events(shieldwall: ServerInfo) -> None:
    shieldwall.client("sts").get_caller_identity()
    shieldwall.reset()
    events = shieldwall.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]
    )["Events"]
    assert events == []


def test_a_moved_clock_survives_a_restart(tmp_path: Path) -> None:
    """The clock is part of the state: keys scheduled for deletion stay past their window after a restart."""
    server = ShieldwallServer(tmp_path / "data")
    try:
        info = server.start()
        info.admin("clock", {"set": "2031-05-06T07:08:09Z"})
        server.stop()
        info = server.start()
        state = info.admin("clock")
        assert state["pinned"] is True
        assert datetime.fromisoformat(state["now"]) - datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC) < timedelta(
            minutes=5
        )
    finally:
        server.cleanup()
