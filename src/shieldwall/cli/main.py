"""`shieldwall serve` and friends."""

from __future__ import annotations

import argparse
import functools
import gc
import logging
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from shieldwall import __version__
from shieldwall.cli import admin, explain, policy
from shieldwall.cli.listen import bind, bind_workers
from shieldwall.config import AUTH_MODES, ConfigError, Settings, from_env

GC_YOUNG_THRESHOLD = 10_000


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "policy":
        return policy.run(args)
    if args.command == "explain":
        return explain.run(args)
    if args.command == "admin":
        return admin.run(args)
    if args.command != "serve":
        parser.print_help()
        return 2
    try:
        settings = _settings(args)
    except ConfigError as error:
        print(f"shieldwall: {error}", file=sys.stderr)
        return 2
    return serve(settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shieldwall", description="The AWS security plane on one machine")
    parser.add_argument("--version", action="version", version=f"shieldwall {__version__}")
    commands = parser.add_subparsers(dest="command")
    serve_cmd = commands.add_parser("serve", help="run the server")
    serve_cmd.add_argument("--host", help="address to listen on (SHIELDWALL_HOST, default 127.0.0.1)")
    serve_cmd.add_argument(
        "--port", type=int, help="port to listen on (SHIELDWALL_PORT, default 4566; 0 picks one)"
    )
    serve_cmd.add_argument(
        "--data-dir", type=Path, help="state directory (SHIELDWALL_DATA_DIR, default ./.shieldwall)"
    )
    serve_cmd.add_argument(
        "--auth", choices=AUTH_MODES, help="enforce (default), audit or off (SHIELDWALL_AUTH)"
    )
    serve_cmd.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    serve_cmd.add_argument(
        "--workers",
        type=int,
        help="server processes sharing the port and data directory (SHIELDWALL_WORKERS, default 1)",
    )
    policy.register(commands)
    explain.register(commands)
    admin.register(commands)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = from_env().with_overrides(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        auth=args.auth,
        log_level=args.log_level,
        workers=args.workers,
    )
    return settings.checked()


def serve(settings: Settings) -> int:
    process = "[%(process)d]" if settings.workers > 1 else ""
    logging.basicConfig(
        level=settings.log_level.upper(), format=f"%(asctime)s %(levelname)s %(name)s{process}: %(message)s"
    )
    if settings.workers == 1:
        sock = bind(settings.host, settings.port)
        return serve_one(settings, sock, announce=functools.partial(_announce, settings, sock))
    from shieldwall.cli.workers import run_workers

    socks = bind_workers(settings.host, settings.port, settings.workers)
    announce = functools.partial(_announce, settings, socks[0])
    return run_workers(settings, socks, functools.partial(serve_one, settings), announce)


def serve_one(settings: Settings, sock: socket.socket, *, announce: Callable[[], None] | None = None) -> int:
    """One server process on the listening socket `sock` (its own, or one of `--workers`)."""
    from shieldwall.gateway.app import dispatch
    from shieldwall.gateway.http_server import HttpServer
    from shieldwall.gateway.runtime import build_runtime

    runtime = build_runtime(settings)
    try:
        settle_heap()
        if announce is not None:
            announce()
        HttpServer(functools.partial(dispatch, rt=runtime), runtime.audit.flush).run_until_stopped(sock)
    finally:
        # Stopping: a second signal (Ctrl-C reaches every worker and the supervisor passes SIGTERM on) must not
        # cut short the commit of what is still pending.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        runtime.close()
    return 0


def settle_heap() -> None:
    """Everything loaded at start (the modules, botocore's loaders, the runtime) lives as long as the server: move
    it out of the collector's sight, so a full collection does not walk it each time, and let the youngest
    generation grow before it is collected (a request allocates a few hundred tracked objects, nearly all freed
    by reference counting). Service models load on first use, after this, and stay visible to the collector."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def _announce(settings: Settings, sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    secret = (
        settings.root_secret_access_key
        if settings.uses_default_root_key
        else "(from SHIELDWALL_ROOT_SECRET_ACCESS_KEY)"
    )
    print(
        f"shieldwall {__version__} ready on http://{shown_host}:{port}\n"
        f"  account {settings.account_id}, region {settings.region}, auth={settings.auth}, "
        f"data in {settings.data_dir}\n"
        f"  root credentials: AWS_ACCESS_KEY_ID={settings.root_access_key_id} AWS_SECRET_ACCESS_KEY={secret}",
        flush=True,
    )
