"""What a supervisor's dashboard shows, for the agencies they supervise: open cases by service and state
(with those due soon and overdue), how long completed cases took, and the work done per day and per person.

The figures carry bilingual labels ({km, en}) and raw numbers; the page and the CSV export format them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portal.data import dashboard as data
from portal.domain.applications.labels import agency_name, staff_state_label
from portal.domain.catalogue import Service, get_catalogue
from portal.domain.catalogue.routing import may_route_to
from portal.domain.clock import CAMBODIA
from portal.domain.workflow import engine
from portal.domain.workflow.calendar import DUE_SOON

PROCESSING_WINDOW_DAYS = 90
THROUGHPUT_DAYS = 30
# Stands for "an office that is not this one" when a state belongs to a placeholder agency
# (`commune-office`) and the supervisor's agency is not one it can be routed to.
_ANOTHER_OFFICE = "(another office)"


@dataclass(frozen=True)
class StateLoad:
    agency: str
    agency_name: dict[str, str]
    service: str
    service_title: dict[str, str]
    state: str
    state_label: dict[str, str]
    open: int
    due_soon: int
    breached: int


@dataclass(frozen=True)
class ProcessingTime:
    agency: str
    agency_name: dict[str, str]
    service: str
    service_title: dict[str, str]
    completed: int
    median: timedelta
    p90: timedelta


@dataclass(frozen=True)
class PersonWork:
    person_id: int | None
    name: dict[str, str]  # {km, en}: the name in Khmer script first, or in Latin letters first
    actions: int


@dataclass(frozen=True)
class Dashboard:
    agencies: tuple[str, ...]
    agency_names: dict[str, dict[str, str]]
    as_of: datetime
    load: list[StateLoad]
    times: list[ProcessingTime]
    per_day: list[tuple[date, int]]  # every day of the window, oldest first, zeros included
    per_person: list[PersonWork]  # busiest first

    @property
    def several_agencies(self) -> bool:
        return len(self.agencies) > 1


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile of `values` by linear interpolation between the closest ranks, as
    PostgreSQL's `percentile_cont` and a spreadsheet's PERCENTILE.INC compute it: the median of
    1, 2, 3, 4 is 2.5; the 90th percentile of 10, 20, 30, 40, 50 is 46."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def _service_title(service: Service | None, slug: str) -> dict[str, str]:
    return dict(service.title) if service else {"km": slug, "en": slug}


def _state_label(service: Service | None, state_id: str) -> dict[str, str]:
    return staff_state_label(service, state_id) if service else {"km": state_id, "en": state_id}


def _is_terminal(service: Service | None, state_id: str) -> bool:
    state = engine.state_of(service, state_id) if service else None
    return state is not None and state.terminal


def state_loads(agencies: Collection[str], now: datetime) -> list[StateLoad]:
    catalogue = get_catalogue()
    loads = []
    for row in data.open_counts(agencies, now, DUE_SOON):
        service = catalogue.get(row.service_slug)
        if _is_terminal(service, row.state):
            continue
        loads.append(StateLoad(
            agency=row.agency, agency_name=agency_name(row.agency), service=row.service_slug,
            service_title=_service_title(service, row.service_slug), state=row.state,
            state_label=_state_label(service, row.state), open=row.open, due_soon=row.due_soon,
            breached=row.breached,
        ))
    return loads


def exit_states(service: Service, agency: str) -> set[str]:
    """The states whose entry ends `agency`'s part in a case of `service`: the terminal ones, and those in
    another agency's queue. (The applicant's turn, such as "more information needed", does not end it.)"""
    if service.workflow is None:
        return set()
    found = get_catalogue().agency(agency)
    routed = {placeholder: agency if may_route_to(service, found, placeholder) else _ANOTHER_OFFICE
              for placeholder in engine.PLACEHOLDER_AGENCIES}
    exits = set()
    for state in service.workflow.states.values():
        owner = engine.queue_agency(service, engine.Snapshot(state=state.id, routed_agencies=routed))
        if state.terminal or owner not in (None, agency):
            exits.add(state.id)
    return exits


def _routed_here(service: Service, agency: str) -> bool:
    """Whether `service`'s routing placeholder can stand for `agency` (catalogue/routing.py)."""
    return may_route_to(service, get_catalogue().agency(agency))


def _handles(service: Service, agency: str) -> bool:
    return agency in service.agencies or _routed_here(service, agency)


def processing_times(agencies: Collection[str], now: datetime) -> list[ProcessingTime]:
    catalogue = get_catalogue()
    exits = {agency: {service.slug: exit_states(service, agency)
                      for service in catalogue.services if _handles(service, agency)}
             for agency in agencies}
    since = now - timedelta(days=PROCESSING_WINDOW_DAYS)
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    for done in data.completions(exits, since):
        taken = max(done.done_at - done.submitted_at, timedelta(0))
        hours[(done.agency, done.service_slug)].append(taken.total_seconds() / 3600)
    times = []
    for (agency, slug), values in sorted(hours.items()):
        times.append(ProcessingTime(
            agency=agency, agency_name=agency_name(agency), service=slug,
            service_title=_service_title(catalogue.get(slug), slug), completed=len(values),
            median=timedelta(hours=percentile(values, 0.5)), p90=timedelta(hours=percentile(values, 0.9)),
        ))
    return times


def throughput_days(now: datetime) -> list[date]:
    """The last THROUGHPUT_DAYS days in Cambodia, today included, oldest first."""
    today = now.replace(tzinfo=UTC).astimezone(CAMBODIA).date()
    return [today - timedelta(days=back) for back in range(THROUGHPUT_DAYS - 1, -1, -1)]


def _person_name(person) -> dict[str, str]:
    if person is None:
        return {}
    km = person.name_km or person.name_latin or person.display_name
    en = person.name_latin or person.name_km or person.display_name
    return {"km": km, "en": en}


def throughput(agencies: Collection[str], now: datetime) -> tuple[list[tuple[date, int]], list[PersonWork]]:
    days = throughput_days(now)
    start = datetime.combine(days[0], time(0), tzinfo=CAMBODIA)
    offset = start.utcoffset() or timedelta(0)
    rows = data.actions_per_day(agencies, start.astimezone(UTC).replace(tzinfo=None), offset)
    per_day: Counter[date] = Counter()
    per_person: Counter[int | None] = Counter()
    for row in rows:
        per_day[row.day] += row.actions
        per_person[row.actor_id] += row.actions
    people = data.people_by_id([pid for pid in per_person if pid is not None])
    work = [PersonWork(pid, _person_name(people.get(pid)) if pid is not None else {}, count)
            for pid, count in per_person.items()]
    work.sort(key=lambda w: (-w.actions, w.name.get("en", ""), w.person_id or 0))
    return [(day, per_day.get(day, 0)) for day in days], work


def dashboard(agencies: Collection[str], now: datetime) -> Dashboard:
    """Everything the dashboard shows for `agencies` at `now` (naive UTC, as stored)."""
    ordered = tuple(sorted(agencies))
    per_day, per_person = throughput(ordered, now)
    return Dashboard(
        agencies=ordered, agency_names={a: agency_name(a) for a in ordered}, as_of=now,
        load=state_loads(ordered, now), times=processing_times(ordered, now),
        per_day=per_day, per_person=per_person,
    )
