"""What the portal holds about one person, read for their archive (issue 18) and for closing their account."""

from __future__ import annotations

from sqlalchemy import or_, select

from portal.data.db import db
from portal.data.models import Application, ApplicationDocument, Document, Notification, Person


def applications_of(person: Person) -> list[Application]:
    """The applications the person made (for themselves or for a business), oldest first."""
    return list(db.session.scalars(select(Application).where(Application.applicant_person_id == person.id)
                                   .order_by(Application.id)))


def documents_of(person: Person) -> list[Document]:
    """Their documents: those they own, those they uploaded, and those issued for or attached to their
    applications (a business's, when they made the application), each once, oldest first."""
    mine = select(Application.id).where(Application.applicant_person_id == person.id)
    attached = select(ApplicationDocument.document_id).where(ApplicationDocument.application_id.in_(mine))
    return list(db.session.scalars(select(Document).where(or_(
        Document.owner_person_id == person.id,
        (Document.created_by_id == person.id) & (Document.kind == "upload"),
        Document.application_id.in_(mine),
        Document.id.in_(attached),
    )).order_by(Document.id)))


def inbox_of(person: Person) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.person_id == person.id)
                                   .order_by(Notification.id)))
