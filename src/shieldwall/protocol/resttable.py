"""The routing table of one REST service: its operations' URI templates in a segment trie, per HTTP method.

A request's path is walked through the trie once, collecting every template it fits (literal segments, `{Label}`
captures, a final `{Greedy+}` capture); the templates whose literal query part (`?acl`, `?list-type=2`) the
request carries stay candidates, and the most specific one wins. Specificity, in order: an `x-id` naming the
operation, more literal path segments, more literal query keys, no required query/header member missing, more
required members present (S3's UploadPart over PutObject, ListParts over GetObject), more optional query members
present (ListDirectoryBuckets over ListBuckets), not deprecated (PutBucketLifecycleConfiguration over
PutBucketLifecycle, which share their wire form), no greedy label, model order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

import botocore.model

_LABEL = re.compile(r"\{([^}]+)\}\Z")


@dataclass(slots=True)
class Template:
    operation: botocore.model.OperationModel
    segments: list[str | None]
    labels: list[tuple[int, str]]
    greedy: str | None
    query_literals: list[tuple[str, str | None]]
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    optional_query: frozenset[str]
    host_prefix: re.Pattern[str] | None
    order: int
    literal_count: int


@dataclass(slots=True)
class _Leaf:
    """The templates ending at one trie node, bucketed by their first literal query key so that a request only
    looks at the templates whose literal it carries (S3 has some forty `/{Bucket}?<subresource>` templates)."""

    plain: list[Template] = field(default_factory=list)
    keyed: dict[str, list[Template]] = field(default_factory=dict)

    def add(self, template: Template) -> None:
        if template.query_literals:
            self.keyed.setdefault(template.query_literals[0][0], []).append(template)
        else:
            self.plain.append(template)

    def __bool__(self) -> bool:
        return bool(self.plain or self.keyed)

    def collect(self, query: Mapping[str, str] | None, start: int, found: list[tuple[Template, int]]) -> None:
        """Adds the templates the request's query fits; with no query at all, every template."""
        for template in self.plain:
            found.append((template, start))
        if query is None:
            found.extend((template, start) for templates in self.keyed.values() for template in templates)
        elif self.keyed:
            for key in query:
                for template in self.keyed.get(key, ()):
                    if _fits_query(template, query):
                        found.append((template, start))


@dataclass(slots=True)
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    capture: _Node | None = None
    ends: _Leaf = field(default_factory=_Leaf)
    greedy: _Leaf = field(default_factory=_Leaf)


@dataclass(frozen=True, slots=True)
class Match:
    template: Template
    path_params: dict[str, str]

    @property
    def operation(self) -> botocore.model.OperationModel:
        return self.template.operation


class RestTable:
    def __init__(self, operations: list[botocore.model.OperationModel]) -> None:
        self._by_method: dict[str, _Node] = {}
        self._host_prefixed: dict[str, _Node] = {}
        self._any_method = _Node()
        for order, operation in enumerate(operations):
            template = build_template(operation, order)
            method = str(operation.http.get("method", "POST")).upper()
            tries = self._host_prefixed if template.host_prefix is not None else self._by_method
            _insert(tries.setdefault(method, _Node()), template)
            _insert(self._any_method, template)

    def match(
        self,
        method: str,
        raw_path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        host: str,
        host_prefixed_only: bool = False,
    ) -> Match | None:
        """The best template for the request, or None; raises UnicodeDecodeError on undecodable labels.

        Templates of operations addressed by a host prefix (S3's WriteGetObjectResponse) are candidates only
        when the host carries that prefix; `host_prefixed_only` looks at those alone.
        """
        segments = split_path(raw_path)
        found: list[tuple[Template, int]] = []
        prefixed = self._host_prefixed.get(method)
        if prefixed is not None:
            _walk(prefixed, segments, 0, query, found)
            found = [pair for pair in found if pair[0].host_prefix.match(host)]  # type: ignore[union-attr]
        root = self._by_method.get(method)
        if root is not None and not host_prefixed_only:
            _walk(root, segments, 0, query, found)
        if not found:
            return None
        if len(found) == 1:
            template, start = found[0]
        else:
            template, start = max(found, key=lambda pair: _specificity(pair[0], query, headers))
        return Match(template, _path_params(template, segments, start))

    def knows_path(self, raw_path: str) -> bool:
        """Whether any method has an operation at this path (S3 then answers 405, not 404)."""
        found: list[tuple[Template, int]] = []
        _walk(self._any_method, split_path(raw_path), 0, None, found)
        return bool(found)


