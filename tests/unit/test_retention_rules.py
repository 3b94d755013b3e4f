"""What a service's retention says about one application on one day (portal.domain.retention.rules)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.domain.catalogue.model import Service
from portal.domain.retention.rules import REDUCE, REMOVE, Facts, cutoff, due, years_before


def service(years: int = 5, documents_years: int | None = None, keep_record: bool = False) -> Service:
    return Service(slug="s", version=1, status="live", audience=("citizen",), agencies=(), category="c", title={},
                   summary={}, eligibility={}, requirements=(), processing_working_days=1, fees=(), legal_basis={},
                   source="s", retention_years=years, documents_retention_years=documents_years or years,
                   keep_record=keep_record)


def facts(closed_at: datetime, **changes) -> Facts:
    values = {"id": 1, "public_id": "p", "service_slug": "s", "state": "approved", "closed_at": closed_at,
              "documents_removed": False, "reduced": False, "held": False, "paid": False}
    return Facts(**{**values, **changes})


# Closed at 09:30 in Phnom Penh on 5 March 2020 (02:30 UTC).
CLOSED = datetime(2020, 3, 5, 2, 30)


def test_kept_five_whole_years_then_removed_with_its_documents():
    assert due(facts(CLOSED), service(), date(2025, 3, 5)).anything is False
    last = due(facts(CLOSED), service(), date(2025, 3, 6))
    assert (last.documents, last.record, last.held) == (True, REMOVE, False)


def test_the_day_is_cambodias_not_utcs():
    # 23:30 UTC on 4 March is 06:30 on 5 March in Phnom Penh: it closed on the 5th.
    late = datetime(2020, 3, 4, 23, 30)
    assert not due(facts(late), service(), date(2025, 3, 5)).anything
    assert cutoff(date(2025, 3, 6), 5) == datetime(2020, 3, 5, 17, 0)  # midnight of 6 March 2020 in Phnom Penh


def test_documents_may_go_before_the_application():
    early = due(facts(CLOSED), service(years=5, documents_years=2), date(2022, 3, 6))
    assert (early.documents, early.record) == (True, None)
    later = due(facts(CLOSED, documents_removed=True), service(years=5, documents_years=2), date(2025, 3, 6))
    assert (later.documents, later.record) == (False, REMOVE)


@pytest.mark.parametrize(("keep_record", "paid", "state", "record"), [
    (True, False, "approved", REDUCE),
    (False, True, "approved", REDUCE),  # money received is never removed
    (True, False, "draft", REMOVE),  # a draft has no outcome to keep
    (False, False, "withdrawn", REMOVE),
])
def test_what_becomes_of_the_record(keep_record, paid, state, record):
    decided = due(facts(CLOSED, paid=paid, state=state), service(keep_record=keep_record), date(2026, 1, 1))
    assert decided.record == record


def test_a_hold_stops_everything_that_is_due_and_only_that():
    held = due(facts(CLOSED, held=True), service(), date(2026, 1, 1))
    assert (held.documents, held.record, held.held, held.anything) == (False, None, True, False)
    assert due(facts(CLOSED, held=True), service(), date(2021, 1, 1)).held is False


def test_a_reduced_record_is_kept_for_good():
    kept = facts(CLOSED, reduced=True, documents_removed=True)
    assert not due(kept, service(keep_record=True), date(2090, 1, 1)).anything


def test_29_february():
    assert years_before(date(2025, 2, 28), 1) == date(2024, 2, 28)
    assert years_before(date(2024, 2, 29), 1) == date(2023, 3, 1)
    closed_28_february = facts(datetime(2023, 2, 28, 3, 0))  # kept a whole year on 28 February 2024
    assert not due(closed_28_february, service(years=1), date(2024, 2, 28)).anything
    assert due(closed_28_february, service(years=1), date(2024, 2, 29)).record == REMOVE


def test_a_drafts_documents_go_with_it_not_before():
    draft = facts(CLOSED, state="draft")
    early = due(draft, service(years=5, documents_years=2), date(2023, 1, 1))
    assert not early.anything
    late = due(draft, service(years=5, documents_years=2), date(2025, 3, 6))
    assert (late.documents, late.record) == (True, REMOVE)
