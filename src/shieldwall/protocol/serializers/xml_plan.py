"""XML writers compiled from botocore shapes, once per member.

An `Emit` writes every element one member value produces (one element, or one per item for flattened lists
and maps) by appending strings to a parts list that is joined once at the end. Element names, namespace
attributes and the text function of each scalar are fixed when the plan is built, following the model:
`locationName` renames an element, list items are ``<member>`` unless the list's member says otherwise,
flattened lists and maps repeat the member element itself, map entries are ``<entry><key/><value/></entry>``,
`xmlAttribute` members become attributes of their structure's element, and `xmlNamespace` adds an `xmlns`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from botocore.model import Shape

from shieldwall.protocol.serializers import wire
from shieldwall.protocol.serializers.json_plan import BODY_LOCATIONS
from shieldwall.protocol.serializers.memo import StructureMemo

Emit = Callable[[list[str], Any], None]
# A structure member: its name, and either the open tag, close tag and text function of a scalar element
# (written inline, the common case) or the emitter of anything else.
Field = tuple[str, str, str, wire.Text | None, Emit | None]
_CONTAINERS = frozenset({"structure", "list", "map"})
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class XmlStructure:
    """The child elements and attributes of one structure shape."""

    __slots__ = ("attributes", "fields")

    def __init__(self) -> None:
        self.fields: tuple[Field, ...] = ()
        self.attributes: tuple[tuple[str, str], ...] = ()

    def write_children(self, parts: list[str], value: Mapping[str, Any]) -> None:
        append = parts.append
        for name, open_tag, close_tag, text, emit in self.fields:
            item = value.get(name)
            if item is None:
                continue
            if text is not None:
                append(open_tag + text(item) + close_tag)
            elif emit is not None:
                emit(parts, item)

    def attribute_text(self, value: Mapping[str, Any]) -> str:
        text = ""
        for name, attribute in self.attributes:
            item = value.get(name)
            if item is not None:
                text += f' {attribute}="{wire.escape_attribute(str(item))}"'
        return text


class XmlPlanner:
    """Compiles and remembers the writers of one service's shapes.

    `policy_documents` names the string shape whose values the service URL-encodes (IAM's
    `policyDocumentType`), so that quirk is decided here once rather than on each response.
    """

    def __init__(self, timestamp_format: str = "iso8601", policy_documents: str | None = None) -> None:
        self._timestamp_format = timestamp_format
        self._policy_documents = policy_documents
        self._structures: StructureMemo[XmlStructure] = StructureMemo()

    def structure(self, shape: Shape) -> XmlStructure:
        return self._structures.plan(shape.name, XmlStructure, lambda plan: self._fill(plan, shape))

    def _fill(self, plan: XmlStructure, shape: Shape) -> None:
        fields: list[Field] = []
        attributes: list[tuple[str, str]] = []
        for name, member in shape.members.items():
            serialization = member.serialization
            if serialization.get("location") in BODY_LOCATIONS:
                continue
            if serialization.get("xmlAttribute"):
                attributes.append((name, serialization.get("name", name)))
            elif member.type_name in _CONTAINERS:
                fields.append((name, "", "", None, self.member_emitter(name, member)))
            else:
                tag = _tag(name, member)
                open_tag = f"<{tag}{wire.namespace_attribute(serialization.get('xmlNamespace'))}>"
                fields.append((name, open_tag, f"</{tag}>", self.text(member), None))
        plan.fields = tuple(fields)
        plan.attributes = tuple(attributes)

    def member_emitter(self, name: str, member: Shape) -> Emit:
        """The writer of structure member `name`, whose element name the model may rename."""
        if member.type_name == "list" and member.serialization.get("flattened"):
            return self.flattened_list(member.member.serialization.get("name") or _tag(name, member), member)
        return self.element(_tag(name, member), member)

    def element(self, tag: str, shape: Shape) -> Emit:
        """The writer of one value of `shape` as the element `tag` (flattened collections repeat it)."""
        kind = shape.type_name
        open_tag = f"<{tag}{wire.namespace_attribute(shape.serialization.get('xmlNamespace'))}"
        close_tag = f"</{tag}>"
        if kind == "structure":
            return _structure_emitter(open_tag, close_tag, self.structure(shape))
        if kind == "list":
            if shape.serialization.get("flattened"):
                return self.flattened_list(tag, shape)
            item_tag = shape.member.serialization.get("name", "member")
            return _list_emitter(open_tag + ">", close_tag, self.element(item_tag, shape.member))
        if kind == "map":
            return self._map_emitter(open_tag + ">", close_tag, shape)
        return _scalar_emitter(open_tag + ">", close_tag, self.text(shape))

    def flattened_list(self, tag: str, shape: Shape) -> Emit:
        item = self.element(tag, shape.member)

        def emit_items(parts: list[str], value: list[Any]) -> None:
            for element in value:
                if element is not None:
                    item(parts, element)

        return emit_items

    def text(self, shape: Shape) -> wire.Text:
        """The text of a scalar shape."""
        kind = shape.type_name
        if kind == "string":
            if self._policy_documents is not None and shape.name == self._policy_documents:
                return _policy_document_text
            return wire.string_text
        if kind == "boolean":
            return wire.boolean_text
        if kind in ("integer", "long", "short", "byte"):
            return wire.integer_text
        if kind in ("float", "double"):
            return wire.float_text
        if kind == "timestamp":
            return wire.TIMESTAMP_TEXT[shape.serialization.get("timestampFormat", self._timestamp_format)]
        if kind == "blob":
            return wire.blob_text
        return wire.string_text

    def _map_emitter(self, open_tag: str, close_tag: str, shape: Shape) -> Emit:
        key_tag = shape.key.serialization.get("name", "key")
        key_open, key_close = f"<{key_tag}>", f"</{key_tag}>"
        key_text = self.text(shape.key)
        value_emit = self.element(shape.value.serialization.get("name", "value"), shape.value)
        flattened = bool(shape.serialization.get("flattened"))
        entry_open, entry_close = (open_tag, close_tag) if flattened else ("<entry>", "</entry>")

        def emit_entries(parts: list[str], value: Mapping[str, Any]) -> None:
            for key, element in value.items():
                if element is None:
                    continue
                parts.append(entry_open + key_open + key_text(key) + key_close)
                value_emit(parts, element)
                parts.append(entry_close)

        if flattened:
            return emit_entries

        def emit_map(parts: list[str], value: Mapping[str, Any]) -> None:
            parts.append(open_tag)
            emit_entries(parts, value)
            parts.append(close_tag)

        return emit_map


def _tag(name: str, member: Shape) -> str:
    tag: str = member.serialization.get("name", name)
    return tag


def _policy_document_text(value: str) -> str:
    return wire.iam_policy_text(value)


def _scalar_emitter(open_tag: str, close_tag: str, text: wire.Text) -> Emit:
    def emit_scalar(parts: list[str], value: Any) -> None:
        parts.append(open_tag + text(value) + close_tag)

    return emit_scalar


def _list_emitter(open_tag: str, close_tag: str, item: Emit) -> Emit:
    def emit_list(parts: list[str], value: list[Any]) -> None:
        parts.append(open_tag)
        for element in value:
            if element is not None:
                item(parts, element)
        parts.append(close_tag)

    return emit_list


def _structure_emitter(open_tag: str, close_tag: str, plan: XmlStructure) -> Emit:
    def emit_structure(parts: list[str], value: Mapping[str, Any]) -> None:
        parts.append(open_tag + (plan.attribute_text(value) if plan.attributes else "") + ">")
        plan.write_children(parts, value)
        parts.append(close_tag)

    return emit_structure


def write_loose_fields(parts: list[str], fields: Mapping[str, Any]) -> None:
    """Error details no shape models (S3's `BucketName`, `Key` ...), as simple text elements."""
    for name, value in fields.items():
        if value is None or _XML_NAME.fullmatch(name) is None:
            continue
        parts.append(f"<{name}>{_loose_text(value)}</{name}>")


def _loose_text(value: Any) -> str:
    if isinstance(value, bool):
        return wire.boolean_text(value)
    if isinstance(value, datetime):
        return wire.format_iso8601(value)
    if isinstance(value, bytes | bytearray):
        return wire.blob_text(value)
    return wire.string_text(value)
