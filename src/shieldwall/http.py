"""The raw HTTP request and response that every step of the pipeline sees.

Headers keep their arrival order and duplicates (SigV4 needs both); names are lower-cased once, here or (the HTTP
server, `names_lowered`) as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl


class HttpRequest:
    __slots__ = ("_query", "body", "client_ip", "header_map", "headers", "method", "query_string", "raw_path")

    def __init__(
        self,
        method: str,
        raw_path: str,
        query_string: str,
        headers: list[tuple[str, str]],
        body: bytes,
        client_ip: str = "127.0.0.1",
        *,
        names_lowered: bool = False,
    ) -> None:
        self.method = method.upper()
        self.raw_path = raw_path or "/"
        self.query_string = query_string
        self.headers = headers if names_lowered else [(name.lower(), value) for name, value in headers]
        self.body = body
        self.client_ip = client_ip
        merged: dict[str, str] = {}
        for name, value in self.headers:
            merged[name] = f"{merged[name]},{value}" if name in merged else value
        self.header_map = merged
        self._query: list[tuple[str, str]] | None = None

    def header(self, name: str) -> str | None:
        """The value of header `name` (lower-case), duplicates joined with commas as HTTP allows."""
        return self.header_map.get(name)

    @property
    def query_params(self) -> list[tuple[str, str]]:
        """Decoded query parameters in order; a key without `=` has the value ``""``."""
        if self._query is None:
            self._query = parse_qsl(self.query_string, keep_blank_values=True)
        return self._query

    def query_param(self, name: str) -> str | None:
        for key, value in self.query_params:
            if key == name:
                return value
        return None


@dataclass(slots=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None
