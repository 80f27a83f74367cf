"""The runnable scenarios in examples/ run and show what they claim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_confused_deputy_is_stopped_by_the_external_id() -> None:
    lines = run_example("confused_deputy_external_id.py").splitlines()
    assert lines[0] == "ExternalId=None: AccessDenied"
    assert lines[1] == "ExternalId='guessed-id': AccessDenied"
    assert lines[2].startswith("ExternalId='customer-7f3a': allowed as arn:aws:sts::")


def test_the_region_lock_binds_members_and_not_the_management_account() -> None:
    lines = run_example("scp_region_lock.py").splitlines()
    assert lines[0] == "member account in us-east-1: allowed"
    assert lines[1].startswith("member account in eu-west-1: User: ") and lines[1].endswith(
        "with an explicit deny in a service control policy"
    )
    assert lines[2].startswith("management account in eu-west-1: allowed")
