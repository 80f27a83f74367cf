"""`shieldwall policy check` and `shieldwall policy simulate`: the policy engine offline, no server needed.

`check FILE` prints every grammar problem (exit 1) or the lint findings (exit 0, or 1 with `--strict`).
`simulate` evaluates one action on one resource with the engine enforcement uses (`decide`) and prints the
decision and its evaluation walk; exit 0 when allowed, 1 when denied, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import orjson

from shieldwall.cli.policy_lint import lint
from shieldwall.policy import validate
from shieldwall.policy.authorizer import PolicySet, decide
from shieldwall.policy.document import Policy, PolicyError, parse_policy
from shieldwall.policy.request import AuthzRequest
from shieldwall.services.iam.simulation import resource_account, verdict_of

DEFAULT_PRINCIPAL = "arn:aws:iam::000000000000:user/SimulatedCaller"


class InputError(Exception):
    """A file that cannot be read or parsed, or an argument that cannot be used: exit 2."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    policy = commands.add_parser("policy", help="check or simulate IAM policies offline")
    actions = policy.add_subparsers(dest="policy_command", required=True)
    check = actions.add_parser("check", help="grammar errors and lint findings of a policy document")
    check.add_argument("file", type=Path)
    check.add_argument(
        "--kind", choices=validate.KINDS, default="identity", help="policy type (default identity)"
    )
    check.add_argument("--strict", action="store_true", help="exit 1 when there are lint findings")
    simulate = actions.add_parser("simulate", help="evaluate one request against policies")
    simulate.add_argument("--policy", type=Path, action="append", required=True, help="identity policy file")
    simulate.add_argument("--action", required=True, help="the action, e.g. s3:GetObject")
    simulate.add_argument("--resource", default="*", help="the resource ARN (default *)")
    simulate.add_argument("--context", action="append", default=[], metavar="KEY=VALUE", help="repeatable")
    simulate.add_argument("--principal", default=DEFAULT_PRINCIPAL, help="the caller's ARN")
    simulate.add_argument("--resource-policy", type=Path, help="resource-based policy file")
    simulate.add_argument("--boundary", type=Path, help="permissions boundary policy file")
    simulate.add_argument("--resource-account", help="owner of a resource whose ARN names no account")


def run(args: argparse.Namespace) -> int:
    try:
        if args.policy_command == "check":
            return check(args.file, args.kind, args.strict)
        return simulate(args)
    except InputError as error:
        print(f"shieldwall policy: {error}", file=sys.stderr)
        return 2


def check(path: Path, kind: str, strict: bool) -> int:
    text = _read(path)
    try:
        policy = parse_policy(text, kind, name=path.name)
    except PolicyError as error:
        for problem in error.problems:
            print(f"{path}: error: {problem}")
        return 1
    findings = lint(orjson.loads(text), policy)
    for finding in findings:
        print(f"{path}: warning: {finding.render()}")
    if not findings:
        print(f"{path}: no problems found")
    return 1 if findings and strict else 0


def simulate(args: argparse.Namespace) -> int:
    policies = PolicySet(
        identity=tuple(_load(path, "identity") for path in args.policy),
        resource=None if args.resource_policy is None else _load(args.resource_policy, "resource"),
        boundary=None if args.boundary is None else _load(args.boundary, "boundary"),
    )
    account = _account_of(args.principal)
    request = AuthzRequest(
        principal_arn=args.principal,
        principal_account=account,
        action=args.action,
        resource=args.resource,
        resource_account=resource_account(args.resource, args.resource_account or account),
        context=parse_context(args.context),
    )
    decision = decide(request, policies)
    print(f"{args.action} on {args.resource}: {verdict_of(decision)}")
    if decision.explanation is not None:
        print(decision.explanation.render())
    return 0 if decision.allowed else 1


def parse_context(pairs: list[str]) -> dict[str, tuple[str, ...]]:
    """`key=value` pairs; a key given more than once is multi-valued. Keys are case-insensitive."""
    values: dict[str, list[str]] = defaultdict(list)
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise InputError(f"--context `{pair}` must be KEY=VALUE")
        values[key.strip().lower()].append(value)
    return {key: tuple(items) for key, items in values.items()}


def _account_of(principal: str) -> str:
    parts = principal.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[4]:
        raise InputError(f"--principal `{principal}` must be an ARN naming an account")
    return parts[4]


def _load(path: Path, kind: str) -> Policy:
    try:
        return parse_policy(_read(path), kind, name=path.name)
    except PolicyError as error:
        raise InputError(f"{path}: " + "; ".join(error.problems)) from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None
