"""The supervisor dashboard's reads: open cases counted by service and state, when completed cases left an
agency, and how many workflow steps each member of staff took per day.

Counting is left to the database (GROUP BY); the only rows that come back one per case are the
completions of a bounded window, because their percentiles are computed in Python (see `completions`).
Everything here runs unchanged on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, cast, func, or_, select

from portal.data.db import db
from portal.data.models import Application, ApplicationEvent, Person
from portal.data.queues import ENDED


@dataclass(frozen=True)
class OpenCount:
    agency: str
    service_slug: str
    state: str
    open: int
    due_soon: int  # due within `due_soon` from now, not yet due
    breached: int  # due before now


@dataclass(frozen=True)
class Completion:
    agency: str
    service_slug: str
    submitted_at: datetime
    done_at: datetime


@dataclass(frozen=True)
class DailyActions:
    day: date  # in local time (see `actions_per_day`)
    actor_id: int | None  # None: the person's account was deleted since
    actions: int


def open_counts(agencies: Collection[str], now: datetime, due_soon: timedelta) -> list[OpenCount]:
    """Open applications in the queues of `agencies`, one row per (agency, service, state). The caller
    drops states its definitions call terminal (a case normally leaves every queue when it ends)."""
    if not agencies:
        return []
    breached = func.sum(case((Application.due_at < now, 1), else_=0))
    soon = func.sum(case((and_(Application.due_at >= now, Application.due_at < now + due_soon), 1), else_=0))
    keys = (Application.current_agency, Application.service_slug, Application.state)
    query = (
        select(*keys, func.count(Application.id), soon, breached)
        .where(Application.current_agency.in_(list(agencies)), Application.state.not_in(ENDED))
        .group_by(*keys).order_by(*keys)
    )
    return [OpenCount(agency, slug, state, int(count), int(soon_n or 0), int(breached_n or 0))
            for agency, slug, state, count, soon_n, breached_n in db.session.execute(query)]


def _workflow_step():
    """Not a staff record (claimed, marked as paid...: `domain.applications.case_records`, actions "case:...")."""
    return ~ApplicationEvent.action.startswith("case:", autoescape=True)


def _by_staff_of(agency: str):
    """Events taken by staff acting for `agency` (their `<agency>.<role>`)."""
    return ApplicationEvent.actor_role.startswith(f"{agency}.", autoescape=True)


def completions(exits: Mapping[str, Mapping[str, Collection[str]]], since: datetime) -> list[Completion]:
    """Cases whose work at an agency ended since `since`: from submission to the first event (within the
    window) by the agency's staff that moved the case into one of its exit states.

    `exits`: agency -> service slug -> the states whose entry ends that agency's part (the service's
    terminal states and the states of other agencies; the caller reads them from the definitions).

    One row per completed case: the median and 90th percentile are computed by the caller in Python,
    because SQLite has no percentile function and PostgreSQL's `percentile_cont` is not portable; the
    window bounds the rows (a busy agency closes some thousands of cases in 90 days, two values each)."""
    found: list[Completion] = []
    for agency, per_service in sorted(exits.items()):
        leaving = [and_(Application.service_slug == slug, ApplicationEvent.to_state.in_(sorted(states)))
                   for slug, states in sorted(per_service.items()) if states]
        if not leaving:
            continue
        query = (
            select(Application.service_slug, Application.submitted_at, func.min(ApplicationEvent.at))
            .join(Application, Application.id == ApplicationEvent.application_id)
            .where(ApplicationEvent.at >= since, Application.submitted_at.is_not(None),
                   _by_staff_of(agency), _workflow_step(), or_(*leaving))
            .group_by(Application.id, Application.service_slug, Application.submitted_at)
        )
        found += [Completion(agency, slug, submitted_at, done_at)
                  for slug, submitted_at, done_at in db.session.execute(query)]
    return found


def _local_day(column, utc_offset: timedelta):
    """The calendar day of a UTC timestamp at `utc_offset` (Cambodia has no daylight saving time)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{int(utc_offset.total_seconds())} seconds")
    return cast(column + utc_offset, Date)


def actions_per_day(agencies: Collection[str], since: datetime, utc_offset: timedelta) -> list[DailyActions]:
    """Workflow events taken by staff of `agencies` since `since`, counted per local day and person.
    An event counts once even when its actor works at several of the agencies."""
    if not agencies:
        return []
    # The day is computed in a subquery and grouped on outside: PostgreSQL would refuse a GROUP BY
    # whose expression carries its own copy of the offset parameter.
    events = (
        select(_local_day(ApplicationEvent.at, utc_offset).label("day"), ApplicationEvent.actor_id)
        .where(ApplicationEvent.at >= since, _workflow_step(),
               or_(*[_by_staff_of(agency) for agency in sorted(agencies)]))
        .subquery()
    )
    query = (select(events.c.day, events.c.actor_id, func.count())
             .group_by(events.c.day, events.c.actor_id).order_by(events.c.day, events.c.actor_id))
    return [DailyActions(day if isinstance(day, date) else date.fromisoformat(day), actor_id, int(count))
            for day, actor_id, count in db.session.execute(query)]


def people_by_id(person_ids: Collection[int]) -> dict[int, Person]:
    """The people behind the ids (staff in the dashboard's per-person counts), in one query."""
    if not person_ids:
        return {}
    return {person.id: person for person in db.session.scalars(select(Person).where(Person.id.in_(list(person_ids))))}
