"""Cambodian working days, for SLA due dates.

A working day is a Monday to Friday that is not a public holiday listed in `services/holidays.yaml`
(kept as data because the lunar holidays move every year and are announced by sub-decree).

The convention for a deadline of `n` working days, `add_working_days(start, n)`:
- the day of the start never counts, whatever the hour (an application submitted on Friday at 08:00 and one
  submitted at 23:00 get the same deadline);
- the deadline is 17:00 Cambodian time (Asia/Phnom_Penh, UTC+7, no daylight saving) on the n-th working day
  after the start day. Submitted Friday 16:00 with 3 working days, Monday to Wednesday working: Wednesday 17:00.

`working_days_between(a, b)` counts with the same rule, so `working_days_between(start, add_working_days(start,
n)) == n`: the working days after a's day up to and including b's day, negative when b is before a. For a due
date it answers "how many working days are left": 0 means due today, -2 means two working days late.

Beyond the last year the file lists, only weekends are skipped; `WorkingCalendar.covers(day)` tells callers
(and a test) whether a day is inside the listed years.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from portal.domain import definition_dates

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
CLOSE_OF_BUSINESS = time(17, 0)
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "services" / "holidays.yaml"

_LANGS = ("km", "en")
_KHMER = re.compile(r"[\u1780-\u17FF]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_RANGE_DAYS = 7

# A case due within this window is "due soon": the queue says so, the dashboard counts it and the
# escalation job tells the supervisor. One definition, so the three never disagree.
DUE_SOON = timedelta(hours=24)


class HolidayCalendarError(ValueError):
    """The holidays file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Holiday:
    day: date
    name: dict[str, str]  # {"km": ..., "en": ...}


