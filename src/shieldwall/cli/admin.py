"""`shieldwall admin account create|list`: the accounts a running server hosts."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shieldwall.cli.explain import ExplainError, ask, endpoint_of


def register(commands: Any) -> None:
    admin = commands.add_parser("admin", help="manage a running server")
    admin.add_argument(
        "--endpoint", help="the server (default $SHIELDWALL_ENDPOINT, $AWS_ENDPOINT_URL, or :4566)"
    )
    topics = admin.add_subparsers(dest="topic")
    account = topics.add_parser("account", help="accounts hosted by the server")
    actions = account.add_subparsers(dest="action")
    create = actions.add_parser("create", help="create an account and print its root credentials")
    create.add_argument("--name", required=True)
    create.add_argument("--email", default="")
    actions.add_parser("list", help="list the accounts")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "topic", None) != "account" or getattr(args, "action", None) not in ("create", "list"):
        print("usage: shieldwall admin account create --name NAME [--email E] | list", file=sys.stderr)
        return 2
    endpoint = endpoint_of(args.endpoint)
    try:
        if args.action == "create":
            status, body = ask(endpoint, "accounts", {"name": args.name, "email": args.email})
        else:
            status, body = ask(endpoint, "accounts")
    except ExplainError as error:
        print(f"shieldwall: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"shieldwall: {body.get('error', status)}", file=sys.stderr)
        return 1
    if args.action == "create":
        print(f"AccountId        {body['AccountId']}")
        print(f"AccessKeyId      {body['AccessKeyId']}")
        print(f"SecretAccessKey  {body['SecretAccessKey']}  (shown once)")
    else:
        for account in body["Accounts"]:
            print(f"{account['AccountId']}  {account.get('Name', '')}")
    return 0
