"""XML request bodies (rest-xml, i.e. S3) decoded into typed values, parsed only through defusedxml.

A document type declaration, an entity declaration or an external reference is refused outright (never
resolved), so billion-laughs and XXE bodies fail as `MalformedXML` like any other unreadable body.
Element and attribute names are matched on their local part, so a namespaced body (`xmlns=...`, `xsi:type`)
reads the same as a bare one. Decoders are compiled once per shape, recursion-safe like the JSON ones.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

import botocore.model
import defusedxml
import defusedxml.ElementTree

from shieldwall.protocol.parsers.scalars import Decoder, InvalidValue, text_decoder, timestamp_format


class XmlSyntaxError(Exception):
    """The body is not a well-formed XML document, or uses DTDs/entities."""


def load_xml(body: bytes) -> Element:
    try:
        root = defusedxml.ElementTree.fromstring(body, forbid_dtd=True, forbid_entities=True)
    except (ParseError, defusedxml.DefusedXmlException, ValueError, UnicodeError, RecursionError) as exc:
        raise XmlSyntaxError(str(exc)) from exc
    return root  # type: ignore[no-any-return]


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element: Element, name: str) -> str | None:
    wanted = name.rpartition(":")[2]
    for key, value in element.attrib.items():
        if local_name(key) == wanted:
            return value
    return None


class XmlDecoders:
    def __init__(self) -> None:
        self._memo: dict[tuple[str, str, str], Decoder] = {}

    def decoder(self, shape: botocore.model.Shape) -> Decoder:
        key = (shape.name, shape.type_name, timestamp_format(shape, "iso8601"))
        found = self._memo.get(key)
        if found is not None:
            return found
        if isinstance(shape, botocore.model.StructureShape):
            return self._structure(shape, key)
        if isinstance(shape, botocore.model.ListShape):
            return self._list(shape, key)
        if isinstance(shape, botocore.model.MapShape):
            return self._map(shape, key)
        decoder = _scalar(text_decoder(shape, "iso8601"), shape.type_name == "string")
        self._memo[key] = decoder
        return decoder

    def structure(self, shape: botocore.model.StructureShape, members: list[str]) -> Decoder:
        """A decoder for `shape` restricted to `members` (the ones that live in the body)."""
        return self._structure_of(shape, members, None)

    def _structure(self, shape: botocore.model.StructureShape, key: tuple[str, str, str]) -> Decoder:
        return self._structure_of(shape, list(shape.members), key)

    def _structure_of(
        self, shape: botocore.model.StructureShape, members: list[str], key: tuple[str, str, str] | None
    ) -> Decoder:
        children: dict[str, tuple[str, Decoder, bool]] = {}
        attributes: list[tuple[str, str, Decoder]] = []

        def decode(element: Element) -> dict[str, Any]:
            result: dict[str, Any] = {}
            for name, attribute, member in attributes:
                raw = _attribute(element, attribute)
                if raw is not None:
                    result[name] = _decode_at(member, raw, name)
            for child in element:
                entry = children.get(local_name(child.tag))
                if entry is None:
                    continue
                name, member, flattened = entry
                value = _decode_at(member, child, name)
                if flattened:
                    _merge_flattened(result, name, value)
                else:
                    result[name] = value
            return result

        if key is not None:
            self._memo[key] = decode
        for name in members:
            member = shape.members[name]
            wire = str(member.serialization.get("name", name))
            if member.serialization.get("xmlAttribute"):
                attributes.append((name, wire, text_decoder(member, "iso8601")))
                continue
            flattened = bool(member.serialization.get("flattened"))
            item = self._flattened_item(member) if flattened else self.decoder(member)
            children[wire] = (name, item, flattened)
            if flattened and isinstance(member, botocore.model.ListShape):
                children.setdefault(str(member.member.serialization.get("name", wire)), (name, item, True))
        return decode

    def _flattened_item(self, shape: botocore.model.Shape) -> Decoder:
        """A flattened list or map repeats its items as siblings; each sibling decodes to one item/entry."""
        if isinstance(shape, botocore.model.ListShape):
            item = self.decoder(shape.member)
            return lambda element: [item(element)]
        if isinstance(shape, botocore.model.MapShape):
            return self._entry_decoder(shape)
        return self.decoder(shape)

    def _list(self, shape: botocore.model.ListShape, key: tuple[str, str, str]) -> Decoder:
        cell: list[Decoder] = []

        def decode(element: Element) -> list[Any]:
            item = cell[0]
            return [_decode_at(item, child, str(index)) for index, child in enumerate(element, 1)]

        self._memo[key] = decode
        cell.append(self.decoder(shape.member))
        return decode

    def _map(self, shape: botocore.model.MapShape, key: tuple[str, str, str]) -> Decoder:
        cell: list[Decoder] = []

        def decode(element: Element) -> dict[Any, Any]:
            result: dict[Any, Any] = {}
            for entry in element:
                result.update(cell[0](entry))
            return result

        self._memo[key] = decode
        cell.append(self._entry_decoder(shape))
        return decode

    def _entry_decoder(self, shape: botocore.model.MapShape) -> Decoder:
        key_name = str(shape.key.serialization.get("name", "key"))
        value_name = str(shape.value.serialization.get("name", "value"))
        key_decoder = self.decoder(shape.key)
        value_decoder = self.decoder(shape.value)

        def decode(entry: Element) -> dict[Any, Any]:
            found: dict[str, Element] = {local_name(child.tag): child for child in entry}
            if key_name not in found or value_name not in found:
                raise InvalidValue(local_name(entry.tag), "Map")
            key = _decode_at(key_decoder, found[key_name], key_name)
            return {key: _decode_at(value_decoder, found[value_name], str(key))}

        return decode


def _scalar(decode: Decoder, is_string: bool) -> Decoder:
    def scalar(element: Element) -> Any:
        if len(element):
            raise InvalidValue(local_name(element.tag), "a value, not nested elements")
        text = element.text or ""
        return decode(text if is_string else text.strip())

    return scalar


def _merge_flattened(result: dict[str, Any], name: str, value: Any) -> None:
    existing = result.get(name)
    if existing is None:
        result[name] = value
    elif isinstance(existing, list):
        existing.extend(value)
    else:
        existing.update(value)


def _decode_at(decode: Decoder, node: Any, name: str) -> Any:
    try:
        return decode(node)
    except InvalidValue as exc:
        raise exc.at(name) from None
