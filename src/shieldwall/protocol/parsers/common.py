"""What every protocol parser shares: the per-operation plan cache and the checks on the raw request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

import botocore.model

from shieldwall.errors import AwsError
from shieldwall.http import HttpRequest
from shieldwall.protocol.parsers.scalars import Decoder
from shieldwall.protocol.router import Route

PlanT = TypeVar("PlanT")

# S3 documents an 8 KB limit on the request header section; the other services sit behind front ends that
# refuse far smaller header sections than the 64 KB an HTTP server might let through.
MAX_HEADER_BYTES = {"rest-xml": 8 * 1024}
DEFAULT_MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class Plan:
    decode: Decoder | None


class PlanCache(Generic[PlanT]):
    """One compiled plan per operation, built on first use and kept for the life of the process."""

    def __init__(self, compile_plan: Callable[[botocore.model.OperationModel], PlanT]) -> None:
        self._compile = compile_plan
        self._plans: dict[tuple[str, str], PlanT] = {}

    def get(self, route: Route) -> PlanT:
        key = (route.service, route.operation.name)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(route.operation)
        return plan


class MalformedForm(Exception):
    """A query string or form body whose percent-escapes do not decode to UTF-8."""


def decode_form(text: str) -> list[tuple[str, str]]:
    """`a=1&b=x+y` as [("a", "1"), ("b", "x y")], like `parse_qsl` with blank values kept and strict UTF-8, but
    only unquoting the parts that need it (most parameters carry no escapes at all)."""
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((_unquote_plus(key), _unquote_plus(value)))
    return pairs


def _unquote_plus(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    if "%" in text:
        try:
            return unquote(text, errors="strict")
        except UnicodeDecodeError as exc:
            raise MalformedForm(text) from exc
    return text


def content_type(request: HttpRequest) -> str:
    return (request.header("content-type") or "").split(";", 1)[0].strip().lower()


def is_form(media_type: str) -> bool:
    return media_type == "application/x-www-form-urlencoded"


def is_json(media_type: str) -> bool:
    """`application/x-amz-json-1.0/1.1`, `application/json`, `...+json`, or no declared type at all."""
    return media_type == "" or "json" in media_type


def check_request_envelope(protocol: str, request: HttpRequest, body: bytes) -> None:
    """Refuse oversize header sections and bodies shorter or longer than their Content-Length (checked on the
    payload handed to the parser, unless it was aws-chunked and so decoded to a different length)."""
    limit = MAX_HEADER_BYTES.get(protocol, DEFAULT_MAX_HEADER_BYTES)
    size = sum(len(name) + len(value) + 4 for name, value in request.headers)
    if size > limit:
        raise AwsError(
            "RequestHeaderSectionTooLarge",
            "Your request header section exceeds the maximum allowed size.",
            400,
        )
    declared = request.header("content-length")
    if declared is None or _is_aws_chunked(request):
        return
    if not declared.strip().isdigit() or int(declared) != len(body):
        raise AwsError(
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
            400,
        )


def _is_aws_chunked(request: HttpRequest) -> bool:
    encoding = request.header("content-encoding") or ""
    payload_hash = request.header("x-amz-content-sha256") or ""
    return "aws-chunked" in encoding.lower() or payload_hash.startswith("STREAMING-")


def unsupported_media_type(media_type: str, expected: str) -> AwsError:
    return AwsError(
        "UnsupportedMediaTypeException",
        f"content type `{media_type}` is not supported: send {expected}",
        415,
    )


def reject_cbor(media_type: str) -> None:
    if media_type == "application/cbor":
        raise AwsError(
            "UnsupportedMediaTypeException",
            "the smithy-rpc-v2-cbor protocol (application/cbor) is not supported yet: "
            "send the request in the json protocol (application/x-amz-json-1.1)",
            415,
        )
