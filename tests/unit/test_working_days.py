"""SLA arithmetic in Cambodian working days, and the holidays file it reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.workflow import calendar as working
from portal.domain.workflow.calendar import (
    PHNOM_PENH,
    Holiday,
    HolidayCalendarError,
    WorkingCalendar,
    load_calendar,
    parse_holidays,
)

SHIPPED = load_calendar()


def pp(*args) -> datetime:
    return datetime(*args, tzinfo=PHNOM_PENH)


def holidays_named(year: int, english: str) -> list[date]:
    days = (date(year, 1, 1) + timedelta(days=k) for k in range(366))
    return [d for d in days if d.year == year and any(h.name["en"] == english for h in SHIPPED.holidays_on(d))]


class TestIsWorkingDay:
    def test_weekdays_work_and_weekends_do_not(self):
        assert working.is_working_day(date(2025, 6, 6))  # Friday
        assert not working.is_working_day(date(2025, 6, 7))  # Saturday
        assert not working.is_working_day(date(2025, 6, 8))  # Sunday

    def test_public_holidays_do_not_work(self):
        assert not working.is_working_day(date(2025, 4, 14))  # Khmer New Year
        assert not working.is_working_day(date(2026, 11, 9))  # Independence Day, a Monday
        assert working.is_working_day(date(2026, 11, 10))

    def test_a_datetime_is_judged_by_its_day_in_phnom_penh(self):
        # Sunday 20:00 UTC is Monday 03:00 in Phnom Penh.
        assert SHIPPED.is_working_day(datetime(2025, 6, 8, 20, 0, tzinfo=UTC))


class TestAddWorkingDays:
    def test_friday_afternoon_plus_three_is_wednesday_at_five(self):
        assert working.add_working_days(pp(2025, 6, 6, 16, 0), 3) == pp(2025, 6, 11, 17, 0)

    def test_the_start_day_never_counts_even_early_in_the_morning(self):
        assert working.add_working_days(pp(2025, 6, 2, 8, 0), 1) == pp(2025, 6, 3, 17, 0)
        assert working.add_working_days(pp(2025, 6, 2, 23, 59), 1) == pp(2025, 6, 3, 17, 0)

    def test_a_start_on_the_weekend_counts_from_monday(self):
        assert working.add_working_days(pp(2025, 6, 7, 11, 0), 1) == pp(2025, 6, 9, 17, 0)

    def test_khmer_new_year_does_not_count(self):
        # 2025: 14-16 April (Monday-Wednesday).
        assert working.add_working_days(pp(2025, 4, 11, 9, 0), 3) == pp(2025, 4, 21, 17, 0)
        # 2026: 14-16 April (Tuesday-Thursday).
        assert working.add_working_days(pp(2026, 4, 13, 9, 0), 1) == pp(2026, 4, 17, 17, 0)

    def test_pchum_ben_and_constitution_day_together_close_a_whole_week(self):
        # 2025: Pchum Ben 21-23 September, Constitution Day 24 September.
        assert working.add_working_days(pp(2025, 9, 19, 10, 0), 1) == pp(2025, 9, 25, 17, 0)

    def test_the_deadline_is_in_cambodian_time_whatever_the_zone_of_the_start(self):
        due = working.add_working_days(datetime(2025, 6, 6, 9, 0, tzinfo=UTC), 3)
        assert due.utcoffset() == timedelta(hours=7)
        assert due == pp(2025, 6, 11, 17, 0)

    def test_a_naive_start_is_refused(self):
        with pytest.raises(ValueError, match="time zone"):
            working.add_working_days(datetime(2025, 6, 6, 9, 0), 3)

    @pytest.mark.parametrize("n", [0, -1, 1.5, True])
    def test_a_number_of_days_below_one_or_not_whole_is_refused(self, n):
        with pytest.raises(ValueError, match="whole number"):
            working.add_working_days(pp(2025, 6, 6, 9, 0), n)

    def test_beyond_the_listed_years_only_weekends_are_skipped(self):
        assert not SHIPPED.covers(date(2031, 1, 1))
        assert SHIPPED.add_working_days(pp(2030, 12, 31, 9, 0), 1) == pp(2031, 1, 1, 17, 0)


class TestWorkingDaysBetween:
    def test_it_counts_the_working_days_after_the_first_day_up_to_the_second(self):
        assert working.working_days_between(pp(2025, 6, 6, 16, 0), pp(2025, 6, 11, 17, 0)) == 3
        assert working.working_days_between(date(2025, 4, 11), date(2025, 4, 21)) == 3

    def test_the_same_day_is_zero_and_a_past_due_date_is_negative(self):
        assert working.working_days_between(pp(2025, 6, 11, 9, 0), pp(2025, 6, 11, 17, 0)) == 0
        assert working.working_days_between(pp(2025, 6, 13, 9, 0), pp(2025, 6, 11, 17, 0)) == -2

    @settings(max_examples=300, deadline=None)
    @given(
        start=st.datetimes(min_value=datetime(2024, 12, 1), max_value=datetime(2027, 11, 30), timezones=st.just(UTC)),
        n=st.integers(1, 60),
    )
    def test_it_undoes_add_working_days(self, start, n):
        due = SHIPPED.add_working_days(start, n)
        assert SHIPPED.working_days_between(start, due) == n
        assert SHIPPED.is_working_day(due.date())

    @settings(max_examples=300, deadline=None)
    @given(a=st.dates(date(2024, 6, 1), date(2028, 6, 1)), b=st.dates(date(2024, 6, 1), date(2028, 6, 1)))
    def test_it_agrees_with_counting_day_by_day(self, a, b):
        first, last = min(a, b), max(a, b)
        walked = sum(
            1 for k in range(1, (last - first).days + 1) if SHIPPED.is_working_day(first + timedelta(days=k))
        )
        assert SHIPPED.working_days_between(a, b) == (walked if a <= b else -walked)


class TestTheShippedHolidays:
    def test_the_file_covers_2025_to_2027(self):
        assert {2025, 2026, 2027} <= SHIPPED.years

    def test_it_is_read_once(self):
        assert load_calendar() is load_calendar()

    @pytest.mark.parametrize("year", [2025, 2026, 2027])
    @pytest.mark.parametrize(
        ("month", "day", "english"),
        [
            (1, 1, "International New Year Day"),
            (1, 7, "Victory over Genocide Day"),
            (3, 8, "International Women's Day"),
            (5, 1, "International Labour Day"),
            (5, 14, "King Norodom Sihamoni's Birthday"),
            (9, 24, "Constitution Day"),
            (10, 15, "Commemoration Day of King Father Norodom Sihanouk"),
            (10, 29, "Coronation Day of King Norodom Sihamoni"),
            (11, 9, "Independence Day"),
        ],
    )
    def test_every_fixed_date_holiday_is_listed_each_year(self, year, month, day, english):
        assert holidays_named(year, english) == [date(year, month, day)]

    @pytest.mark.parametrize("year", [2025, 2026, 2027])
    def test_the_lunar_festivals_are_where_the_khmer_calendar_puts_them(self, year):
        new_year = holidays_named(year, "Khmer New Year")
        assert len(new_year) in (3, 4) and all(d.month == 4 and 13 <= d.day <= 17 for d in new_year)
        for festival in ("Pchum Ben Festival", "Water Festival"):
            days = holidays_named(year, festival)
            assert len(days) == 3 and days[-1] - days[0] == timedelta(days=2)
        [visak] = holidays_named(year, "Visak Bochea Day")
        [ploughing] = holidays_named(year, "Royal Ploughing Ceremony")
        # The ploughing ceremony is on the 4th waning day of Pisakh, four days after its full moon.
        assert ploughing - visak == timedelta(days=4)
        assert {d.month for d in holidays_named(year, "Pchum Ben Festival")} <= {9, 10}
        assert {d.month for d in holidays_named(year, "Water Festival")} <= {10, 11}

    def test_every_name_is_in_khmer_and_english(self):
        for day in (date(2025, 1, 1) + timedelta(days=k) for k in range(3 * 366)):
            for holiday in SHIPPED.holidays_on(day):
                assert holiday.name["km"] and holiday.name["en"]


GOOD = """
years:
  2026:
    - {date: 2026-01-01, name: {km: ទិវាចូលឆ្នាំសកល, en: International New Year Day}}
    - {from: 2026-04-14, to: 2026-04-16, name: {km: ពិធីបុណ្យចូលឆ្នាំថ្មី, en: Khmer New Year}}
