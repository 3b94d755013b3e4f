"""`show_when` conditions as the browser gets them (static/js/conditions.js): answers of the page
stay names, everything else is worked out on the server; what the browser cannot follow is None."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.domain.catalogue.expressions import parse


def browser(source: str, on_page=("purpose", "nationality", "owner_type"), **values):
    return parse(source).for_browser(set(on_page), values)


def test_an_answer_of_the_page_compared_with_a_value():
    assert browser("purpose == 'other'") == {
        "compare": "==", "left": {"field": "purpose"}, "right": {"value": "other"}}


def test_answers_of_other_steps_and_facts_are_values_worked_out_on_the_server():
    assert browser("owner_type == 'person' and capital.amount > 1000", capital={"amount": Decimal(5000)}) == {
        "and": [{"compare": "==", "left": {"field": "owner_type"}, "right": {"value": "person"}},
                {"value": True}]}


def test_lists_negation_and_chains():
    assert browser("not nationality in ['kh', 'th']") == {"not": {
        "compare": "in", "left": {"field": "nationality"}, "right": {"value": ["kh", "th"]}}}
    assert browser("1 < owner_type < 3")["and"][0]["compare"] == "<"


@pytest.mark.parametrize("source", ["len(purpose) > 3", "owner_type * 2 == 4", "purpose.amount > 0"])
def test_what_the_browser_cannot_follow_is_left_to_the_server(source):
    assert browser(source) is None
