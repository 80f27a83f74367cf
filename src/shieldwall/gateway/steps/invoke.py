"""Step 6: run the provider's method."""

from __future__ import annotations

from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime
from shieldwall.gateway.steps.authorize import call_for


def invoke(ctx: RequestContext, rt: Runtime) -> None:
    assert ctx.route is not None
    handler = rt.services.handler(ctx.route.service, ctx.route.operation.name)
    assert handler is not None  # authorize_request answered 501 otherwise
    ctx.output = handler(call_for(ctx, rt), ctx.params)
