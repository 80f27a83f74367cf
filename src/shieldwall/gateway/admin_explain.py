"""`/_shieldwall/explain/<request-id>` and `/_shieldwall/explain?denied=1&since=...` (admin only).

A request's explanation comes from the in-memory log of recent verdicts, else from the audit trail (every
denial's event carries its rendered walk, so denials stay explainable after a restart). The denied listing reads
the audit trail only.
"""

from __future__ import annotations

import re
from typing import Any

from shieldwall.clock import fmt_iso8601
from shieldwall.gateway.denials import parse_since, summarize
from shieldwall.gateway.explanations import event_json
from shieldwall.gateway.runtime import Runtime
from shieldwall.http import HttpRequest

PATH = "explain"
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")

Answer = tuple[int, dict[str, Any]]


def is_explain_path(path: str) -> bool:
    return path == PATH or path.startswith(PATH + "/")


def handle_explain(request: HttpRequest, rt: Runtime, path: str) -> Answer:
    if request.method not in ("GET", "HEAD"):
        return 405, {"error": f"method {request.method} not allowed on {request.raw_path}"}
    if path == PATH:
        return list_denials(request, rt)
    return explain_request(rt, path[len(PATH) + 1 :])


def explain_request(rt: Runtime, request_id: str) -> Answer:
    if not _REQUEST_ID.fullmatch(request_id):
        return 400, {"error": f"`{request_id[:200]}` is not a request id"}
    verdict = rt.explanations.find(request_id)
    if verdict is not None:
        return 200, verdict.as_json()
    event = rt.audit.find_by_request_id(request_id)
    if event is not None and event.get("shieldwall"):
        return 200, event_json(event)
    return 404, {"error": f"no explanation for request `{request_id}`: unknown, or too old to be kept"}


def list_denials(request: HttpRequest, rt: Runtime) -> Answer:
    if request.query_param("denied") not in ("1", "true"):
        return 400, {"error": "ask for /_shieldwall/explain/<request-id>, or /_shieldwall/explain?denied=1"}
    since_text = request.query_param("since")
    try:
        since = parse_since(since_text, rt.clock.now()) if since_text else None
    except ValueError as error:
        return 400, {"error": str(error)}
    denials = summarize(rt.audit.denials(since))
    return 200, {"since": fmt_iso8601(since) if since else None, "denials": denials}
