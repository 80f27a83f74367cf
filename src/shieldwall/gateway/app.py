"""The request pipeline, in order, in one place.

    route → authenticate → parse → authorize → invoke → serialize → audit

Each step is a small function of (RequestContext, Runtime) in gateway/steps/. A step that fails raises an
AwsError; the pipeline stops there, the error is serialized in the called service's wire format, and the audit
event is recorded whatever happened. Anything that is not an AwsError is a bug: it is logged with its traceback
and the client gets AWS's InternalFailure, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shieldwall import ids
from shieldwall.errors import AwsError, internal_error
from shieldwall.gateway import admin
from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.gateway.steps.authenticate import authenticate
from shieldwall.gateway.steps.authorize import authorize_request
from shieldwall.gateway.steps.invoke import invoke
from shieldwall.gateway.steps.parse import parse_params
from shieldwall.gateway.steps.respond import record_audit_event, serialize
from shieldwall.gateway.steps.route import route_request
from shieldwall.http import HttpRequest, HttpResponse

log = logging.getLogger("shieldwall")

Step = Callable[[RequestContext, Runtime], None]

PIPELINE: tuple[Step, ...] = (route_request, authenticate, parse_params, authorize_request, invoke)


def handle(request: HttpRequest, rt: Runtime) -> HttpResponse:
    ctx = RequestContext(request, ids.request_id(), rt.clock.now())
    try:
        for step in PIPELINE:
            step(ctx, rt)
    except AwsError as error:
        ctx.error = error.with_traceback(None)  # its frames would hold ctx in a cycle
    except Exception:
        log.exception("internal error in %s %s (request %s)", ctx.service, ctx.operation_name, ctx.request_id)
        ctx.error = internal_error()
    try:
        response = serialize(ctx, rt)
    except Exception:
        log.exception("could not serialize the response to request %s", ctx.request_id)
        ctx.error = internal_error()
        ctx.output = None
        response = serialize(ctx, rt)
    try:
        record_audit_event(ctx, rt)
    except Exception:
        log.exception("could not record the audit event of request %s", ctx.request_id)
    # The call's judge refers back to ctx; without that cycle (or the error's), reference counting frees the
    # request here instead of leaving it to the cycle collector (which cost about 5% of a GetSecretValue).
    ctx.call = None
    return response


def dispatch(request: HttpRequest, rt: Runtime) -> HttpResponse:
    """Answer one request: the admin surface under `/_shieldwall/`, the pipeline for everything else."""
    rt.observe()
    if request.raw_path.startswith(admin.PREFIX):
        return admin.handle(request, rt)
    return handle(request, rt)
