"""shieldwall's own endpoints under /_shieldwall/: health (open); reset, clock and explain (root or loopback
only)."""

from __future__ import annotations

import json
import os
from typing import Any

from shieldwall import __version__
from shieldwall.accounts import create_account, list_accounts
from shieldwall.auth.verifier import verify
from shieldwall.clock import Clock, fmt_iso8601, parse_iso8601
from shieldwall.config import is_loopback
from shieldwall.errors import AwsError
from shieldwall.gateway.admin_explain import handle_explain, is_explain_path
from shieldwall.gateway.runtime import Runtime
from shieldwall.http import HttpRequest, HttpResponse
from shieldwall.spec.loader import SERVICES

PREFIX = "/_shieldwall/"


def handle(request: HttpRequest, rt: Runtime) -> HttpResponse:
    path = request.raw_path[len(PREFIX) :].rstrip("/")
    if path == "health" and request.method in ("GET", "HEAD"):
        return _json(200, health(rt))
    if path not in ("reset", "clock", "accounts") and not is_explain_path(path):
        return _json(404, {"error": f"no admin endpoint `{request.raw_path}`"})
    if not _is_admin(request, rt):
        return _json(403, {"error": "admin endpoints need root credentials or a loopback caller"})
    if is_explain_path(path):
        return _json(*handle_explain(request, rt, path))
    if path == "reset" and request.method == "POST":
        rt.reset()
        return _json(200, {"reset": True, "time": fmt_iso8601(rt.clock.now())})
    if path == "accounts":
        return _accounts(request, rt)
    if path == "clock" and request.method == "GET":
        return _json(200, _clock_state(rt))
    if path == "clock" and request.method == "POST":
        return _move_clock(request, rt)
    return _json(405, {"error": f"method {request.method} not allowed on {request.raw_path}"})


def health(rt: Runtime) -> dict[str, Any]:
    implemented = rt.services.implemented()
    services = {
        name: ("available" if implemented.get(name) else "not implemented") for name in sorted(SERVICES)
    }
    # `process`: which worker answered (`serve --workers N` runs N processes behind one port).
    return {"status": "running", "version": __version__, "process": os.getpid(), "services": services}


def _is_admin(request: HttpRequest, rt: Runtime) -> bool:
    if is_loopback(request.client_ip):
        return True
    try:
        verified = verify(
            request,
            rt.resolver,
            family="rest-json",
            skew_now=rt.clock.skew_reference(),
            service_now=rt.clock.now(),
        )
    except AwsError:
        return False
    return verified.credential.principal_kind == "root"


def _accounts(request: HttpRequest, rt: Runtime) -> HttpResponse:
    """GET lists the accounts; POST {"name": ..., "email": ...} creates one and returns its root credentials
    (the only time its secret is shown)."""
    if request.method == "GET":
        listed = [{"AccountId": rt.settings.account_id, "Name": "default"}]
        listed += [
            {"AccountId": account.account_id, "Name": account.name, "Email": account.email}
            for account in list_accounts(rt.store, rt.settings.partition)
        ]
        return _json(200, {"Accounts": listed})
    if request.method != "POST":
        return _json(405, {"error": f"method {request.method} not allowed on {request.raw_path}"})
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as error:
        return _json(400, {"error": str(error)})
    if not isinstance(body, dict) or not isinstance(body.get("name", ""), str):
        return _json(400, {"error": 'send {"name": "<account name>", "email": "<optional>"}'})
    with rt.store.transaction() as tx:
        created = create_account(
            tx,
            rt.services.deps.sealer,
            partition=rt.settings.partition,
            now=rt.clock.now(),
            name=body.get("name") or "account",
            email=str(body.get("email", "")),
            taken=frozenset({rt.settings.account_id}),
        )
    account = created.account
    return _json(
        200,
        {
            "AccountId": account.account_id,
            "Name": account.name,
            "AccessKeyId": account.root_access_key_id,
            "SecretAccessKey": created.secret_access_key,
        },
    )


def _clock_state(rt: Runtime) -> dict[str, Any]:
    return {"now": fmt_iso8601(rt.clock.now()), "pinned": rt.clock.is_pinned()}


def _move_clock(request: HttpRequest, rt: Runtime) -> HttpResponse:
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        if "advance_seconds" in body:
            seconds = body["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise ValueError("`advance_seconds` must be a number")
            rt.move_clock(lambda clock: clock.advance(float(seconds)))
        elif "set" in body:
            when = parse_iso8601(str(body["set"]))
            rt.move_clock(lambda clock: clock.set(when))
        elif body.get("reset"):
            rt.move_clock(Clock.reset)
        else:
            raise ValueError('send {"advance_seconds": N}, {"set": "<ISO 8601>"} or {"reset": true}')
    except ValueError as error:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        return _json(400, {"error": str(error)})
    return _json(200, _clock_state(rt))


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(body).encode("utf-8"))
