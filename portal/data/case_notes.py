"""Internal notes and messages to the applicant on a case. Callers commit."""

from __future__ import annotations

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import CaseNote

INTERNAL, MESSAGE = "internal", "message"


def add(application_id: int, kind: str, author_id: int, author_agency: str, body: str) -> CaseNote:
    note = CaseNote(application_id=application_id, kind=kind, author_id=author_id,
                    author_agency=author_agency, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def for_staff(application_id: int) -> list[CaseNote]:
    """Every note and message on the case, oldest first."""
    return list(db.session.scalars(
        select(CaseNote).where(CaseNote.application_id == application_id).order_by(CaseNote.id)))


def messages_for_applicant(application_id: int) -> list[CaseNote]:
    """Only the messages: internal notes never leave the back office."""
    return list(db.session.scalars(
        select(CaseNote).where(CaseNote.application_id == application_id, CaseNote.kind == MESSAGE)
        .order_by(CaseNote.id)))
