"""Rotation schedules: AutomaticallyAfterDays, `rate()` and `cron()` expressions, Duration, and the next date.

Secrets Manager's rules ("Schedule expressions in Secrets Manager rotation"): a rate is `rate(N hours)` (every
4 to 23 hours) or `rate(N days)` (1 to 1000); a cron expression has six fields (minutes, hours, day-of-month,
month, day-of-week, year), UTC, with `?` in exactly one of the two day fields; Duration is `<N>h`, from 1 to 24
hours, and must end before the next window. A schedule in days opens its window at midnight UTC.

The next rotation date is the opening of the next window after the last rotation (or after the configuration,
when the secret has never rotated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_RATE = re.compile(r"rate\(\s*(\d{1,4})\s+(hour|hours|day|days)\s*\)")
_CRON = re.compile(r"cron\((.*)\)")
_DURATION = re.compile(r"(\d{1,2})h")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_WEEKDAYS = {name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
_SEARCH_DAYS = 366 * 8
MIN_HOURS, MAX_DAYS = 4, 1000


class ScheduleError(ValueError):
    """A RotationRules value Secrets Manager refuses; the message says which."""


@dataclass(frozen=True, slots=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: `?`; 0 stands for `L`, the last day of the month
    months: frozenset[int]
    weekdays: frozenset[int] | None  # None: `?`; 1 = Sunday
    nth: tuple[int, int] | None  # day-of-week `d#n`: the n-th weekday d of the month
    years: frozenset[int]


@dataclass(frozen=True, slots=True)
class Schedule:
    unit: str  # "days" | "hours" | "cron"
    every: int
    window: timedelta
    cron: Cron | None = None


def parse(after_days: int | None, expression: str | None, duration: str | None) -> Schedule | None:
    if after_days is not None and expression is not None:
        raise ScheduleError("You can't specify both AutomaticallyAfterDays and ScheduleExpression.")
    if after_days is not None:
        schedule = Schedule(
            "days", _bounded(after_days, 1, MAX_DAYS, "AutomaticallyAfterDays"), timedelta(days=1)
        )
    elif expression is not None:
        schedule = _expression(expression.strip())
    else:
        return None
    return _with_duration(schedule, duration)


def _bounded(value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise ScheduleError(f"{what} must be between {low} and {high}.")
    return value


def _expression(text: str) -> Schedule:
    rate = _RATE.fullmatch(text)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        if unit.startswith("hour"):
            hours = _bounded(count, MIN_HOURS, 23, "A rate in hours")
            return Schedule("hours", hours, timedelta(hours=1))
        return Schedule("days", _bounded(count, 1, MAX_DAYS, "A rate in days"), timedelta(days=1))
    cron = _CRON.fullmatch(text)
    if cron:
        parsed = parse_cron(cron.group(1))
        hourly = len(parsed.hours) > 1
        return Schedule("cron", 0, timedelta(hours=1) if hourly else timedelta(days=1), parsed)
    raise ScheduleError(f"The schedule expression {text} is not a valid rate() or cron() expression.")


def _with_duration(schedule: Schedule, duration: str | None) -> Schedule:
    if duration is None:
        return schedule
    matched = _DURATION.fullmatch(duration)
    if not matched:
        raise ScheduleError(f"The Duration {duration} is not valid: use a number of hours, for example 3h.")
    hours = _bounded(int(matched.group(1)), 1, 24, "Duration in hours")
    if schedule.unit == "hours" and hours > schedule.every:
        raise ScheduleError("The rotation window can't extend into the next rotation window.")
    return Schedule(schedule.unit, schedule.every, timedelta(hours=hours), schedule.cron)


def next_date(schedule: Schedule, after: datetime) -> datetime | None:
    after = after.astimezone(UTC)
    if schedule.unit == "days":
        midnight = datetime(after.year, after.month, after.day, tzinfo=UTC)
        return midnight + timedelta(days=schedule.every)
    if schedule.unit == "hours":
        hour = datetime(after.year, after.month, after.day, after.hour, tzinfo=UTC)
        return hour + timedelta(hours=schedule.every)
    assert schedule.cron is not None
    return next_cron(schedule.cron, after)


# -- cron ---------------------------------------------------------------------------------------------------------


def parse_cron(text: str) -> Cron:
    fields = text.split()
    if len(fields) != 6:
        raise ScheduleError(f"The cron expression cron({text}) must have six fields.")
    minutes, hours, days, months, weekdays, years = fields
    if (days == "?") == (weekdays == "?"):
        raise ScheduleError(
            "Use ? in exactly one of the day-of-month and day-of-week fields of a cron expression."
        )
    nth = _nth(weekdays)
    return Cron(
        minutes=_field(minutes, 0, 59),
        hours=_field(hours, 0, 23),
        days=None if days == "?" else _days(days),
        months=_field(months, 1, 12, _MONTHS),
        weekdays=None if weekdays == "?" or nth is not None else _field(weekdays, 1, 7, _WEEKDAYS),
        nth=nth,
        years=_field(years, 1970, 2199),
    )


def _days(text: str) -> frozenset[int]:
    return frozenset({0}) if text == "L" else _field(text, 1, 31)


def _nth(text: str) -> tuple[int, int] | None:
    if "#" not in text:
        return None
    day, _, count = text.partition("#")
    weekday = _value(day, 1, 7, _WEEKDAYS)
    if not count.isdigit() or not 1 <= int(count) <= 5:
        raise ScheduleError(f"The cron field {text} is not valid.")
    return weekday, int(count)


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    found: set[int] = set()
    for part in text.split(","):
        found.update(_part(part, low, high, names))
    if not found:
        raise ScheduleError(f"The cron field {text} is not valid.")
    return frozenset(found)


def _part(part: str, low: int, high: int, names: dict[str, int] | None) -> range:
    span, slash, step_text = part.partition("/")
    step = int(step_text) if slash and step_text.isdigit() and int(step_text) > 0 else 0
    if slash and not step:
        raise ScheduleError(f"The cron field {part} is not valid.")
    if span == "*":
        start, end = low, high
    elif "-" in span:
        first, _, last = span.partition("-")
        start, end = _value(first, low, high, names), _value(last, low, high, names)
    else:
        start = _value(span, low, high, names)
        end = high if slash else start
    if end < start:
        raise ScheduleError(f"The cron field {part} is not valid.")
    return range(start, end + 1, step or 1)


def _value(text: str, low: int, high: int, names: dict[str, int] | None) -> int:
    value = names.get(text.upper()) if names else None
    if value is None:
        if not text.isdigit():
            raise ScheduleError(f"The cron value {text} is not valid.")
        value = int(text)
    if not low <= value <= high:
        raise ScheduleError(f"The cron value {text} is out of range.")
    return value


def next_cron(cron: Cron, after: datetime) -> datetime | None:
    """The first time after `after` the expression matches, within eight years; None when it never does."""
    day = datetime(after.year, after.month, after.day, tzinfo=UTC)
    for _ in range(_SEARCH_DAYS):
        if _day_matches(cron, day):
            for hour in sorted(cron.hours):
                for minute in sorted(cron.minutes):
                    moment = day + timedelta(hours=hour, minutes=minute)
                    if moment > after:
                        return moment
        day += timedelta(days=1)
    return None


def _day_matches(cron: Cron, day: datetime) -> bool:
    if day.year not in cron.years or day.month not in cron.months:
        return False
    if cron.days is not None:
        last = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return day.day in cron.days or (0 in cron.days and day.day == last.day)
    weekday = day.isoweekday() % 7 + 1  # Sunday 1 ... Saturday 7
    if cron.nth is not None:
        wanted, count = cron.nth
        return weekday == wanted and (day.day - 1) // 7 + 1 == count
    return cron.weekdays is not None and weekday in cron.weekdays
