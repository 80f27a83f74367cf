"""A cache for parses of values that arrive with requests.

`functools.lru_cache` alone would let a hostile client fill the cache with large values (a header name or a
credential of kilobytes, each a new entry); `short_values_cached` keeps only values of a usual length and
computes the others each time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

A = TypeVar("A", str, bytes)
R = TypeVar("R")


def short_values_cached(
    max_length: int, maxsize: int = 1024
) -> Callable[[Callable[[A], R]], Callable[[A], R]]:
    """Cache a function of one value (str or bytes), for values up to `max_length` long."""

    def wrap(function: Callable[[A], R]) -> Callable[[A], R]:
        cached = functools.lru_cache(maxsize=maxsize)(function)

        @functools.wraps(function)
        def call(value: A) -> R:
            return cached(value) if len(value) <= max_length else function(value)

        return call

    return wrap
