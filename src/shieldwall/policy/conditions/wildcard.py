"""Wildcard patterns (`*` and `?`) matched in bounded time, without building regexes from policy text.

A pattern is a sequence of tokens: literal text, `STAR` (any run of characters, including none) or `QMARK`
(exactly one character). Keeping literal text apart from wildcards lets a policy variable's value (or `${*}`)
be substituted as literal text even when it contains `*` or `?`.

Three matchers, picked once per pattern:
- no wildcard: plain equality;
- only `*`: the literal pieces between stars are found left to right with `str.find` (the leftmost match of
  each piece is always a safe choice), so `*a*a*a*b` costs one scan of the text;
- with `?`: a bit-parallel simulation of the pattern's automaton (one integer holds every live position), so
  the cost is linear in the text and in the pattern's length divided by the machine word size.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Protocol


class Wild(enum.Enum):
    STAR = "*"
    QMARK = "?"


STAR = Wild.STAR
QMARK = Wild.QMARK
Token = str | Wild


class Matcher(Protocol):
    def matches(self, text: str) -> bool: ...


def tokenize(text: str) -> list[Token]:
    """Read policy text in which `*` and `?` are wildcards."""
    tokens: list[Token] = []
    start = 0
    for index, char in enumerate(text):
        if char == "*" or char == "?":
            if index > start:
                tokens.append(text[start:index])
            tokens.append(STAR if char == "*" else QMARK)
            start = index + 1
    if start < len(text):
        tokens.append(text[start:])
    return tokens


def compile_pattern(tokens: Iterable[Token]) -> Matcher:
    normal = _normalize(tokens)
    if not any(isinstance(token, Wild) for token in normal):
        return Literal("".join(normal))  # type: ignore[arg-type]
    if QMARK not in normal:
        return StarPattern(normal)
    return BitPattern(normal)


def _normalize(tokens: Iterable[Token]) -> list[Token]:
    """Merge adjacent literal text and collapse runs of `*` (they mean the same as one)."""
    out: list[Token] = []
    for token in tokens:
        if isinstance(token, str):
            if not token:
                continue
            if out and isinstance(out[-1], str):
                out[-1] = out[-1] + token
                continue
        elif token is STAR and out and out[-1] is STAR:
            continue
        out.append(token)
    return out


class Literal:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def matches(self, text: str) -> bool:
        return text == self.text


class StarPattern:
    __slots__ = ("head", "middle", "min_length", "tail")

    def __init__(self, tokens: Sequence[Token]) -> None:
        pieces = _split_on_stars(tokens)
        self.head = pieces[0]
        self.tail = pieces[-1]
        self.middle = tuple(piece for piece in pieces[1:-1] if piece)
        self.min_length = sum(len(piece) for piece in pieces)

    def matches(self, text: str) -> bool:
        if len(text) < self.min_length or not text.startswith(self.head) or not text.endswith(self.tail):
            return False
        position = len(self.head)
        end = len(text) - len(self.tail)
        for piece in self.middle:
            found = text.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True


def _split_on_stars(tokens: Sequence[Token]) -> list[str]:
    pieces = [""]
    for token in tokens:
        if token is STAR:
            pieces.append("")
        else:
            pieces[-1] += str(token)
    return pieces


class BitPattern:
    """Bit i of the state is set when the first i tokens can have consumed the text read so far."""

    __slots__ = ("accept", "any_char", "by_char", "stars")

    def __init__(self, tokens: Sequence[Token]) -> None:
        positions = _expand(tokens)
        by_char: dict[str, int] = {}
        any_char = 0
        stars = 0
        for index, token in enumerate(positions):
            bit = 1 << index
            if token is STAR:
                stars |= bit
            elif token is QMARK:
                any_char |= bit
            else:
                by_char[str(token)] = by_char.get(str(token), 0) | bit
        self.by_char = {char: mask | any_char for char, mask in by_char.items()}
        self.any_char = any_char
        self.stars = stars
        self.accept = 1 << len(positions)

    def matches(self, text: str) -> bool:
        stars = self.stars
        by_char = self.by_char
        any_char = self.any_char
        state = self._close(1)
        for char in text:
            state = ((state & by_char.get(char, any_char)) << 1) | (state & stars)
            if not state:
                return False
            state = self._close(state)
        return bool(state & self.accept)

    def _close(self, state: int) -> int:
        # a star may match nothing: being before it means also being after it (runs are collapsed to one)
        return state | ((state & self.stars) << 1)


def _expand(tokens: Sequence[Token]) -> list[Token]:
    """One position per character of literal text, so each position consumes exactly one character."""
    out: list[Token] = []
    for token in tokens:
        if isinstance(token, str):
            out.extend(token)
        else:
            out.append(token)
    return out
