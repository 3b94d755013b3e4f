"""Dates in definitions' expressions: `today`, and functions that take and give dates as ISO text.

A date answer is the text `YYYY-MM-DD`, so dates compare as texts (`start_date >= today`). These functions
do the arithmetic a rule needs, `age(date_of_birth) >= 18`, `add_months(start_date, 6)`,
`start_date >= add_working_days(today, 5)`, and give ISO text back (`days_between` and `age` give whole
numbers). A missing or malformed argument gives None, never an error: a condition on it is false and a
computed value stays empty, as with every other function.

Pure, and a module of its own below the catalogue, the fields and the workflow, which all use it. `today` is
a value the caller provides (Cambodia's date, `portal.domain.clock`); the working days come from the calendar
that the workflow's holiday calendar registers here (`use_working_calendar`): the catalogue cannot import
the workflow, which reads the catalogue.
"""

from __future__ import annotations

import calendar as month_lengths
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

# The name every expression may use for today's date in Cambodia (ISO text), whatever it is about.
TODAY = "today"

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Working days are counted one by one: a bound, so that a huge number in an answer cannot keep a worker busy.
MAX_WORKING_DAYS = 10_000
_PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


class WorkingDays(Protocol):
    """What `add_working_days` needs of a calendar (portal.domain.workflow.calendar.WorkingCalendar)."""

    def is_working_day(self, day: date) -> bool: ...

    def add_working_days(self, start: datetime, n: int) -> datetime: ...


class NoWorkingCalendar(ValueError):
    """`add_working_days` was evaluated before any calendar was registered."""


_working_calendar: Callable[[], WorkingDays] | None = None


def use_working_calendar(provider: Callable[[], WorkingDays]) -> None:
    """Register where the working calendar comes from (called once, by portal.domain.workflow.calendar)."""
    global _working_calendar
    _working_calendar = provider


def working_calendar() -> WorkingDays:
    if _working_calendar is None:
        raise NoWorkingCalendar("no working calendar is registered (import portal.domain.workflow.calendar)")
    return _working_calendar()


# --- reading arguments ------------------------------------------------------------------------------


def as_date(value: Any) -> date | None:
    """An ISO date text (or a date) as a date; None for anything else."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _whole(value: Any) -> int | None:
    """A whole number (an integer answer is a Decimal); None for fractions, texts, true/false."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        if isinstance(value, (Decimal, float)) and value == int(value):
            return int(value)
    except (ValueError, OverflowError, ArithmeticError):  # NaN, infinity
        pass
    return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _guarded(make: Callable[[], date | None]) -> str | None:
    try:
        return _iso(make())
    except (OverflowError, ValueError):  # beyond year 9999 or before year 1
        return None


# --- the functions ----------------------------------------------------------------------------------


def add_days(day: Any, n: Any) -> str | None:
    start, count = as_date(day), _whole(n)
    if start is None or count is None:
        return None
    return _guarded(lambda: start + timedelta(days=count))


def add_months(day: Any, n: Any) -> str | None:
    """The same day `n` months later (or earlier); the month's last day when it is shorter:
    2026-01-31 + 1 month = 2026-02-28, 2028-01-31 + 1 month = 2028-02-29."""
    start, count = as_date(day), _whole(n)
    if start is None or count is None:
        return None
    return _guarded(lambda: _shift_months(start, count))


def add_years(day: Any, n: Any) -> str | None:
    """The same day `n` years later; 29 February becomes 28 February in a common year."""
    count = _whole(n)
    return add_months(day, count * 12) if count is not None else None


def _shift_months(start: date, count: int) -> date:
    index = start.year * 12 + start.month - 1 + count
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, month_lengths.monthrange(year, month)[1]))


def add_working_days(day: Any, n: Any, calendar: WorkingDays) -> str | None:
    """The n-th Cambodian working day after `day` (Monday to Friday, not a public holiday of
    services/holidays.yaml), by the rule of SLA deadlines: `day` itself never counts. Negative `n`
    counts back the same way; 0 gives `day`."""
    start, count = as_date(day), _whole(n)
    if start is None or count is None or abs(count) > MAX_WORKING_DAYS:
        return None
    if count == 0:
        return _iso(start)
    if count > 0:
        noon = datetime.combine(start, time(12), tzinfo=_PHNOM_PENH)
        return _guarded(lambda: calendar.add_working_days(noon, count).date())
    return _guarded(lambda: _back(start, -count, calendar))


def _back(start: date, count: int, calendar: WorkingDays) -> date:
    day, counted = start, 0
    while counted < count:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def days_between(first: Any, last: Any) -> int | None:
    """Days from `first` to `last`: 1 from a day to the next, negative when `last` is earlier."""
    a, b = as_date(first), as_date(last)
    return (b - a).days if a is not None and b is not None else None


def age(born: Any, on: Any) -> int | None:
    """Whole years from `born` to `on`: someone born on 2008-03-15 is 18 on 2026-03-15, 17 the day before;
    born on 29 February, they have their birthday on 1 March in a common year."""
    a, b = as_date(born), as_date(on)
    if a is None or b is None:
        return None
    return b.year - a.year - ((b.month, b.day) < (a.month, a.day))


def make_date(year: Any, month: Any, day: Any) -> str | None:
    """`date(2026, 12, 31)`: a date from numbers (e.g. a year answer); None for a day that does not exist."""
    parts = [_whole(v) for v in (year, month, day)]
    if None in parts:
        return None
    return _guarded(lambda: date(*parts))


# name -> (fewest, most arguments). `age` and `add_working_days` get today's date and the calendar from
# `call`, not from the expression.
ARGUMENTS = {
    "add_days": (2, 2),
    "add_months": (2, 2),
    "add_years": (2, 2),
    "add_working_days": (2, 2),
    "days_between": (2, 2),
    "age": (1, 2),
    "date": (3, 3),
}
NAMES = frozenset(ARGUMENTS)


def call(name: str, arguments: list[Any], today: Any) -> Any:
    """Run date function `name` on evaluated `arguments`; `today` is the evaluation's value of `today`."""
    if name == "add_working_days":
        return add_working_days(*arguments, calendar=working_calendar())
    if name == "age":
        return age(arguments[0], arguments[1] if len(arguments) > 1 else today)
    if name == "date":
        return make_date(*arguments)
    return {"add_days": add_days, "add_months": add_months, "add_years": add_years,
            "days_between": days_between}[name](*arguments)