"""


class TestValidation:
    def test_a_good_file_gives_one_holiday_per_day_of_each_entry(self):
        calendar = parse_holidays(GOOD, "holidays.yaml")
        assert [h.day for d in (date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 16))
                for h in calendar.holidays_on(d)] == [date(2026, 4, 14), date(2026, 4, 16)]
        assert calendar.holidays_on(date(2026, 1, 1)) == (
            Holiday(date(2026, 1, 1), {"km": "ទិវាចូលឆ្នាំសកល", "en": "International New Year Day"}),
        )

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("years: {2026: [{date: 2026-01-01, name: {km: ទិវា, en: X}, day: 1}]}",
             "holidays.yaml: years.2026[0].day: unknown key 'day'"),
            ("years: {2026: [{date: 2026-02-30, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.2026[0].date: '2026-02-30' is not a date written YYYY-MM-DD"),
            ("years: {2026: [{date: 1/1/2026, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.2026[0].date: '1/1/2026' is not a date"),
            ("years: {2026: [{date: 2025-01-01, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.2026[0].date: 2025-01-01 is not in 2026"),
            ("years: {2026: [{date: 2026-01-01, name: {en: X}}]}",
             "holidays.yaml: years.2026[0].name.km: is required"),
            ("years: {2026: [{date: 2026-01-01, name: {km: New Year, en: X}}]}",
             "holidays.yaml: years.2026[0].name.km: is not written in Khmer"),
            ("years: {2026: [{date: 2026-01-01, name: {km: ទិវា, en: ''}}]}",
             "holidays.yaml: years.2026[0].name.en: needs a non-empty text"),
            ("years: {2026: [{from: 2026-04-16, to: 2026-04-14, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.2026[0].to: 2026-04-14 is before from 2026-04-16"),
            ("years: {2026: [{from: 2026-04-01, to: 2026-04-30, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.2026[0]: a holiday of more than 7 days"),
            ("years: {2026: [{from: 2026-04-14, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.2026[0]: needs a date, or from and to"),
            ("years: {2026: [{date: 2026-04-14, to: 2026-04-15, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.2026[0]: give either date, or from and to, not both"),
            ("years: {2026: [{date: 2026-04-14}]}", "holidays.yaml: years.2026[0].name: is required"),
            ("years: {twenty: [{date: 2026-04-14, name: {km: ទិវា, en: X}}]}",
             "holidays.yaml: years.twenty: 'twenty' is not a year"),
            ("years: {2026: []}", "holidays.yaml: years.2026: expected a non-empty list"),
            ("holidays: []", "holidays.yaml: holidays: unknown key 'holidays'"),
            ("years: [2026", "holidays.yaml: line 1: is not valid YAML"),
        ],
    )
    def test_a_mistake_names_the_file_and_the_entry(self, text, message):
        with pytest.raises(HolidayCalendarError) as info:
            parse_holidays(text, "holidays.yaml")
        assert str(info.value).startswith(message)

    def test_a_file_that_does_not_exist_is_named(self, tmp_path):
        with pytest.raises(HolidayCalendarError, match="missing.yaml: no such file"):
            load_calendar(tmp_path / "missing.yaml")

    def test_a_file_given_by_path_is_loaded_and_its_errors_name_it(self, tmp_path):
        good = tmp_path / "good.yaml"
        good.write_text(GOOD, encoding="utf-8")
        assert not load_calendar(good).is_working_day(date(2026, 4, 15))
        bad = tmp_path / "bad.yaml"
        bad.write_text("years: {2026: [{date: 2026-13-01, name: {km: ទិវា, en: X}}]}", encoding="utf-8")
        with pytest.raises(HolidayCalendarError, match=r"bad\.yaml: years\.2026\[0\]\.date"):
            load_calendar(bad)

    def test_an_empty_calendar_skips_weekends_only(self):
        assert WorkingCalendar().add_working_days(pp(2025, 4, 11, 9, 0), 1) == pp(2025, 4, 14, 17, 0)
