"""Step 6: run the provider's method."""

from __future__ import annotations

from shieldwall.gateway.context import RequestContext
from shieldwall.gateway.runtime import Runtime


def invoke(ctx: RequestContext, rt: Runtime) -> None:
    assert ctx.route is not None and ctx.call is not None  # set by authorize_request
    handler = rt.services.handler(ctx.route.service, ctx.route.operation.name)
    assert handler is not None  # authorize_request answered 501 otherwise
    ctx.output = handler(ctx.call, ctx.params)
