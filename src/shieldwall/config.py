"""Settings from the environment (SHIELDWALL_*) and the command line, as one frozen object."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

AuthMode = Literal["enforce", "audit", "off"]
AUTH_MODES: tuple[AuthMode, ...] = ("enforce", "audit", "off")
DEFAULT_ROOT_KEY = ("test", "test")
MAX_WORKERS = 64


class ConfigError(ValueError):
    """A setting that cannot be served; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path(".shieldwall")
    auth: AuthMode = "enforce"
    account_id: str = "000000000000"
    region: str = "us-east-1"
    partition: str = "aws"
    root_access_key_id: str = DEFAULT_ROOT_KEY[0]
    root_secret_access_key: str = DEFAULT_ROOT_KEY[1]
    log_level: str = "info"
    # KMS request quotas (ThrottlingException): "off", "on" (AWS's default quotas) or requests per second.
    kms_quotas: str = "off"
    # Server processes sharing the port and the data directory (each a whole server: one core each).
    workers: int = 1

    @property
    def uses_default_root_key(self) -> bool:
        return (self.root_access_key_id, self.root_secret_access_key) == DEFAULT_ROOT_KEY

    def with_overrides(self, **changes: object) -> Settings:
        present = {key: value for key, value in changes.items() if value is not None}
        return replace(self, **present)  # type: ignore[arg-type]

    def checked(self) -> Settings:
        if self.auth not in AUTH_MODES:
            raise ConfigError(f"--auth must be one of {', '.join(AUTH_MODES)}, not `{self.auth}`")
        if not (len(self.account_id) == 12 and self.account_id.isdigit()):
            raise ConfigError(f"SHIELDWALL_ACCOUNT_ID must be 12 digits, not `{self.account_id}`")
        quotas = self.kms_quotas.strip().lower()
        if quotas not in ("", "off", "on") and not quotas.isdigit():
            raise ConfigError(
                f"SHIELDWALL_KMS_QUOTAS must be off, on or a number of requests per second, not `{self.kms_quotas}`"
            )
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ConfigError(f"--workers must be between 1 and {MAX_WORKERS}, not {self.workers}")
        if self.workers > 1 and quotas not in ("", "off"):
            raise ConfigError(
                "SHIELDWALL_KMS_QUOTAS counts requests in one process: with it on, serve with --workers 1"
            )
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port must be between 0 and 65535, not {self.port}")
        if self.uses_default_root_key and not is_loopback(self.host):
            raise ConfigError(
                f"refusing to listen on {self.host} with the default root credentials test/test: "
                "set SHIELDWALL_ROOT_ACCESS_KEY_ID and SHIELDWALL_ROOT_SECRET_ACCESS_KEY to a key pair of your own, "
                "or listen on 127.0.0.1"
            )
        return self


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    base = Settings()
    port = env.get("SHIELDWALL_PORT")
    try:
        port_value = int(port) if port else None
    except ValueError as exc:
        raise ConfigError(f"SHIELDWALL_PORT must be a number, not `{port}`") from exc
    data_dir = env.get("SHIELDWALL_DATA_DIR")
    workers = env.get("SHIELDWALL_WORKERS")
    try:
        workers_value = int(workers) if workers else None
    except ValueError as exc:
        raise ConfigError(f"SHIELDWALL_WORKERS must be a number, not `{workers}`") from exc
    return base.with_overrides(
        host=env.get("SHIELDWALL_HOST"),
        port=port_value,
        data_dir=Path(data_dir) if data_dir else None,
        auth=env.get("SHIELDWALL_AUTH"),
        account_id=env.get("SHIELDWALL_ACCOUNT_ID"),
        region=env.get("SHIELDWALL_REGION"),
        root_access_key_id=env.get("SHIELDWALL_ROOT_ACCESS_KEY_ID"),
        root_secret_access_key=env.get("SHIELDWALL_ROOT_SECRET_ACCESS_KEY"),
        log_level=env.get("SHIELDWALL_LOG_LEVEL"),
        kms_quotas=env.get("SHIELDWALL_KMS_QUOTAS"),
        workers=workers_value,
    )
