"""What the portal holds about one person, read for their archive (issue 18) and for closing their account."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from portal.data.db import db
from portal.data.models import (
    Application,
    ApplicationDocument,
    AssistedSession,
    DataExport,
    Document,
    Notification,
    OrganisationMember,
    Person,
)


def applications_of(person: Person) -> list[Application]:
    """The applications the person made (for themselves or for a business), oldest first."""
    return list(db.session.scalars(select(Application).where(Application.applicant_person_id == person.id)
                                   .order_by(Application.id)))


def documents_of(person: Person) -> list[Document]:
    """Their documents: those they own, and those issued for or attached to their applications (a business's,
    when they made the application), each once, oldest first. Not every file they uploaded: an operator at a
    kiosk uploads a citizen's signed consent, which is the citizen's, and a member a business's documents."""
    mine = select(Application.id).where(Application.applicant_person_id == person.id)
    attached = select(ApplicationDocument.document_id).where(ApplicationDocument.application_id.in_(mine))
    return list(db.session.scalars(select(Document).where(or_(
        Document.owner_person_id == person.id,
        Document.application_id.in_(mine),
        Document.id.in_(attached),
    )).order_by(Document.id)))


def inbox_of(person: Person) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.person_id == person.id)
                                   .order_by(Notification.id)))


def own_drafts_of(person: Person) -> list[Application]:
    """The person's drafts for themselves: a draft for a business is the business's (any member continues it)."""
    return list(db.session.scalars(select(Application).where(Application.applicant_person_id == person.id,
                                                             Application.organisation_id.is_(None),
                                                             Application.state == "draft")))


def lock_person(person: Person) -> Person | None:
    """The person's row as it is now, locked until the transaction ends (PostgreSQL); None if it is gone."""
    return db.session.scalar(select(Person).where(Person.id == person.id).with_for_update(of=Person)
                             .execution_options(populate_existing=True))


def end_assisted_sessions(person: Person, at) -> None:
    """A kiosk operator helping this citizen stops acting for them."""
    db.session.execute(update(AssistedSession).where(AssistedSession.citizen_id == person.id,
                                                     AssistedSession.ended_at.is_(None)).values(ended_at=at))


def memberships_of(person: Person) -> list[OrganisationMember]:
    return list(db.session.scalars(select(OrganisationMember).where(OrganisationMember.person_id == person.id)))


def other_members(member: OrganisationMember) -> list[OrganisationMember]:
    return list(db.session.scalars(select(OrganisationMember).where(
        OrganisationMember.organisation_id == member.organisation_id, OrganisationMember.id != member.id)))


def remove_inbox_and_archives(person: Person) -> list[str]:
    """The person's inbox and "download my data" archives go; the archives' file names, to remove."""
    files = list(db.session.scalars(select(DataExport.file_name).where(DataExport.person_id == person.id,
                                                                       DataExport.file_name.is_not(None))))
    db.session.execute(delete(Notification).where(Notification.person_id == person.id))
    db.session.execute(delete(DataExport).where(DataExport.person_id == person.id))
    return files


def anonymise(person: Person, unusable_password_hash: str, closed_at) -> None:
    """What identified or reached the person goes; the row stays, for the cases the law still keeps."""
    for name in ("email", "phone", "name_km", "name_latin", "national_id", "date_of_birth", "province_code",
                 "district_code", "commune_code", "village_code", "street", "totp_secret_plain",
                 "totp_secret_sealed", "enrolment_nonce", "enrolment_expires_at"):
        setattr(person, name, None)
    person.password_hash = unusable_password_hash
    person.is_active = False
    person.closed_at = closed_at
    db.session.flush()
