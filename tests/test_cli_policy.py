"""`shieldwall policy check` and `shieldwall policy simulate`, run as a user runs them (no server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def shieldwall(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shieldwall", "policy", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2))
    return path


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": list(statements)}
    if version:
        document["Version"] = version
    return document


READ = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def test_check_passes_a_clean_policy(tmp_path: Path) -> None:
    result = shieldwall("check", write(tmp_path, "read.json", policy(READ)))
    assert result.returncode == 0
    assert result.stdout.strip().endswith("read.json: no problems found")


def test_check_prints_every_grammar_error_and_exits_1(tmp_path: Path) -> None:
    bad = policy({"Effect": "Alow", "Action": "s3", "Resource": "bucket"})
    result = shieldwall("check", write(tmp_path, "bad.json", bad))
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 3
    assert "Effect must be `Allow` or `Deny`, not `Alow`" in errors[0]
    broken = shieldwall("check", write(tmp_path, "broken.json", '{"Version": "2012-10-17", "Statement": ['))
    assert broken.returncode == 1 and "not valid JSON" in broken.stdout


def test_check_judges_the_document_as_the_kind_named(tmp_path: Path) -> None:
    path = write(tmp_path, "read.json", policy(READ))
    result = shieldwall("check", path, "--kind", "resource")
    assert result.returncode == 1 and "Principal" in result.stdout


def test_check_lists_lint_findings_and_strict_makes_them_fail(tmp_path: Path) -> None:
    risky = policy(
        {
            "Sid": "Keys",
            "Effect": "Allow",
            "Action": ["kms:Decrpt", "iam:PassRole", "dynamodb:GetRecords", "s3:ListBucket"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SorceAccount": "123456789012", "aws:PrincipalTag/team": "x"}},
        },
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:*:*:q"},
    )
    path = write(tmp_path, "risky.json", risky)
    result = shieldwall("check", path)
    assert result.returncode == 0
    warnings = [line.split(": warning: ", 1)[1] for line in result.stdout.splitlines()]
    assert warnings == [
        "statement 0 (`Keys`): action `kms:Decrpt` is unknown to the service model of `kms`",
        "statement 0 (`Keys`): condition key `aws:SorceAccount` is not a documented global condition key",
        "statement 1: Allow with NotAction grants every action it does not list, including future ones",
        'statement 2: `"Action": "*"` with `"Resource": "*"` grants every action on every resource',
        "statement 3: `sqs:*` grants every action of `sqs`",
    ]
    assert shieldwall("check", path, "--strict").returncode == 1


def test_check_warns_about_versions_that_change_how_variables_read(tmp_path: Path) -> None:
    home = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}
    missing = shieldwall("check", write(tmp_path, "missing.json", policy(home, version=None)))
    assert "Version is missing" in missing.stdout
    assert "literal text" in missing.stdout
    old = shieldwall("check", write(tmp_path, "old.json", policy(READ, version="2008-10-17")))
    assert old.stdout.strip().endswith("no problems found")


def test_simulate_prints_the_decision_and_its_walk(tmp_path: Path) -> None:
    path = write(tmp_path, "read.json", policy(READ))
    allowed = shieldwall(
        "simulate", "--policy", path, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"
    )
    assert allowed.returncode == 0
    lines = allowed.stdout.splitlines()
    assert lines[0] == "s3:GetObject on arn:aws:s3:::b/k: allowed"
    assert lines[1] == "decision: Allow: allowed by an identity-based policy"
    assert any("identity-based policies: allow: allowed by read.json Read" in line for line in lines)
    denied = shieldwall(
        "simulate", "--policy", path, "--action", "s3:PutObject", "--resource", "arn:aws:s3:::b/k"
    )
    assert denied.returncode == 1
    assert "because no identity-based policy allows the s3:PutObject action" in denied.stdout


def test_simulate_uses_context_boundary_and_resource_policy(tmp_path: Path) -> None:
    everything = write(tmp_path, "all.json", policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    only_s3 = write(tmp_path, "boundary.json", policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    kms = shieldwall("simulate", "--policy", everything, "--boundary", only_s3, "--action", "kms:Decrypt")
    assert (
        kms.returncode == 1 and "because no permissions boundary allows the kms:Decrypt action" in kms.stdout
    )

    tagged = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
    }
    path = write(tmp_path, "tagged.json", policy(tagged))
    blue = shieldwall(
        "simulate", "--policy", path, "--action", "s3:GetObject", "--context", "aws:PrincipalTag/team=blue"
    )
    red = shieldwall(
        "simulate", "--policy", path, "--action", "s3:GetObject", "--context", "aws:PrincipalTag/team=red"
    )
    assert (blue.returncode, red.returncode) == (0, 1)

    outsider = "arn:aws:iam::111111111111:user/bob"
    bucket = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": {"AWS": outsider}, "Action": "s3:*", "Resource": "*"}],
    }
    denied = shieldwall(
        "simulate",
        "--policy",
        everything,
        "--principal",
        outsider,
        "--resource-policy",
        write(tmp_path, "bucket.json", bucket),
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::shared/x",
        "--resource-account",
        "000000000000",
    )
    assert denied.returncode == 1
    assert "with an explicit deny in a resource-based policy" in denied.stdout


def test_simulate_refuses_input_it_cannot_read(tmp_path: Path) -> None:
    missing = shieldwall("simulate", "--policy", tmp_path / "nope.json", "--action", "s3:GetObject")
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    bad = write(tmp_path, "bad.json", policy({"Effect": "Allow", "Action": "s3:*"}))
    unparsable = shieldwall("simulate", "--policy", bad, "--action", "s3:GetObject")
    assert unparsable.returncode == 2 and "Resource" in unparsable.stderr
    good = write(tmp_path, "good.json", policy(READ))
    context = shieldwall("simulate", "--policy", good, "--action", "s3:GetObject", "--context", "novalue")
    assert context.returncode == 2 and "KEY=VALUE" in context.stderr
