"""Which open cases are overdue or soon due and not yet escalated, and recording that a supervisor was
told. Callers commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError

from portal.data.db import db
from portal.data.models import Application, Escalation
from portal.data.queues import ENDED

BREACHED, DUE_SOON = "breached", "due_soon"


def _not_yet(kind: str):
    return ~exists().where(Escalation.application_id == Application.id, Escalation.kind == kind,
                           Escalation.due_at == Application.due_at)


def not_escalated(now: datetime, soon: datetime, limit: int = 1000) -> list[tuple[Application, str]]:
    """Open cases due by `soon`, each with the kind of escalation it now needs, that no one has been
    told about for its current due date. Overdue cases first, oldest due first."""
    open_case = and_(Application.current_agency.is_not(None), Application.due_at.is_not(None),
                     Application.state.not_in(ENDED))
    found: list[tuple[Application, str]] = []
    # The same boundaries as the queue's tags and the dashboard's counts: overdue once past due.
    for kind, due in ((BREACHED, Application.due_at < now),
                      (DUE_SOON, and_(Application.due_at >= now, Application.due_at < soon))):
        rows = db.session.scalars(select(Application).where(open_case, due, _not_yet(kind))
                                  .order_by(Application.due_at, Application.id).limit(limit - len(found)))
        found += [(application, kind) for application in rows]
    return found


def record(application: Application, kind: str, now: datetime) -> bool:
    """Note that the supervisor is being told; False when another run already did (the unique key)."""
    try:
        with db.session.begin_nested():
            db.session.add(Escalation(application_id=application.id, kind=kind, due_at=application.due_at,
                                      agency=application.current_agency, state=application.state, at=now))
    except IntegrityError:
        return False
    return True


def for_application(application_id: int) -> list[Escalation]:
    return list(db.session.scalars(select(Escalation).where(Escalation.application_id == application_id)
                                   .order_by(Escalation.id)))
