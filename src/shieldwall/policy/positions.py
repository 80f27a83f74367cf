"""Where each statement of a policy document sits in its JSON text, as the IAM policy simulator reports it.

The simulator's `MatchedStatements` carry a `StartPosition` and an `EndPosition` (line and column) for each
statement. Lines count from 1 (`\\n`, `\\r\\n` and a lone `\\r` each end a line); columns are 1-based and both
positions point just past the brace: AWS's documented example (`aws iam simulate-custom-policy`, one-line
policy) reports column 38 for a statement whose `{` is the 37th character, and 167 for a `}` that is the
166th. The text must already be valid JSON (`parse_policy` accepted it); the scan then only follows its
structure, so a duplicated `Statement` key resolves as the parser resolves it (the last one wins).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import orjson

_SPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^\s,\]}]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int

    def as_dict(self) -> dict[str, int]:
        return {"Line": self.line, "Column": self.column}


@dataclass(frozen=True, slots=True)
class Span:
    start: Position
    end: Position


def statement_spans(text: str) -> tuple[Span, ...]:
    """The span of every statement object, in document order (one span for a single-object `Statement`)."""
    scanner = _Scanner(text)
    found: tuple[int, int] | None = None
    for key, start, end in scanner.members(scanner.skip())[0]:
        if key == "Statement":
            found = (start, end)
    if found is None:
        return ()
    start, end = found
    if text[start] == "{":
        bounds = [(start, end - 1)]
    else:
        bounds = [(s, e - 1) for s, e in scanner.elements(start)[0] if text[s] == "{"]
    lines = _line_starts(text)
    return tuple(Span(_after(lines, s), _after(lines, e)) for s, e in bounds)


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _after(line_starts: list[int], index: int) -> Position:
    """The position just past the character at `index`."""
    line = bisect.bisect_right(line_starts, index)
    return Position(line, index - line_starts[line - 1] + 2)


class _Scanner:
    """Walks valid JSON by index; every `end` is exclusive."""

    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, position: int = 0) -> int:
        match = _SPACE.match(self.text, position)
        return match.end() if match else position

    def value(self, start: int) -> int:
        """The end of the value starting at `start`."""
        char = self.text[start]
        if char == "{":
            return self.members(start)[1]
        if char == "[":
            return self.elements(start)[1]
        match = (_STRING if char == '"' else _SCALAR).match(self.text, start)
        if match is None:
            raise ValueError(f"unexpected character at offset {start}")
        return match.end()

    def members(self, start: int) -> tuple[list[tuple[str, int, int]], int]:
        """(key, value start, value end) of each member of the object opening at `start`, and its end."""
        found: list[tuple[str, int, int]] = []
        position = self.skip(start + 1)
        while self.text[position] != "}":
            key_end = self.value(position)
            key = orjson.loads(self.text[position:key_end])
            value_start = self.skip(self.skip(key_end) + 1)  # past the colon
            value_end = self.value(value_start)
            found.append((key, value_start, value_end))
            position = self._next(value_end)
        return found, position + 1

    def elements(self, start: int) -> tuple[list[tuple[int, int]], int]:
        found: list[tuple[int, int]] = []
        position = self.skip(start + 1)
        while self.text[position] != "]":
            end = self.value(position)
            found.append((position, end))
            position = self._next(end)
        return found, position + 1

    def _next(self, end: int) -> int:
        position = self.skip(end)
        return self.skip(position + 1) if self.text[position] == "," else position