def build_template(operation: botocore.model.OperationModel, order: int) -> Template:
    request_uri = str(operation.http.get("requestUri", "/"))
    path, _, query = request_uri.partition("?")
    segments: list[str | None] = []
    labels: list[tuple[int, str]] = []
    greedy: str | None = None
    for index, segment in enumerate(split_path(path)):
        label = _LABEL.match(segment)
        if label is None:
            if "{" in segment:
                raise ValueError(f"unsupported URI template `{request_uri}` of {operation.name}")
            segments.append(segment)
        elif label.group(1).endswith("+"):
            if index != len(split_path(path)) - 1:
                raise ValueError(f"greedy label before the end of `{request_uri}` of {operation.name}")
            greedy = label.group(1)[:-1]
        else:
            segments.append(None)
            labels.append((index, label.group(1)))
    required_query, required_headers, optional_query = _located_members(operation)
    return Template(
        operation=operation,
        segments=segments,
        labels=labels,
        greedy=greedy,
        query_literals=_query_literals(query),
        required_query=required_query,
        required_headers=required_headers,
        optional_query=optional_query,
        host_prefix=_host_prefix_pattern(operation),
        order=order,
        literal_count=sum(1 for segment in segments if segment is not None),
    )


def split_path(raw_path: str) -> list[str]:
    if raw_path in ("", "/"):
        return []
    return raw_path[1:].split("/") if raw_path.startswith("/") else raw_path.split("/")


def _query_literals(query: str) -> list[tuple[str, str | None]]:
    literals: list[tuple[str, str | None]] = []
    for part in query.split("&"):
        if part:
            key, equals, value = part.partition("=")
            literals.append((key, value if equals else None))
    return literals


def _located_members(
    operation: botocore.model.OperationModel,
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    shape = operation.input_shape
    if not isinstance(shape, botocore.model.StructureShape):
        return (), (), frozenset()
    required = set(shape.required_members)
    required_query: list[str] = []
    required_headers: list[str] = []
    optional_query: set[str] = set()
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = str(member.serialization.get("name", name))
        if location == "querystring" and not isinstance(member, botocore.model.MapShape):
            if name in required:
                required_query.append(wire)
            else:
                optional_query.add(wire)
        elif location == "header" and name in required:
            required_headers.append(wire.lower())
    return tuple(required_query), tuple(required_headers), frozenset(optional_query)


def _host_prefix_pattern(operation: botocore.model.OperationModel) -> re.Pattern[str] | None:
    template = (operation.endpoint or {}).get("hostPrefix")
    if not template:
        return None
    pattern = re.sub(r"\\\{[^}]+\\\}", "[A-Za-z0-9][A-Za-z0-9.-]*?", re.escape(template))
    return re.compile(pattern)


def _insert(root: _Node, template: Template) -> None:
    node = root
    for segment in template.segments:
        if segment is None:
            if node.capture is None:
                node.capture = _Node()
            node = node.capture
        else:
            node = node.literals.setdefault(segment, _Node())
    (node.greedy if template.greedy else node.ends).add(template)


def _walk(
    node: _Node,
    segments: list[str],
    index: int,
    query: Mapping[str, str] | None,
    found: list[tuple[Template, int]],
) -> None:
    remaining = len(segments) - index
    if remaining == 0 or (remaining == 1 and index > 0 and segments[index] == ""):
        node.ends.collect(query, index, found)
    if remaining == 0:
        return
    if node.greedy and any(segments[index:]):
        node.greedy.collect(query, index, found)
    child = node.literals.get(segments[index])
    if child is not None:
        _walk(child, segments, index + 1, query, found)
    if node.capture is not None and segments[index]:
        _walk(node.capture, segments, index + 1, query, found)


def _fits_query(template: Template, query: Mapping[str, str]) -> bool:
    for key, value in template.query_literals:
        present = query.get(key)
        if present is None or (value is not None and present != value):
            return False
    return True


def _specificity(template: Template, query: Mapping[str, str], headers: Mapping[str, str]) -> tuple[int, ...]:
    present = 0
    for key in template.required_query:
        present += key in query
    for name in template.required_headers:
        present += name in headers
    missing = len(template.required_query) + len(template.required_headers) - present
    optional = 0
    for key in query:
        optional += key in template.optional_query
    return (
        query.get("x-id") == template.operation.name,
        template.literal_count,
        len(template.query_literals),
        missing == 0,
        present,
        optional,
        not template.operation.deprecated,
        template.greedy is None,
        -template.order,
    )


def _path_params(template: Template, segments: list[str], greedy_start: int) -> dict[str, str]:
    params = {name: unquote(segments[index], errors="strict") for index, name in template.labels}
    if template.greedy is not None:
        params[template.greedy] = unquote("/".join(segments[greedy_start:]), errors="strict")
    return params