class WorkingCalendar:
    """Weekends plus a set of holidays. Immutable; build it with `load_calendar` or from holidays directly."""

    def __init__(self, holidays: Iterable[Holiday] = (), years: Iterable[int] = ()):
        by_day: dict[date, list[Holiday]] = {}
        for holiday in holidays:
            by_day.setdefault(holiday.day, []).append(holiday)
        self._holidays = {day: tuple(items) for day, items in by_day.items()}
        # Weekday holidays only, sorted, so counting over long spans is a bisect, not a walk.
        self._weekday_holidays = sorted(day for day in self._holidays if day.weekday() < 5)
        self.years = frozenset(years) | {day.year for day in self._holidays}

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def holidays_on(self, day: date) -> tuple[Holiday, ...]:
        return self._holidays.get(_as_date(day), ())

    def is_working_day(self, day: date) -> bool:
        day = _as_date(day)
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: datetime, n: int) -> datetime:
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"a number of working days must be a whole number of at least 1, not {n!r}")
        day = _local(start).date()
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, CLOSE_OF_BUSINESS, tzinfo=PHNOM_PENH)

    def working_days_between(self, a: datetime | date, b: datetime | date) -> int:
        first, last = _as_date(a), _as_date(b)
        if last < first:
            return -self._count_after(last, first)
        return self._count_after(first, last)

    def _count_after(self, first: date, last: date) -> int:
        """Working days d with first < d <= last."""
        weekdays = _weekdays_up_to(last) - _weekdays_up_to(first)
        holidays = bisect.bisect_right(self._weekday_holidays, last) - bisect.bisect_right(
            self._weekday_holidays, first
        )
        return weekdays - holidays


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday, ordinal 1) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _local(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a datetime without a time zone is ambiguous here; pass an aware datetime")
    return moment.astimezone(PHNOM_PENH)


def _as_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return _local(value).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date or a datetime, not {type(value).__name__}")


# --- loading ---------------------------------------------------------------------------------------------


def load_calendar(path: Path | str | None = None) -> WorkingCalendar:
    """Read and check a holidays file (default `services/holidays.yaml`), once per path per process."""
    return _load_cached(Path(path).resolve() if path is not None else DEFAULT_PATH)


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> WorkingCalendar:
    return parse_holidays(_read(path), _display(path))


def _display(path: Path) -> str:
    root = DEFAULT_PATH.parents[1]
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HolidayCalendarError(f"{_display(path)}: no such file") from None
    except UnicodeDecodeError:
        raise HolidayCalendarError(f"{_display(path)}: is not UTF-8 text") from None


def parse_holidays(text: str, source: str = "holidays.yaml") -> WorkingCalendar:
    """Check the text of a holidays file strictly; any mistake raises HolidayCalendarError naming the entry."""
    try:
        # BaseLoader keeps every scalar a string, so a bad date is ours to report with its entry,
        # not a bare ValueError from inside the YAML parser.
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds strings, lists, dicts only
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise HolidayCalendarError(f"{source}: {where}is not valid YAML") from None
    return _Checker(source).calendar(data)


class _Checker:
    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, problem: str) -> HolidayCalendarError:
        return HolidayCalendarError(f"{self.source}: {where}: {problem}" if where else f"{self.source}: {problem}")

    def keys(self, value: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> Mapping:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping of keys to values")
        unknown = sorted(set(value) - required - optional)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}" if where else unknown[0], f"unknown key {unknown[0]!r}")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(f"{where}.{missing[0]}" if where else missing[0], "is required")
        return value

    def calendar(self, data: Any) -> WorkingCalendar:
        self.keys(data, "", {"years"})
        years = data["years"]
        if not isinstance(years, dict) or not years:
            raise self.fail("years", "expected a mapping of years to lists of holidays")
        holidays: list[Holiday] = []
        listed_years: list[int] = []
        for key, entries in years.items():
            where = f"years.{key}"
            if not re.fullmatch(r"\d{4}", str(key)):
                raise self.fail(where, f"{key!r} is not a year")
            year = int(key)
            if not isinstance(entries, list) or not entries:
                raise self.fail(where, "expected a non-empty list of holidays")
            listed_years.append(year)
            for i, entry in enumerate(entries):
                holidays.extend(self.entry(entry, f"{where}[{i}]", year))
        return WorkingCalendar(holidays, listed_years)

    def entry(self, entry: Any, where: str, year: int) -> list[Holiday]:
        self.keys(entry, where, {"name"}, {"date", "from", "to"})
        name = self.name(entry["name"], where + ".name")
        if "date" in entry:
            if "from" in entry or "to" in entry:
                raise self.fail(where, "give either date, or from and to, not both")
            first = last = self.day(entry["date"], where + ".date", year)
        else:
            if "from" not in entry or "to" not in entry:
                raise self.fail(where, "needs a date, or from and to")
            first = self.day(entry["from"], where + ".from", year)
            last = self.day(entry["to"], where + ".to", year)
            if last < first:
                raise self.fail(where + ".to", f"{last.isoformat()} is before from {first.isoformat()}")
            if (last - first).days >= _MAX_RANGE_DAYS:
                raise self.fail(where, f"a holiday of more than {_MAX_RANGE_DAYS} days is surely a typing mistake")
        return [Holiday(first + timedelta(days=k), name) for k in range((last - first).days + 1)]

    def day(self, value: Any, where: str, year: int) -> date:
        text = value if isinstance(value, str) else None
        try:
            if text is None or not _ISO_DATE.match(text):
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            raise self.fail(where, f"{value!r} is not a date written YYYY-MM-DD") from None
        if day.year != year:
            raise self.fail(where, f"{text} is not in {year}")
        return day

    def name(self, value: Any, where: str) -> dict[str, str]:
        self.keys(value, where, set(_LANGS))
        for lang in _LANGS:
            if not isinstance(value[lang], str) or not value[lang].strip():
                raise self.fail(f"{where}.{lang}", "needs a non-empty text")
        if not _KHMER.search(value["km"]):
            raise self.fail(f"{where}.km", "is not written in Khmer")
        return {lang: value[lang].strip() for lang in _LANGS}


# --- the shipped calendar --------------------------------------------------------------------------------


def is_working_day(day: date) -> bool:
    return load_calendar().is_working_day(day)


def add_working_days(start: datetime, n: int) -> datetime:
    return load_calendar().add_working_days(start, n)


def working_days_between(a: datetime | date, b: datetime | date) -> int:
    return load_calendar().working_days_between(a, b)


# Definitions count working days too (`add_working_days(today, 5)` in a rule), on this same calendar. The
# catalogue cannot import the workflow (the workflow reads the catalogue), so the calendar tells it.
definition_dates.use_working_calendar(load_calendar)
