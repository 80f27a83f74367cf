"""`short_values_cached`: values of a usual length are computed once, longer ones every time (never kept)."""

from __future__ import annotations

from shieldwall.memo import short_values_cached


def test_short_values_are_computed_once_and_long_ones_every_time() -> None:
    seen: list[str] = []

    @short_values_cached(8, maxsize=4)
    def upper(value: str) -> str:
        seen.append(value)
        return value.upper()

    assert [upper("abc"), upper("abc"), upper("abc")] == ["ABC"] * 3
    long = "x" * 9
    assert [upper(long), upper(long)] == [long.upper()] * 2
    assert seen == ["abc", long, long]
    assert upper.__name__ == "upper"
