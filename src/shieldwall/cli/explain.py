"""`shieldwall explain REQUEST_ID` and `shieldwall explain --denied [--since 1h]`: ask a running server why.

The first prints one request's decision and its evaluation walk; the second every denial in the audit trail
(real ones and the would-be ones of `--auth=audit`), grouped by principal and action, each with the smallest
statement that would allow it. Both read admin endpoints, which answer loopback callers; a server on another
host needs its root credentials, so the request is then signed with the AWS credentials of the environment.
Exit status: 0 answered, 1 no such request, 2 the server could not be asked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from shieldwall.config import is_loopback

DEFAULT_PORT = 4566
_TIMEOUT = 30


class ExplainError(Exception):
    """The server could not be asked, or did not answer as expected."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("explain", help="why a request was allowed or denied; every denial")
    command.add_argument("request_id", nargs="?", help="the request id a client saw (x-amzn-RequestId)")
    command.add_argument("--denied", action="store_true", help="list denials grouped by principal and action")
    command.add_argument("--since", help="with --denied: an ISO 8601 time or a duration such as 1h, 30m, 2d")
    command.add_argument(
        "--endpoint", help="the server (default $SHIELDWALL_ENDPOINT, $AWS_ENDPOINT_URL, or :4566)"
    )
    command.add_argument("--json", action="store_true", help="print the server's JSON answer as it is")


def run(args: argparse.Namespace) -> int:
    if args.denied == bool(args.request_id) or (args.since and not args.denied):
        print("shieldwall explain: give a request id, or --denied [--since ...]", file=sys.stderr)
        return 2
    path = (
        denied_path(args.since) if args.denied else f"explain/{urllib.parse.quote(args.request_id, safe='')}"
    )
    try:
        status, body = ask(endpoint_of(args.endpoint), path)
    except ExplainError as error:
        print(f"shieldwall explain: {error}", file=sys.stderr)
        return 2
    if status != 200:
        print(f"shieldwall explain: {body.get('error', f'HTTP {status}')}", file=sys.stderr)
        return 1 if status == 404 else 2
    if args.json:
        print(json.dumps(body, indent=2))
    else:
        print(format_denials(body) if args.denied else format_explanation(body))
    return 0


def denied_path(since: str | None) -> str:
    query = {"denied": "1", **({"since": since} if since else {})}
    return f"explain?{urllib.parse.urlencode(query)}"


def endpoint_of(given: str | None) -> str:
    chosen = given or os.environ.get("SHIELDWALL_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")
    if not chosen:
        chosen = f"http://127.0.0.1:{os.environ.get('SHIELDWALL_PORT') or DEFAULT_PORT}"
    return chosen.rstrip("/")


def ask(endpoint: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """GET an admin endpoint, or POST `body` to it as JSON."""
    url = f"{endpoint}/_shieldwall/{path}"
    host = urllib.parse.urlsplit(url).hostname or ""
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {} if is_loopback(host) else signed_headers(url, data)
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:
            return response.status, _json_of(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _json_of(error.read())
    except (urllib.error.URLError, OSError) as error:
        raise ExplainError(f"cannot reach {endpoint}: {getattr(error, 'reason', error)}") from None


def signed_headers(url: str, data: bytes | None = None) -> dict[str, str]:
    """SigV4 headers for a GET of `url` (a POST of `data`), signed with the environment's AWS credentials (the
    server's root)."""
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = botocore.session.get_session()
    credentials = session.get_credentials()
    if credentials is None:
        raise ExplainError(
            "a server that is not on this machine needs its root credentials in the environment"
        )
    request = AWSRequest(method="GET" if data is None else "POST", url=url, data=data)
    SigV4Auth(credentials, "shieldwall", session.get_config_variable("region") or "us-east-1").add_auth(
        request
    )
    return {"Host": urllib.parse.urlsplit(url).netloc, **dict(request.headers.items())}


def _json_of(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ExplainError("the server's answer is not JSON: is this a shieldwall endpoint?") from None
    if not isinstance(body, dict):
        raise ExplainError("the server's answer is not a JSON object")
    return body


def format_explanation(body: dict[str, Any]) -> str:
    decision = body.get("decision")
    if decision == "Deny":
        decision += " (enforced)" if body.get("enforced", True) else " (not enforced: --auth=audit)"
    lines = [
        f"request {body.get('requestId')} at {body.get('time')}: {decision}",
        f"  principal: {body.get('principal')}",
        f"  operation: {body.get('service')} {body.get('operation')}",
    ]
    if body.get("action"):
        lines.append(f"  permission: {body['action']} on {body.get('resource')}")
    if body.get("message"):
        lines.append(f"  message: {body['message']}")
    lines.append(str(body.get("explanation", "")))
    return "\n".join(lines)


def format_denials(body: dict[str, Any]) -> str:
    denials = body.get("denials") or []
    since = f" since {body['since']}" if body.get("since") else ""
    if not denials:
        return f"no denials{since}"
    lines = [f"denials{since}, by principal and action:"]
    principal = None
    for entry in denials:
        if entry["principal"] != principal:
            principal = entry["principal"]
            lines.append(principal or "(no principal)")
        lines.extend(_format_group(entry))
    return "\n".join(lines)


def _format_group(entry: dict[str, Any]) -> list[str]:
    counts = f"{entry['count']} denied: {entry['enforced']} enforced, {entry['notEnforced']} not enforced"
    lines = [f"  {entry['action'] or '(no authorization mapping)'}: {counts}; last {entry['lastSeen']}"]
    lines.extend(f"    {reason}" for reason in entry.get("reasons", []))
    if "statement" in entry:
        lines.append(f"    allow with: {json.dumps(entry['statement'])}")
    lines.append(f"    requests: {', '.join(entry.get('requestIds', []))}")
    return lines
