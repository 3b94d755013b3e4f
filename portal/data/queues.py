"""The back office's reads and small writes on applications: queues, a case as staff see it, assignment
and the paid / documents-checked facts. Callers commit."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, and_, case, false, func, literal, or_, select, tuple_, update

from portal.data.db import db, utcnow
from portal.data.models import Agency, Application, ApplicationEvent, Person, StaffRole

ENDED = ("draft", "withdrawn")
PAGE_SIZE = 50
MINE, UNASSIGNED, EVERYONE = "mine", "unassigned", "everyone"


@dataclass(frozen=True)
class Cursor:
    """Where a queue page ended: the last row's due date (None sorts last) and id."""

    due_at: datetime | None
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.due_at.isoformat() if self.due_at else None, self.id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for anything that is not a cursor we made: the queue then opens at its first page."""
        if not text or len(text) > 100:
            return None
        try:
            due, row_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            return cls(datetime.fromisoformat(due) if due is not None else None, int(row_id))
        except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
            return None


@dataclass(frozen=True)
class QueueFilter:
    service: str | None = None
    state: str | None = None
    who: str = EVERYONE
    reference: str | None = None  # normalised; exact match
    name: str | None = None  # part of the applicant's name, Khmer or Latin
    ready: bool = False  # only cases a clerk handed over for a decision
    # Left out: cases in these agencies' queues in these (service, state)s, which wait for a supervisor
    # and so are not a clerk's to act on (the viewer is only a clerk there).
    clerk_only_agencies: frozenset[str] = frozenset()
    supervisor_states: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class QueuePage:
    rows: list[tuple[Application, Person]]
    next_cursor: Cursor | None


def _after(cursor: Cursor | None, dated: bool):
    """Rows after `cursor` in (due_at nulls last, id) order, among the rows with a due date (`dated`) or
    among those without. Each part is one range of the queue index, which the database seeks to and reads
    in order; a single condition with an OR for the undated rows made it read the agency's backlog from
    its start and filter it (a page deep in a queue of 100,000 read 90,000 rows)."""
    if dated:
        if cursor is None:
            return Application.due_at.is_not(None)
        if cursor.due_at is None:
            return false()  # past the dated rows already
        return tuple_(Application.due_at, Application.id) > tuple_(literal(cursor.due_at), literal(cursor.id))
    if cursor is None or cursor.due_at is not None:
        return Application.due_at.is_(None)
    return and_(Application.due_at.is_(None), Application.id > cursor.id)


def queue(agencies: Collection[str], person_id: int, where: QueueFilter, after: Cursor | None = None,
          limit: int = PAGE_SIZE) -> QueuePage:
    """Open applications in the queues of `agencies`, most urgent first, one page at a time."""
    if not agencies:
        return QueuePage([], None)
    query = (
        select(Application, Person)
        .join(Person, Person.id == Application.applicant_person_id)
        .where(Application.current_agency.in_(list(agencies)), Application.state.not_in(ENDED))
    )
    if where.clerk_only_agencies and where.supervisor_states:
        query = query.where(~and_(
            Application.current_agency.in_(sorted(where.clerk_only_agencies)),
            or_(*[and_(Application.service_slug == slug, Application.state == state)
                  for slug, state in sorted(where.supervisor_states)]),
        ))
    if where.service:
        query = query.where(Application.service_slug == where.service)
    if where.state:
        query = query.where(Application.state == where.state)
    if where.ready:
        query = query.where(Application.ready_for_decision.is_(True))
    if where.who == MINE:
        query = query.where(Application.assignee_id == person_id)
    elif where.who == UNASSIGNED:
        query = query.where(Application.assignee_id.is_(None))
    if where.reference:
        query = query.where(Application.reference == where.reference)
    if where.name:
        # The name the application gives (kept on the row at each step); the profile's names only for
        # applications saved before the name was kept, as the queue then shows those.
        query = query.where(or_(
            func.lower(Application.applicant_name).contains(where.name.lower(), autoescape=True),
            and_(Application.applicant_name.is_(None), or_(
                Person.name_km.contains(where.name, autoescape=True),
                func.lower(Person.name_latin).contains(where.name.lower(), autoescape=True),
            )),
        ))
    # The dated rows first (most urgent first), then, if the page is not full, the undated ones.
    rows = [tuple(row) for row in db.session.execute(
        query.where(_after(after, dated=True)).order_by(Application.due_at, Application.id).limit(limit + 1))]
    if len(rows) <= limit:
        rows += [tuple(row) for row in db.session.execute(
            query.where(_after(after, dated=False)).order_by(Application.id).limit(limit + 1 - len(rows)))]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if more else None
    return QueuePage(rows, Cursor(last.due_at, last.id) if last is not None else None)


def services_in_queues(agencies: Collection[str], candidates: Collection[str]) -> list[str]:
    """Which of the `candidates` (service slugs) have open applications in these queues, for the
    filter: one indexed existence check per service, never a scan of the backlog (it may hold a million)."""
    if not agencies:
        return []
    found = []
    for slug in sorted(candidates):
        exists = db.session.scalar(select(Application.id).where(
            Application.service_slug == slug, Application.current_agency.in_(list(agencies)),
            Application.state.not_in(ENDED)).limit(1))
        if exists is not None:
            found.append(slug)
    return found


def case_for_staff(public_id: str, agencies: Collection[str]) -> Application | None:
    """The application if it is in (or routed to) one of `agencies`, or staff of one of them acted on it
    (so a clerk can still read a case they approved or forwarded); None otherwise (callers answer 404)."""
    if not public_id or len(public_id) > 32 or not agencies:
        return None
    agencies = sorted(agencies)
    # Acted "for" one of the agencies, as the event records it: a role granted later at another agency
    # must not open that agency's staff a case (and its internal notes) the person once worked elsewhere.
    acted = (select(ApplicationEvent.id).where(
        ApplicationEvent.application_id == Application.id,
        or_(*[ApplicationEvent.actor_role.startswith(f"{agency}.", autoescape=True) for agency in agencies]),
    ).exists())
    return db.session.scalar(select(Application).where(
        Application.public_id == public_id, Application.state != "draft",
        or_(Application.current_agency.in_(agencies), Application.routed_agency.in_(agencies), acted),
    ))


# The roles that work cases: a cashier takes payments, is never assigned a case.
CASE_ROLES = ("clerk", "supervisor")


def agency_staff(agency_slug: str, roles: Collection[str] = CASE_ROLES) -> list[Person]:
    """Active people holding one of `roles` at the agency (by default, those working cases): a supervisor's
    assign select, the supervisors escalation tells. The domain adds the roles the agency declares."""
    query = (select(Person).join(StaffRole, StaffRole.person_id == Person.id)
             .join(Agency, Agency.id == StaffRole.agency_id)
             .where(Agency.slug == agency_slug, Person.is_active.is_(True)))
    query = query.where(StaffRole.role.in_(tuple(roles)))
    return list(db.session.scalars(query.distinct().order_by(Person.name_latin, Person.email)))


def set_assignee(application: Application, expected: int | None, assignee: int | None) -> bool:
    """Assign only if the case is still assigned to `expected` (compare and set): of two clerks claiming
    the same case at once, one wins."""
    current = (Application.assignee_id.is_(None) if expected is None else Application.assignee_id == expected)
    result = db.session.execute(
        update(Application).where(Application.id == application.id, current)
        .values(assignee_id=assignee, updated_at=utcnow()).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(application)
    return True


def mark_fact(application: Application, fact: str, state: str) -> bool:
    """Set a fact (a boolean column: `paid`, `documents_checked`, `ready_for_decision`) if the case is
    still in `state` and the fact not yet set. Which facts staff may mark, and when, is the domain's
    (catalogue.model.STAFF_FACTS, applications.case_records)."""
    found = Application.__table__.columns.get(fact)
    if found is None or not isinstance(found.type, Boolean):
        raise ValueError(fact)
    column = getattr(Application, fact)
    result = db.session.execute(
        update(Application).where(Application.id == application.id, Application.state == state, column.is_(False))
        .values({fact: True, "updated_at": utcnow()}).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(application)
    return True


def case_by_reference(reference: str, agencies: Collection[str]) -> Application | None:
    """The case with this (normalised) reference if staff of `agencies` may open it (`case_for_staff`)."""
    if not reference or len(reference) > 20:
        return None
    public_id = db.session.scalar(select(Application.public_id).where(Application.reference == reference))
    return case_for_staff(public_id, agencies) if public_id else None


@dataclass(frozen=True)
class UnstaffedQueue:
    agency: str  # slug
    open: int  # cases in its queue now
    overdue: int  # of them, past their due date


def unstaffed_queues(now: datetime) -> list[UnstaffedQueue]:
    """The agencies that hold cases in their queue while no active person works cases there (no active
    clerk or supervisor): counts only, busiest first. Reads the open cases' agencies, never every agency."""
    staffed = (select(Agency.slug).join(StaffRole, StaffRole.agency_id == Agency.id)
               .join(Person, Person.id == StaffRole.person_id)
               .where(Person.is_active.is_(True), StaffRole.role.in_(CASE_ROLES)))
    overdue = func.sum(case((Application.due_at < now, 1), else_=0))
    rows = db.session.execute(
        select(Application.current_agency, func.count(), overdue)
        .where(Application.current_agency.is_not(None), Application.current_agency.not_in(staffed))
        .group_by(Application.current_agency)
        .order_by(func.count().desc(), Application.current_agency)
    )
    return [UnstaffedQueue(agency, count, int(late or 0)) for agency, count, late in rows]
