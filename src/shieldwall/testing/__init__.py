"""Run a real shieldwall server inside your own tests.

    from shieldwall.testing import shieldwall_server

    with shieldwall_server() as server:
        sts = server.client("sts")
        sts.get_caller_identity()

The server is a separate process on a free loopback port with its state in a temporary directory, stopped
(and the directory removed) when the block ends. With pytest, the plugin gives you fixtures instead: see
`shieldwall.testing.plugin`. `aws_error(client.method, **params)` gives the (code, HTTP status, message) of
the error a call answers.
"""

from __future__ import annotations

from shieldwall.testing.errors import aws_error
from shieldwall.testing.server import ServerInfo, ShieldwallServer, shieldwall_server

__all__ = ["ServerInfo", "ShieldwallServer", "aws_error", "shieldwall_server"]
