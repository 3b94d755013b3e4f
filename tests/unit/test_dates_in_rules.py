"""Dates in definitions' expressions: `today`, `age`, `add_days`/`add_months`/`add_years`, Cambodian working
days, `days_between` and `date`, as the loader checks them and as rules, computed values and the browser's
conditions see them."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import definition_dates as dates
from portal.domain.catalogue import DefinitionError, load_catalogue, validity
from portal.domain.catalogue.expressions import ExpressionError, for_browser, parse
from portal.domain.catalogue.model import Output
from portal.domain.workflow.calendar import Holiday, WorkingCalendar, load_calendar
from portal.paths import PROJECT_ROOT
from tests.service_roots import edit_definition

NAME = {"km": "ថ្ងៃឈប់សម្រាក", "en": "Holiday"}
TODAY = "2026-12-07"  # a Monday


def run(source: str, **values):
    return parse(source).evaluate({"today": TODAY, **values})


class TestAddMonthsAndYears:
    @pytest.mark.parametrize(("day", "months", "expected"), [
        ("2026-01-31", 1, "2026-02-28"),   # the month is shorter: its last day
        ("2028-01-31", 1, "2028-02-29"),   # a leap year
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", 12, "2027-01-15"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-05-31", 1, "2026-06-30"),
        ("2026-05-31", 0, "2026-05-31"),
        ("2026-01-01", -13, "2024-12-01"),
    ])
    def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(self, day, months, expected):
        assert dates.add_months(day, months) == expected

    def test_add_years_turns_29_february_into_28_february_in_a_common_year(self):
        assert dates.add_years("2028-02-29", 1) == "2029-02-28"
        assert dates.add_years("2028-02-29", 4) == "2032-02-29"
        assert dates.add_years("2026-06-15", -18) == "2008-06-15"

    def test_an_integer_answer_counts_as_a_whole_number(self):
        assert dates.add_months("2026-01-31", Decimal("6")) == "2026-07-31"
        assert dates.add_months("2026-01-31", Decimal("1.5")) is None
        assert dates.add_days("2026-01-31", True) is None

    @given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(-2400, 2400))
    def test_add_months_lands_in_the_right_month_never_after_the_day(self, day, months):
        result = date.fromisoformat(dates.add_months(day.isoformat(), months))
        assert result.year * 12 + result.month == day.year * 12 + day.month + months
        assert result.day <= day.day
        assert result.day == day.day or (result + timedelta(days=1)).month != result.month


class TestAddDaysAndDaysBetween:
    def test_add_days_crosses_months_and_leap_days(self):
        assert dates.add_days("2028-02-28", 1) == "2028-02-29"
        assert dates.add_days("2026-02-28", 1) == "2026-03-01"
        assert dates.add_days("2026-01-01", -1) == "2025-12-31"

    def test_days_between_counts_from_the_first_to_the_second(self):
        assert dates.days_between("2026-02-28", "2026-03-01") == 1
        assert dates.days_between("2028-02-28", "2028-03-01") == 2
        assert dates.days_between("2026-03-01", "2026-02-28") == -1

    @given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.integers(-40000, 40000))
    def test_days_between_undoes_add_days(self, day, n):
        assert dates.days_between(day.isoformat(), dates.add_days(day.isoformat(), n)) == n


class TestAge:
    def test_whole_years_to_the_birthday(self):
        assert dates.age("2008-12-07", "2026-12-07") == 18
        assert dates.age("2008-12-08", "2026-12-07") == 17

    def test_born_on_29_february_is_a_year_older_on_1_march_in_a_common_year(self):
        assert dates.age("2008-02-29", "2026-02-28") == 17
        assert dates.age("2008-02-29", "2026-03-01") == 18
        assert dates.age("2008-02-29", "2028-02-29") == 20

    def test_age_with_one_argument_is_on_today(self):
        assert run("age(date_of_birth)", date_of_birth="2008-12-07") == 18
        assert run("age(date_of_birth, '2026-12-06')", date_of_birth="2008-12-07") == 17
        assert run("age(date_of_birth) >= 18", date_of_birth="2008-12-08") is False


class TestWorkingDays:
    """Monday to Friday without the public holidays; the start day never counts (as SLA deadlines)."""

    calendar = WorkingCalendar([Holiday(date(2026, 10, d), NAME) for d in (10, 11, 12)] +  # Sat to Mon
                               [Holiday(date(2026, 4, d), NAME) for d in (14, 15, 16)])    # Tue to Thu

    def test_a_holiday_over_a_weekend_moves_the_day_on(self):
        # Friday 9 October + 1: Saturday, Sunday and Monday are not working days.
        assert dates.add_working_days("2026-10-09", 1, self.calendar) == "2026-10-13"
        assert dates.add_working_days("2026-04-10", 3, self.calendar) == "2026-04-20"

    def test_backwards_zero_and_bounds(self):
        assert dates.add_working_days("2026-10-13", -1, self.calendar) == "2026-10-09"
        assert dates.add_working_days("2026-10-11", 0, self.calendar) == "2026-10-11"
        assert dates.add_working_days("2026-10-09", dates.MAX_WORKING_DAYS + 1, self.calendar) is None

    def test_the_same_day_as_the_workflow_counts(self):
        shipped = load_calendar()
        for start in ("2026-04-10", "2026-10-09", "2026-12-24", "2027-04-09"):
            for n in (1, 3, 5, 20):
                noon = dates.add_working_days(start, n, shipped)
                assert shipped.working_days_between(date.fromisoformat(start), date.fromisoformat(noon)) == n

    def test_in_an_expression_it_counts_on_services_holidays_yaml(self):
        # Khmer New Year 2026 is 14 to 16 April (services/holidays.yaml).
        assert run("add_working_days('2026-04-13', 1)") == "2026-04-17"
        assert run("start_date >= add_working_days(today, 5)", start_date="2026-12-14") is True
        assert run("start_date >= add_working_days(today, 5)", start_date="2026-12-11") is False


class TestMissingAndMalformed:
    @pytest.mark.parametrize("bad", [None, "", "2026-02-30", "07/12/2026", "2026-1-5", 20261207, "soon"])
    def test_a_missing_or_malformed_date_gives_nothing_never_an_error(self, bad):
        for source in ("add_days(d, 1)", "add_months(d, 1)", "add_years(d, 1)", "add_working_days(d, 1)",
                       "days_between(d, today)", "age(d)"):
            assert run(source, d=bad) is None, source
        assert run("age(d) >= 18", d=bad) is False
        assert run("age(d) < 18", d=bad) is False

    def test_a_missing_number_gives_nothing(self):
        assert run("add_months(start_date, months)", start_date="2026-01-31", months=None) is None

    def test_date_from_numbers(self):
        assert run("date(year, 12, 31)", year=Decimal("2026")) == "2026-12-31"
        assert run("date(2026, 2, 29)") is None
        assert run("date(99999, 1, 1)") is None
        assert run("add_years('9999-06-01', 1)") is None

    def test_without_today_age_of_one_argument_is_empty(self):
        assert parse("age(d)").evaluate({"d": "2000-01-01"}) is None


class TestChecked:
    @pytest.mark.parametrize(("source", "message"), [
        ("add_months(start_date)", "add_months() takes 2 arguments, not 1"),
        ("age(a, b, c)", "age() takes 1 or 2 arguments, not 3"),
        ("date(2026, 1)", "date() takes 3 arguments, not 2"),
        ("add_weeks(start_date, 2)", "only these functions may be called"),
    ])
    def test_unknown_functions_and_wrong_numbers_of_arguments_are_refused(self, source, message):
        with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse(source)

    def test_today_is_a_name_the_function_names_are_not(self):
        assert parse("age(date_of_birth) >= 18 and start_date >= today").names == {"date_of_birth", "start_date",
                                                                                   "today"}


class TestInTheBrowser:
    def test_a_date_rule_on_an_answer_of_the_page_is_left_to_the_server(self):
        # The browser compares only numbers, and its day may not be Cambodia's.
        for source in ("start_date >= today", "age(date_of_birth) >= 18", "start_date >= add_days(other, 3)",
                       "kind == 'x' or start_date > today"):
            assert for_browser(parse(source), {"start_date", "date_of_birth", "kind"},
                               {"today": TODAY, "other": "2026-12-01"}) is None, source

    def test_a_date_rule_on_other_steps_is_worked_out_on_the_server_and_sent_as_a_value(self):
        condition = for_browser(parse("kind == 'x' and age(date_of_birth) >= 18"), {"kind"},
                                {"today": TODAY, "date_of_birth": "2000-01-01"})
        assert condition == {"and": [{"compare": "==", "left": {"field": "kind"}, "right": {"value": "x"}},
                                     {"value": True}]}


class TestTheLoader:
    """Dates in a definition are checked when it is loaded, with the file and the path of each mistake."""

    @pytest.fixture
    def services(self, tmp_path):
        root = tmp_path / "services"
        shutil.copytree(PROJECT_ROOT / "services", root)
        return root

    def edit(self, root, change):
        edit_definition(root, "residence-certificate", change)
        return load_catalogue(root).get("residence-certificate")

    @staticmethod
    def certificate(**keys):
        def change(data):
            data["outputs"]["certificate"].pop("valid_for_days")
            data["outputs"]["certificate"].update(keys)
        return change

    def test_today_and_date_functions_are_accepted_in_every_kind_of_expression(self, services):
        def change(data):
            data["steps"][0]["rules"] = [{"check": "age(date_of_birth) >= 18", "field": "date_of_birth",
                                          "message": {"km": "អ្នកត្រូវមានអាយុ ១៨ ឆ្នាំ", "en": "18 or over"}}]
            data["steps"][1]["fields"][1]["show_when"] = "days_between(date_of_birth, today) > 0"
            data["computed"] = [{"id": "turns_18", "label": {"km": "ថ្ងៃគម្រប់ ១៨ ឆ្នាំ", "en": "Turns 18 on"},
                                 "expression": "add_years(date_of_birth, 18)"}]
            data["fees"][0]["when"] = "today >= '2026-01-01'"
            data["workflow"]["transitions"][0].setdefault("guards", []).append("add_days(today, 1) > today")
            data["outputs"]["certificate"]["data"]["adult_since"] = "turns_18"
        service = self.edit(services, change)
        assert service.steps[0].rules[0].check.source == "age(date_of_birth) >= 18"
        assert service.computed[0].expression.evaluate({"date_of_birth": "2008-02-29"}) == "2026-02-28"

    @pytest.mark.parametrize(("keys", "message"), [
        ({"valid_until": "add_months(date_of_birth)"},
         "outputs.certificate.valid_until: bad expression: add_months() takes 2 arguments, not 1"),
        ({"valid_until": "add_fortnights(today, 1)"},
         "outputs.certificate.valid_until: bad expression: only these functions may be called"),
        ({"valid_until": "add_months(start, 6)"},
         "outputs.certificate.valid_until: unknown field 'start' in 'add_months(start, 6)'"),
        ({"valid_until": "years * 365"}, "outputs.certificate.valid_until: 'years * 365' does not give a date"),
        ({"valid_until": "age(date_of_birth)"}, "does not give a date"),
        ({"valid_until": "'next year'"}, "does not give a date"),
        ({"valid_until": "add_days(today, -1)"}, "gives 20"),
        ({"valid_until": "'2020-01-01'"}, "gives 2020-01-01, before any issue date"),
        ({"valid_until": "date(2026, 2, 30)"}, "'date(2026, 2, 30)' gives no date"),
        ({"valid_until": "add_months(today, 6)", "valid_for_days": 90},
         "outputs.certificate.valid_until: give valid_for_days or valid_until, not both"),
    ])
    def test_a_wrong_validity_is_refused_at_load(self, services, keys, message):
        with pytest.raises(DefinitionError) as error:
            self.edit(services, self.certificate(**keys))
        assert str(error.value).startswith("services/residence-certificate/service.yaml: ")
        assert message in str(error.value)

    def test_a_rule_calling_a_date_function_wrongly_names_its_place(self, services):
        def change(data):
            data["steps"][0]["rules"] = [{"check": "age() >= 18", "field": "date_of_birth",
                                          "message": {"km": "អាយុ", "en": "Age"}}]
        with pytest.raises(DefinitionError, match=r"steps\[0\]\.rules\[0\]\.check: bad expression: "
                                                  r"age\(\) takes 1 or 2 arguments, not 0"):
            self.edit(services, change)

    def test_a_validity_from_answers_is_kept(self, services):
        service = self.edit(services, self.certificate(valid_until="add_months(date_of_birth, years)"))
        output = service.outputs["certificate"]
        assert output.valid_for_days is None
        assert output.valid_until.evaluate({"date_of_birth": "2026-01-31", "years": Decimal(1)}) == "2026-02-28"


class TestValidityAtIssue:
    """What the worker does with the date a document request carries (catalogue.validity)."""

    issued_on = date(2026, 12, 7)

    def test_a_request_without_a_computed_validity_has_no_expiry_from_it(self):
        assert validity.expires_on({"name_km": "សុខ"}, self.issued_on, "request 1") is None

    def test_the_computed_date_is_the_expiry_date_even_the_issue_day_itself(self):
        assert validity.expires_on({validity.CONTEXT_KEY: "2027-06-07"}, self.issued_on, "r") == date(2027, 6, 7)
        assert validity.expires_on({validity.CONTEXT_KEY: "2026-12-07"}, self.issued_on, "r") == self.issued_on

    @pytest.mark.parametrize("carried", [None, "2026-12-06", "not a date"])
    def test_an_empty_or_past_validity_is_refused_without_the_date_in_the_message(self, carried):
        with pytest.raises(validity.ValidityError, match="request 7: .*nothing was issued") as error:
            validity.expires_on({validity.CONTEXT_KEY: carried}, self.issued_on, "request 7")
        assert "2026-12-06" not in str(error.value)

    def test_the_request_carries_the_date_from_the_documents_values(self):
        output = Output(id="licence", template="licence.html", title={"km": "ក", "en": "x"}, data={},
                        valid_until=parse("add_months(start_date, months)"))
        values = {"start_date": "2026-01-31", "months": Decimal(1), "today": TODAY}
        assert validity.until(output, values) == {validity.CONTEXT_KEY: "2026-02-28"}
        assert validity.until(output, {**values, "start_date": None}) == {validity.CONTEXT_KEY: None}
        assert validity.until(Output(id="x", template="x.html", title={}, data={}, valid_for_days=90), values) == {}


def test_every_use_sees_today_in_cambodia_beside_the_answers(monkeypatch):
    from portal.domain import clock
    from portal.domain.expression_contexts import FORMS
    from portal.domain.fields.values import values_for
    from tests.service_roots import FIXTURE_ROOT

    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 7))
    service = load_catalogue(FIXTURE_ROOT).get("night-market-licence")
    values = values_for(FORMS, service, {"start_date": "2027-01-31", "months": 1, "date_of_birth": "2008-12-08"})
    assert values["today"] == "2026-12-07"
    assert values["last_day"] == "2027-02-28"  # a computed date
    assert service.steps[0].rules[0].check.is_true(values) is False  # 18 tomorrow
    assert service.steps[1].rules[0].check.is_true(values) is True
