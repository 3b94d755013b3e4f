"""What a service's retention says about one application on one day: pure, so the plan and the removal
decide alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from portal.domain.catalogue.model import Service
from portal.domain.clock import CAMBODIA

REMOVE, REDUCE = "remove", "reduce"


@dataclass(frozen=True)
class Facts:
    """What retention needs to know of an application."""

    id: int
    public_id: str
    service_slug: str
    state: str
    closed_at: datetime  # naive UTC; for a draft, its last change
    documents_removed: bool
    reduced: bool
    held: bool
    paid: bool


@dataclass(frozen=True)
class Due:
    documents: bool  # its documents' years are up: they go (those no kept record uses)
    record: str | None  # REMOVE, REDUCE or None
    held: bool  # something was due, but a legal hold stops it

    @property
    def anything(self) -> bool:
        return not self.held and (self.documents or self.record is not None)


# A kiosk session (an operator filing for a citizen, with the citizen's consent) is kept while an application
# filed in it is kept; one in which nothing kept was filed, this long after it ended (or began, if it never
# ended): long enough for a citizen to ask who acted in their name at a kiosk, and why.
KIOSK_SESSION_YEARS = 1


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February: what closed on 28 February of that year has had its N years
        return date(day.year - years, 3, 1)


def closed_on(closed_at: datetime) -> date:
    """The day in Cambodia it closed: what "kept N years after it closed" counts from."""
    return closed_at.replace(tzinfo=UTC).astimezone(CAMBODIA).date()


def cutoff(day: date, years: int) -> datetime:
    """Closed before this instant (naive UTC), an application's N years are over on `day`: it closed on a day
    before `day` less N years, so it was kept N whole years."""
    start = datetime.combine(years_before(day, years), datetime.min.time(), tzinfo=CAMBODIA)
    return start.astimezone(UTC).replace(tzinfo=None)


def due(facts: Facts, service: Service, day: date) -> Due:
    closed = closed_on(facts.closed_at)
    # A draft's documents go with it: removing them first would change it, and so restart its clock.
    documents = (facts.state != "draft" and not facts.documents_removed
                 and closed < years_before(day, service.documents_retention_years))
    record = None
    if not facts.reduced and closed < years_before(day, service.retention_years):
        # A draft has no outcome to keep; money received is never removed (payments are the treasury's).
        keep = facts.paid or (service.keep_record and facts.state != "draft")
        record = REDUCE if keep else REMOVE
        # Removing an application takes its documents (the loader keeps documents_years within its years).
        documents = documents or (record == REMOVE and not facts.documents_removed)
    if facts.held and (documents or record):
        return Due(documents=False, record=None, held=True)
    return Due(documents=documents, record=record, held=False)
