"""Legal holds: a supervisor of an agency handling an application, or an administrator, stops its removal
under retention (a dispute, an investigation, a court order), with a reason, until one of them lifts it.
Who may is decided by the web layer; this module keeps the rows and the audit trail."""

from __future__ import annotations

from portal.data import retention as retention_data
from portal.domain import audit

HOLD_PLACED = "legal_hold_placed"
HOLD_LIFTED = "legal_hold_lifted"
REASON_MAX = 500


class AlreadyHeld(Exception):
    """The application is held already: one hold is in force at a time."""


def place(application, reason: str, person):
    """Hold `application` (the caller commits). Raises AlreadyHeld."""
    if retention_data.hold_in_force(application.id) is not None:
        raise AlreadyHeld
    hold = retention_data.add_hold(application.id, reason.strip()[:REASON_MAX], person.id)
    if hold is None:  # placed by someone else at the same instant (or the application went meanwhile)
        raise AlreadyHeld
    # The reason stays on the hold (it may name people): the log says who, when and which hold.
    audit.record(HOLD_PLACED, actor=person, subject_type="application", subject_id=application.public_id,
                 application=application.id, details={"hold": hold.public_id})
    return hold


def lift(hold, reason: str, person) -> bool:
    """Lift `hold` (the caller commits); False if someone lifted it first."""
    if not retention_data.lift_hold(hold, reason.strip()[:REASON_MAX], person.id):
        return False
    audit.record(HOLD_LIFTED, actor=person, subject_type="application", subject_id=hold.application.public_id,
                 application=hold.application_id, details={"hold": hold.public_id})
    return True


def in_force(application):
    return retention_data.hold_in_force(application.id)


def all_in_force():
    return retention_data.holds_in_force()


def by_public_id(public_id: str):
    return retention_data.hold_by_public_id(public_id)
