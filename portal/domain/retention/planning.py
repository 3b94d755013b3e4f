"""What retention would do on a day, application by application, oldest first: what the dry run prints and
the real run carries out."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from portal.data import retention as retention_data
from portal.data.retention import ClosedAccount, EndedSession, StoredDocument
from portal.domain.applications import versions
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.model import Service
from portal.domain.retention import rules
from portal.domain.retention.rules import Due, Facts
from portal.domain.workflow import engine


@dataclass(frozen=True)
class Step:
    """One application's part: its documents that go (those no kept record uses), the files left with no
    document, and what becomes of its record."""

    facts: Facts
    due: Due
    documents: tuple[StoredDocument, ...]
    files: frozenset[str]

    @property
    def year(self) -> int:
        return rules.closed_on(self.facts.closed_at).year


@dataclass
class Line:
    """A row of the report: one service (None: documents no application used) and year of closing."""

    service: str | None
    year: int
    removed: int = 0
    reduced: int = 0
    documents: int = 0
    files: int = 0
    held: int = 0

    def add(self, other: Line) -> None:
        for name in ("removed", "reduced", "documents", "files", "held"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Plan:
    day: date
    steps: list[tuple[Service, Step]] = field(default_factory=list)
    held: list[Facts] = field(default_factory=list)
    unused: list[StoredDocument] = field(default_factory=list)  # past their own retain_until, used by nothing
    unused_files: frozenset[str] = frozenset()
    # Closed accounts no kept record points at. One whose last case goes in this run goes in the next one:
    # so the dry run, which removes nothing, lists what the run removes.
    accounts: list[ClosedAccount] = field(default_factory=list)
    # Kiosk sessions no kept application was filed in, past their time (the same rule: one whose last
    # application goes in this run goes in the next).
    sessions: list[EndedSession] = field(default_factory=list)

    def lines(self) -> list[Line]:
        """The report: one line per service and year of closing."""
        lines: dict[tuple[str | None, int], Line] = {}

        def line(service: str | None, year: int) -> Line:
            return lines.setdefault((service, year), Line(service, year))

        for _service, step in self.steps:
            counts = line(step.facts.service_slug, step.year)
            counts.removed += step.due.record == rules.REMOVE
            counts.reduced += step.due.record == rules.REDUCE
            counts.documents += len(step.documents)
            counts.files += len(step.files)
        for facts in self.held:
            line(facts.service_slug, rules.closed_on(facts.closed_at).year).held += 1
        if self.unused:
            counts = line(None, self.day.year)
            counts.documents += len(self.unused)
            counts.files += len(self.unused_files)
        return sorted(lines.values(), key=lambda x: (x.service is None, x.service or "", x.year))


def stamp_closures() -> int:
    """Give applications that ended before `closed_at` existed (migration 0036) the time of their last event."""
    stamped = 0
    for version_id, state in retention_data.unstamped_closures():
        application = retention_data.an_application_of_version(version_id)
        found = engine.state_of(versions.definition_for(application), state) if application else None
        if found is not None and found.terminal:
            stamped += retention_data.stamp_closed(version_id, state)
    return stamped


def rule_for(slug: str) -> Service | None:
    """The retention in force for a service's applications: its current definition (a law that changed applies
    to what is kept), else, for a service no longer offered, the definition its latest application was made on."""
    service = get_catalogue().get(slug)
    if service is not None:
        return service
    application = retention_data.an_application_of(slug)
    return versions.definition_for(application) if application is not None else None


def candidates(service: Service, day: date, only: int | None = None) -> Iterator[Facts]:
    documents_before = rules.cutoff(day, service.documents_retention_years)
    records_before = rules.cutoff(day, service.retention_years)
    for candidate in retention_data.candidates(service.slug, documents_before, records_before, only):
        yield Facts(**dataclasses.asdict(candidate))


def step_for(facts: Facts, service: Service, day: date, leaving: frozenset[int],
             documents_leaving: frozenset[int]) -> Step:
    """`leaving`: applications whose documents go before this one's (in this run), besides this one;
    `documents_leaving`: the documents they take."""
    due = rules.due(facts, service, day)
    if not due.documents:
        return Step(facts, due, (), frozenset())
    leaving = leaving | {facts.id}
    documents = tuple(d for d in retention_data.documents_of(facts.id)
                      if not retention_data.used_elsewhere(d.id, leaving))
    files = retention_data.blobs_left_without_documents(
        {d.sha256 for d in documents}, documents_leaving | {d.id for d in documents})
    return Step(facts, due, documents, frozenset(files))


def plan(day: date) -> Plan:
    """Everything due on `day`. Reads only (but for `stamp_closures`, which the caller commits)."""
    stamp_closures()
    result = Plan(day)
    leaving: set[int] = set()
    documents_leaving: set[int] = set()
    for slug in retention_data.slugs_with_closed_applications():
        service = rule_for(slug)
        if service is None:
            continue
        for facts in candidates(service, day):
            step = step_for(facts, service, day, frozenset(leaving), frozenset(documents_leaving))
            if step.due.held:
                result.held.append(facts)
            elif step.due.anything:
                result.steps.append((service, step))
                # Its documents go, or it goes (and with it what was issued for it): no use of anything after.
                if step.due.documents or step.due.record == rules.REMOVE:
                    leaving.add(facts.id)
                    documents_leaving.update(d.id for d in step.documents)
    result.unused = retention_data.unused_documents_past(day)
    result.unused_files = frozenset(retention_data.blobs_left_without_documents(
        {d.sha256 for d in result.unused}, documents_leaving | {d.id for d in result.unused}))
    result.accounts = retention_data.closed_accounts_without_records()
    result.sessions = retention_data.sessions_done_with(rules.cutoff(day, rules.KIOSK_SESSION_YEARS))
    return result
